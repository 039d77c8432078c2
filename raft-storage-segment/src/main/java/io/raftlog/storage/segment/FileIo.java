package io.raftlog.storage.segment;

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
 * The file operations the store is built from: small files replaced atomically, directory syncs,
 * and I/O that an interrupt of the calling thread cannot break.
 */
final class FileIo {
    /**
     * The suffix of the files {@link #replaceAtomically} writes before renaming them. Its '~' is in
     * no metadata name ({@code [a-z0-9._-]}), so no record's file can be taken for a leftover
     * temporary: with ".tmp", open would delete the record of the valid name {@code x.tmp}
     * ({@code metadata-x.tmp}), and saving {@code x} would write over it.
     */
    static final String TEMPORARY_SUFFIX = "~tmp";

    /** File I/O to run with the interrupt put aside. */
    interface Action<T> {
        T run() throws IOException;
    }

    /** File I/O without a result. */
    interface VoidAction {
        void run() throws IOException;
    }

    private FileIo() {}

    /**
     * Runs {@code action} with the calling thread's interrupt cleared, and sets it again afterwards.
     * An interrupted thread would otherwise close every {@link FileChannel} it touches (see
     * {@link SharedReadChannel}); a store that failed its writer because somebody interrupted it
     * would stall the node, and one that swallowed the interrupt would hide it from its owner.
     */
    static <T> T uninterruptibly(Action<T> action) throws IOException {
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
    static void replaceAtomically(Path directory, String name, byte[] body) throws IOException {
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
    static Optional<byte[]> readChecked(Path directory, String name) throws IOException {
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
     * {@link #replaceAtomically} and the file named {@code alsoName}.
     */
    static void deleteTemporaryFiles(Path directory, String alsoName) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if ((name.endsWith(TEMPORARY_SUFFIX) || name.equals(alsoName)) && Files.isRegularFile(file)) {
                    Files.delete(file);
                }
            }
        }
    }

    /** Makes the creation, rename or removal of files in {@code directory} durable. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Fills the remaining space of {@code buffer} from {@code position} of the file. */
    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int start = buffer.position();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position() - start) < 0) {
                throw new EOFException("the file ends before position " + (position + buffer.limit() - start));
            }
        }
    }

    /** Writes every remaining byte of {@code buffer} at {@code position}. */
    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** An exception's class and message, for error messages. */
    static String reason(Exception e) {
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
