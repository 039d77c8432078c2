package io.raftlog.storage.segment;

import io.raftlog.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on a store's directory: an OS lock on the file {@value #FILE_NAME}, which also
 * holds the owner's process id for the error a second opener gets. Two stores writing one log would
 * interleave their frames; the lock makes the second one fail at open instead. The OS drops the lock
 * when the process dies, so a killed node leaves none behind.
 */
final class DirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "raftlog.lock";

    /** The channel holding the lock; closing it releases the lock. */
    private final FileChannel channel;

    private DirectoryLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Creates {@code directory} if it is missing, and locks it.
     *
     * @throws StorageException if it is a file, cannot be created or written, or another store has it
     */
    static DirectoryLock acquire(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException notADirectory) {
            throw new StorageException(
                    "store directory " + directory + " exists but is not a directory", notADirectory);
        } catch (IOException e) {
            throw new StorageException("cannot create store directory " + directory + ": " + FileIo.reason(e), e);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    directory.resolve(FILE_NAME),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException(
                    "store directory " + directory + " is not writable: cannot create " + FILE_NAME + " ("
                            + FileIo.reason(e) + ")",
                    e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String owner = readOwner(channel);
                channel.close();
                throw inUse(directory, "another process" + (owner.isEmpty() ? "" : " (pid " + owner + ")"));
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0).write(ByteBuffer.wrap(pid), 0);
            return new DirectoryLock(channel);
        } catch (OverlappingFileLockException sameJvm) {
            closeQuietly(channel);
            throw inUse(directory, "another store in this JVM");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("cannot lock store directory " + directory + ": " + FileIo.reason(e), e);
        }
    }

    /** Releases the lock (closing the channel does). */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static String readOwner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    }

    private static StorageException inUse(Path directory, String owner) {
        return new StorageException("store directory " + directory + " is in use by " + owner
                + "; only one store at a time may open a directory");
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing with the more useful error
        }
    }
}
