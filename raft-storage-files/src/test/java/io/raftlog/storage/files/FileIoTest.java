package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.StorageException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files replaced whole and read back checked, cleanup at open, and I/O an interrupt cannot break. */
class FileIoTest {
    @TempDir
    Path directory;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // a failed assertion must not leave the flag to the next test
    }

    @Test
    void aReplacedFileReadsBackItsLatestBodyAndLeavesNoTemporaryFile() throws IOException {
        assertThat(FileIo.readChecked(directory, "state")).isEmpty();

        FileIo.replaceAtomically(directory, "state", bytes("first"));
        FileIo.replaceAtomically(directory, "state", bytes("second, longer"));
        FileIo.replaceAtomically(directory, "empty", new byte[0]);

        assertThat(FileIo.readChecked(directory, "state"))
                .hasValueSatisfying(body -> assertThat(body).isEqualTo(bytes("second, longer")));
        assertThat(FileIo.readChecked(directory, "empty"))
                .hasValueSatisfying(body -> assertThat(body).isEmpty());
        assertThat(files()).containsExactlyInAnyOrder("state", "empty");
        assertThat(Files.size(directory.resolve("state"))).isEqualTo(8 + "second, longer".length());
    }

    @Test
    void aFlippedBitOrACutFileFailsItsChecksumWithTheFileNamed() throws IOException {
        FileIo.replaceAtomically(directory, "flipped", bytes("term and vote"));
        Path flipped = directory.resolve("flipped");
        byte[] content = Files.readAllBytes(flipped);
        content[10] ^= 0x04;
        Files.write(flipped, content);
        assertThatThrownBy(() -> FileIo.readChecked(directory, "flipped"))
                .isInstanceOf(StorageException.class)
                .hasMessage(flipped + " fails its CRC32C check: it is damaged (" + content.length + " bytes)");

        FileIo.replaceAtomically(directory, "cut", bytes("term and vote"));
        Path cut = directory.resolve("cut");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(cut), 12));
        assertThatThrownBy(() -> FileIo.readChecked(directory, "cut"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(cut + " fails its CRC32C check");

        Files.write(cut, new byte[3]);
        assertThatThrownBy(() -> FileIo.readChecked(directory, "cut"))
                .as("shorter than the header")
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("(3 bytes)");
    }

    @Test
    void deletingTemporaryFilesKeepsEveryOtherFileAndDirectories() throws IOException {
        Files.writeString(directory.resolve("hard-state" + FileIo.TEMPORARY_SUFFIX), "left by a crash");
        Files.writeString(directory.resolve("metadata-x" + FileIo.TEMPORARY_SUFFIX), "left by a crash");
        Files.writeString(directory.resolve("log.rewrite"), "the store's own temporary");
        Files.writeString(directory.resolve("metadata-x.tmp"), "a valid record name");
        Files.writeString(directory.resolve("hard-state"), "kept");
        Files.createDirectory(directory.resolve("snapshots" + FileIo.TEMPORARY_SUFFIX));

        FileIo.deleteTemporaryFiles(directory, "log.rewrite");

        assertThat(files()).containsExactlyInAnyOrder("metadata-x.tmp", "hard-state", "snapshots~tmp");
        FileIo.deleteTemporaryFiles(directory, "");
        assertThat(files()).hasSize(3);
    }

    @Test
    void anInterruptedThreadDoesItsIoAndFindsItsFlagSetAfterwards() throws IOException {
        Path file = directory.resolve("data");
        Thread.currentThread().interrupt();
        String read = FileIo.uninterruptibly(() -> {
            assertThat(Thread.currentThread().isInterrupted()).as("put aside").isFalse();
            try (FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileIo.writeFully(channel, ByteBuffer.wrap(bytes("abc")), 0);
                ByteBuffer buffer = ByteBuffer.allocate(3);
                FileIo.readFully(channel, buffer, 0);
                return new String(buffer.array(), StandardCharsets.UTF_8);
            }
        });
        assertThat(Thread.interrupted()).as("set again").isTrue();
        assertThat(read).isEqualTo("abc");

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> FileIo.uninterruptibly(() -> Files.readAllBytes(directory.resolve("missing"))))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(Thread.interrupted()).as("set again after a failure too").isTrue();

        FileIo.uninterruptibly(() -> null);
        assertThat(Thread.currentThread().isInterrupted())
                .as("not set where it was not")
                .isFalse();
    }

    @Test
    void positionalIoMovesEveryByteAndLeavesThePositionAloneWhileGatheringWritesAppend() throws IOException {
        try (FileChannel channel = FileChannel.open(
                directory.resolve("data"),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileIo.writeFully(
                    channel, new ByteBuffer[] {ByteBuffer.wrap(bytes("head-")), ByteBuffer.wrap(bytes("tail"))});
            assertThat(channel.position()).isEqualTo(9);
            FileIo.writeFully(channel, ByteBuffer.wrap(bytes("HEAD")), 0);
            assertThat(channel.position()).isEqualTo(9);

            ByteBuffer buffer = ByteBuffer.allocate(12).position(3);
            buffer.limit(12);
            FileIo.readFully(channel, buffer, 0);
            assertThat(new String(buffer.array(), 3, 9, StandardCharsets.UTF_8)).isEqualTo("HEAD-tail");
            assertThat(channel.position()).isEqualTo(9);

            assertThatThrownBy(() -> FileIo.readFully(channel, ByteBuffer.allocate(4), 7))
                    .isInstanceOf(EOFException.class)
                    .hasMessage("the file ends before position 11");
        }
    }

    @Test
    void aReasonIsTheExceptionsClassAndMessage() {
        assertThat(FileIo.reason(new NoSuchFileException("/x"))).isEqualTo("NoSuchFileException: /x");
        assertThat(FileIo.reason(new IOException())).isEqualTo("IOException");
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
