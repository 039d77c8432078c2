package io.raftlog.storage.files;

import io.raftlog.api.StorageException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The file operations a store on plain files is built from: small files replaced atomically and
 * read back checked, directory syncs, positional and gathering I/O that loops until every byte is
 * moved, and I/O that an interrupt of the calling thread cannot break.
 *
 * <p><b>Small files.</b> {@link #replaceAtomically} stores a body as {@code CRC32C (4 bytes) |
 * length (4 bytes) | body}, the checksum over the length and the body; {@link #readChecked} refuses
 * a file that fails it. A crash leaves the old content or the new, and at most a leftover
 * temporary file ({@link #TEMPORARY_SUFFIX}), which {@link #deleteTemporaryFiles} removes at the
 * next open.
 *
 * <p><b>Errors and threads.</b> The methods throw the {@link IOException} of the failing call (a
 * store turns it into a {@link StorageException} naming what it was doing; {@link #reason} words
 * the cause), except {@link #readChecked}, which throws {@link StorageException} for a damaged
 * file. They keep no state: any thread may call them, on files it alone writes.
 */
public final class FileIo {
    /**
     * The suffix of the files {@link #replaceAtomically} writes before renaming them. Choose file
     * names without '~' (a store's names of {@code [a-z0-9._-]} qualify), so no file of the store can
     * be taken for a leftover temporary: with ".tmp", open would delete the metadata record of the
     * valid name {@code x.tmp} ({@code metadata-x.tmp}), and saving {@code x} would write over it.
     */
    public static final String TEMPORARY_SUFFIX = "~tmp";

    /** File I/O to run with the interrupt put aside. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    /** File I/O without a result. */
    @FunctionalInterface
    public interface VoidAction {
        void run() throws IOException;
    }

    private FileIo() {}

    /**
     * Runs {@code action} with the calling thread's interrupt cleared, and sets it again afterwards.
     * An interrupted thread would otherwise close every {@link FileChannel} it touches (see
     * {@link SharedReadChannel}); a store that failed its writer because somebody interrupted it
     * would stall the node, and one that swallowed the interrupt would hide it from its owner.
     */
    public static <T> T uninterruptibly(Action<T> action) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            return action.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Replaces {@code directory/name} with {@code body} (and a checksum) so that a crash at any
     * moment leaves the old content or the new, never a mix: write a temporary file, force it,
     * rename it over the old one (atomic on POSIX file systems), force the directory so the rename
     * itself is durable. Never written in place: a torn write would destroy the old value too.
     */
    public static void replaceAtomically(Path directory, String name, byte[] body) throws IOException {
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + TEMPORARY_SUFFIX);
        ByteBuffer content = ByteBuffer.allocate(8 + body.length);
        content.putInt(4, body.length).put(8, body).putInt(0, checksum(content));
        try (FileChannel channel = FileChannel.open(
                temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (content.hasRemaining()) {
                channel.write(content);
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(directory);
    }

    /**
     * The body {@link #replaceAtomically} saved under {@code name}, or empty if there is none.
     *
     * @throws StorageException if the file fails its checksum
     */
    public static Optional<byte[]> readChecked(Path directory, String name) throws IOException {
        Path file = directory.resolve(name);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            return Optional.empty();
        }
        ByteBuffer content = ByteBuffer.wrap(bytes);
        if (bytes.length < 8 || content.getInt(4) != bytes.length - 8 || content.getInt(0) != checksum(content)) {
            throw new StorageException(file + " fails its CRC32C check: it is damaged (" + bytes.length + " bytes)");
        }
        byte[] body = new byte[bytes.length - 8];
        content.get(8, body);
        return Optional.of(body);
    }

    /**
     * Deletes what writes a crash interrupted left in {@code directory}: the temporary files of
     * {@link #replaceAtomically} and the file named {@code alsoName} (a store's own temporary file;
     * {@code ""} for none). Directories are left alone. Call it at open, under the
     * {@link DirectoryLock}, before anything reads the directory.
     */
    public static void deleteTemporaryFiles(Path directory, String alsoName) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if ((name.endsWith(TEMPORARY_SUFFIX) || name.equals(alsoName)) && Files.isRegularFile(file)) {
                    Files.delete(file);
                }
            }
        }
    }

    /**
     * Makes the creation, rename or removal of files in {@code directory} durable: until the
     * directory itself is forced, a power loss may undo them even though the files' contents were
     * forced.
     */
    public static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Writes every remaining byte of {@code buffers} at the channel's position (only the writer moves it). */
    public static void writeFully(FileChannel channel, ByteBuffer[] buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            remaining += buffer.remaining();
        }
        while (remaining > 0) {
            remaining -= channel.write(buffers);
        }
    }

    /**
     * Fills the remaining space of {@code buffer} from {@code position} of the file, without moving
     * the channel's position.
     *
     * @throws java.io.EOFException if the file ends first
     */
    public static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int start = buffer.position();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position() - start) < 0) {
                throw new EOFException("the file ends before position " + (position + buffer.limit() - start));
            }
        }
    }

    /** Writes every remaining byte of {@code buffer} at {@code position}, without moving the channel's position. */
    public static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** An exception's class and message ({@code "NoSuchFileException: /x"}), for error messages. */
    public static String reason(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** CRC32C of the bytes from 4 on: the length and the body. */
    private static int checksum(ByteBuffer content) {
        CRC32C crc = new CRC32C();
        crc.update(content.duplicate().position(4));
        return (int) crc.getValue();
    }
}
