package io.raftlog.storage.lmdb;

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
 * The exclusive lock on a data directory: an OS file lock on {@value #FILE_NAME}, which also holds
 * the owner's process id for the error a second opener gets. The OS releases it when the process
 * dies, so a killed node never leaves a stale lock behind.
 */
final class DirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "raftlog.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} if needed and locks it.
     *
     * @throws StorageException if the directory cannot be created or written, or is in use
     */
    static DirectoryLock acquire(Path directory) {
        createDirectory(directory);
        Path file = directory.resolve(FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException(
                    "data directory " + directory + " is not writable: cannot create " + FILE_NAME + " (" + reason(e)
                            + ")",
                    e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String owner = readOwner(channel);
                channel.close();
                throw inUse(directory, "another process" + (owner.isEmpty() ? "" : " (pid " + owner + ")"));
            }
            channel.truncate(0)
                    .write(
                            ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                            0);
            return new DirectoryLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw inUse(directory, "another store in this JVM");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("cannot lock data directory " + directory + ": " + reason(e), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot release the lock on " + FILE_NAME + ": " + reason(e), e);
        }
    }

    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException("data directory " + directory + " exists but is not a directory", e);
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + directory + ": " + reason(e), e);
        }
    }

    private static String readOwner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    }

    private static StorageException inUse(Path directory, String owner) {
        return new StorageException("data directory " + directory + " is in use by " + owner
                + "; a data directory can be opened by only one store at a time");
    }

    static String reason(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing with a more useful error
        }
    }
}
