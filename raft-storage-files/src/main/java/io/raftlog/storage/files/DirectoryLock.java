package io.raftlog.storage.files;

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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * The exclusive lock on a store's data directory: an OS file lock on {@value #FILE_NAME} in it,
 * which also holds the owner's process id for the error a second opener gets. Two stores writing
 * one directory would interleave their writes; the lock makes the second one fail at open instead.
 * The OS drops the lock when the process dies, so a killed node never leaves a stale lock behind,
 * and a new store can open the directory at once.
 *
 * <p>Take it before anything in the directory is read or cleaned up, and release it last, after
 * every other file of the store is closed, so that no other store opens the directory while this
 * one still has files open in it:
 *
 * <pre>{@code
 * DirectoryLock lock = DirectoryLock.acquire(directory);
 * try {
 *     ... open the store's files ...
 * } catch (RuntimeException e) {
 *     lock.close();
 *     throw e;
 * }
 * }</pre>
 *
 * <p><b>Errors.</b> {@link #acquire} throws {@link StorageException} with a message an operator
 * can act on: the directory is a file, cannot be created, is not writable, or is in use by another
 * process (its pid named, when the file holds one) or by another store in this JVM (the OS lock is
 * per process, so this class's record of the JVM's locks, below, is what finds that one).
 *
 * <p><b>A second attempt in this JVM opens nothing.</b> The OS lock is a POSIX record lock, which
 * belongs to the process, and closing <em>any</em> channel on the file releases it (see
 * {@link FileLock}: "closing a channel releases all locks held by the Java virtual machine on the
 * underlying file"). A refused attempt that opened the file and closed it again would so free the
 * directory for other processes while its holder still writes there. So the locks this JVM holds
 * are known by their file's identity ({@link BasicFileAttributes#fileKey()}), and an attempt on one
 * of them is refused before the file is opened.
 *
 * <p><b>Threads.</b> {@link #acquire} and {@link #close} may be called from any thread; acquiring
 * and releasing are serialized JVM-wide (they are rare). Closing twice is harmless.
 */
public final class DirectoryLock implements AutoCloseable {
    /** The name of the lock file in the directory. */
    public static final String FILE_NAME = "raftlog.lock";

    /** The identities of the lock files this JVM holds; also the monitor of acquire and close. */
    private static final Set<Object> HELD = new HashSet<>();

    private final Path file;
    /** The channel holding the lock; closing it releases the lock. */
    private final FileChannel channel;
    /** The lock file's entry in {@link #HELD}. */
    private final Object key;

    private boolean closed; // guarded by HELD

    private DirectoryLock(Path file, FileChannel channel, Object key) {
        this.file = file;
        this.channel = channel;
        this.key = key;
    }

    /**
     * Creates {@code directory} (and its parents) if it is missing, and locks it.
     *
     * @throws StorageException if it exists but is not a directory, cannot be created or written,
     *     or another store (in this process or another) has it locked
     */
    public static DirectoryLock acquire(Path directory) {
        createDirectory(directory);
        Path file = directory.resolve(FILE_NAME);
        synchronized (HELD) {
            Object held = identity(file);
            if (held != null && HELD.contains(held)) {
                throw inUse(directory, "another store in this JVM");
            }
            DirectoryLock lock = lock(directory, file);
            HELD.add(lock.key);
            return lock;
        }
    }

    /** Opens and locks {@code file}, which no lock of this JVM holds (under {@link #HELD}). */
    private static DirectoryLock lock(Path directory, Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException(
                    "data directory " + directory + " is not writable: cannot create " + FILE_NAME + " ("
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
            Object key = identity(file);
            if (key == null) {
                throw new IOException(file + " vanished while it was being locked");
            }
            return new DirectoryLock(file, channel, key);
        } catch (OverlappingFileLockException sameJvm) {
            // Locked in this JVM by something other than a DirectoryLock (or by one through another
            // name of the file that identity() could not tell apart): closing our channel may free it.
            closeQuietly(channel);
            throw inUse(directory, "another store in this JVM");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("cannot lock data directory " + directory + ": " + FileIo.reason(e), e);
        }
    }

    /**
     * Releases the lock (closing its channel does). The lock file stays: deleting it would let two
     * openers racing for the directory each lock a different file of that name, the unlinked one
     * and a new one.
     *
     * @throws StorageException if the channel cannot be closed
     */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return; // the key may belong to a newer lock on the same file by now
            }
            closed = true;
            HELD.remove(key);
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageException("cannot release the lock on " + file + ": " + FileIo.reason(e), e);
            }
        }
    }

    @Override
    public String toString() {
        return "DirectoryLock[" + file + "]";
    }

    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException notADirectory) {
            throw new StorageException("data directory " + directory + " exists but is not a directory", notADirectory);
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + directory + ": " + FileIo.reason(e), e);
        }
    }

    /**
     * What tells {@code file} apart from every other file, links and other names included (device
     * and inode on Unix), read without opening it; its real path where the platform has no such
     * key; null if there is no such file.
     */
    private static Object identity(Path file) {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : file.toRealPath();
        } catch (IOException noSuchFileOrUnreadable) {
            return null; // nothing of this JVM locks it; opening it says what is wrong, if anything
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

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing with the more useful error
        }
    }
}
