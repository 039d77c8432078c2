package io.raftlog.storage.lmdb;

import io.raftlog.api.StorageException;
import io.raftlog.storage.files.DirectoryLock;
import java.io.IOException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LMDB environment of one data directory with its two databases ({@code entries},
 * {@code meta}), and the rules for using it safely from many threads.
 *
 * <p><b>Transactions and map growth.</b> Every transaction, read or write, runs under the read side
 * of a read-write lock. When a write finds the map full, its transaction is aborted, the write side
 * is taken (so no transaction of this process is open, as {@code mdb_env_set_mapsize} requires),
 * the map grows, and the write is retried from the start. The environment uses {@code MDB_NOTLS},
 * so read transactions are not tied to threads.
 *
 * <p><b>Errors.</b> LMDB failures become {@link StorageException}s naming the operation, the
 * directory and the cause (a full disk, a read-only file system…); a failed write transaction is
 * aborted, so nothing of it is visible.
 */
final class LmdbEnvironment implements AutoCloseable {
    /** Runs inside a transaction. */
    interface TxnBody<T> {
        T apply(Txn<ByteBuffer> txn);
    }

    static final String ADD_OPENS =
            "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";
    private static final Logger LOG = LoggerFactory.getLogger(LmdbEnvironment.class);
    private static final long MAX_GROWTH_STEP_BYTES = 1L << 30;
    private static final int ENOSPC = 28;
    private static final int EROFS = 30;
    private static final int EACCES = 13;
    private static final int EIO = 5;
    private static final long LOW_SPACE_BYTES = 16L << 20;

    final Dbi<ByteBuffer> entries;
    final Dbi<ByteBuffer> meta;
    private final Env<ByteBuffer> env;
    private final DirectoryLock directoryLock;
    private final String location;
    private final long maxMapSizeBytes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long mapSizeBytes;
    private volatile boolean closed;

    private LmdbEnvironment(Env<ByteBuffer> env, DirectoryLock directoryLock, String location, long maxMapSizeBytes) {
        this.env = env;
        this.directoryLock = directoryLock;
        this.location = location;
        this.maxMapSizeBytes = maxMapSizeBytes;
        this.mapSizeBytes = env.info().mapSize;
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            this.entries = env.openDbi(
                    txn,
                    "entries".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    null,
                    false,
                    DbiFlags.MDB_CREATE);
            this.meta = env.openDbi(
                    txn, "meta".getBytes(java.nio.charset.StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
            txn.commit();
        }
    }

    /**
     * Locks {@code config.directory()} (creating it if needed) and opens LMDB in it.
     *
     * @throws StorageException if the directory cannot be created, written or locked, or LMDB fails
     * @throws IllegalStateException if the JVM lacks the {@code --add-opens} flags lmdbjava needs
     */
    static LmdbEnvironment open(LmdbStoreConfig config) {
        checkJvmFlags();
        LmdbNativeLibrary.install(); // before lmdbjava's classes initialise and extract their own copy
        Path directory = config.directory().toAbsolutePath();
        String location = directory.toString();
        DirectoryLock directoryLock = DirectoryLock.acquire(directory);
        Env<ByteBuffer> env = null;
        try {
            refuseSegmentStore(directory);
            EnvFlags[] flags = config.syncMode() == SyncMode.SYNC
                    ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
                    : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
            env = Env.create(ByteBufferProxy.PROXY_OPTIMAL)
                    .setMapSize(config.initialMapSizeBytes())
                    .setMaxDbs(2)
                    .setMaxReaders(config.maxReaders())
                    .open(directory.toFile(), flags);
            return new LmdbEnvironment(env, directoryLock, location, config.maxMapSizeBytes());
        } catch (LmdbException e) {
            closeAfterFailure(env, directoryLock);
            throw new StorageException("cannot open the LMDB environment in " + location + ": " + describe(e), e);
        } catch (RuntimeException | Error e) {
            closeAfterFailure(env, directoryLock);
            throw e;
        }
    }

    /**
     * Refuses a directory that holds raftlog's segment store (its {@code hard-state} file): LMDB
     * would create an empty environment beside it, and the node would look like one that lost its
     * data.
     */
    private static void refuseSegmentStore(Path directory) {
        if (java.nio.file.Files.exists(directory.resolve("hard-state"))) {
            throw new StorageException("data directory " + directory
                    + " holds a segment store (raft-storage-segment), not an LMDB one: open it with"
                    + " SegmentStorageModule (raftlog node --store segment), or give LMDB another directory");
        }
    }

    /** Where the data lives, for messages. */
    String location() {
        return location;
    }

    /**
     * Runs {@code body} in a write transaction and commits it (durably, unless opened with
     * {@link SyncMode#NO_SYNC}); grows the map and retries if it is full.
     */
    <T> T write(Supplier<String> operation, TxnBody<T> body) {
        while (true) {
            lock.readLock().lock();
            try {
                checkOpen();
                try (Txn<ByteBuffer> txn = env.txnWrite()) {
                    T result = body.apply(txn);
                    txn.commit();
                    return result;
                }
            } catch (Env.MapFullException e) {
                // fall through: grow without holding the read side, then retry
            } catch (LmdbException e) {
                throw failure(operation.get(), e, "nothing of it was written");
            } finally {
                lock.readLock().unlock();
            }
            growMap(operation.get());
        }
    }

    /** Runs {@code body} in a read transaction, concurrently with other readers and the writer. */
    <T> T read(String operation, TxnBody<T> body) {
        lock.readLock().lock();
        try {
            checkOpen();
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                return body.apply(txn);
            }
        } catch (LmdbException e) {
            throw failure(operation, e, "no data was returned");
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The current map size in bytes. */
    long mapSizeBytes() {
        lock.readLock().lock();
        try {
            return mapSizeBytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store in " + location + " is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Waits for running transactions, then closes LMDB and releases the directory lock. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                env.close();
            } finally {
                directoryLock.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void growMap(String operation) {
        lock.writeLock().lock();
        try {
            checkOpen();
            long next = Math.min(maxMapSizeBytes, mapSizeBytes + Math.min(mapSizeBytes, MAX_GROWTH_STEP_BYTES));
            if (next <= mapSizeBytes) {
                throw new StorageException(operation + " failed in " + location + ": the LMDB map is full at its"
                        + " maximum size of " + maxMapSizeBytes + " bytes (maxMapSizeBytes); raise the limit or"
                        + " truncate the log's prefix; nothing of it was written");
            }
            env.setMapSize(next);
            LOG.info("LMDB map in {} grown from {} to {} bytes", location, mapSizeBytes, next);
            mapSizeBytes = next;
        } catch (LmdbException e) {
            throw failure("growing the LMDB map for " + operation, e, "nothing of it was written");
        } finally {
            lock.writeLock().unlock();
        }
    }

    private StorageException failure(String operation, LmdbException e, String consequence) {
        String cause = isWriteError(e) && freeBytes() < LOW_SPACE_BYTES
                ? "no space left on device (the disk is full: " + freeBytes() + " bytes free): " + e.getMessage()
                : describe(e);
        return new StorageException(operation + " failed in " + location + ": " + cause + "; " + consequence, e);
    }

    /** LMDB reports a short write (what a full disk often causes) as EIO, a refused one as ENOSPC. */
    private static boolean isWriteError(LmdbException e) {
        return e instanceof LmdbNativeException nativeError
                && (nativeError.getResultCode() == EIO || nativeError.getResultCode() == ENOSPC);
    }

    private long freeBytes() {
        try {
            return Files.getFileStore(Path.of(location)).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    static String describe(LmdbException e) {
        if (e instanceof LmdbNativeException nativeError) {
            switch (nativeError.getResultCode()) {
                case ENOSPC:
                    return "no space left on device (the disk is full): " + e.getMessage();
                case EROFS:
                    return "read-only file system: " + e.getMessage();
                case EACCES:
                    return "permission denied: " + e.getMessage();
                case EIO:
                    return "I/O error: " + e.getMessage();
                default:
                    break;
            }
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Fails clearly, instead of with lmdbjava's reflection error, when the flags are missing. */
    static void checkJvmFlags() {
        Module unnamed = LmdbEnvironment.class.getModule();
        Module base = Buffer.class.getModule();
        if (!base.isOpen("java.nio", unnamed) || !base.isOpen("sun.nio.ch", unnamed)) {
            throw new IllegalStateException("lmdbjava needs the JVM flags " + ADD_OPENS
                    + " (add them to the java command line, or an Add-Opens line to the jar manifest)");
        }
    }

    private static void closeAfterFailure(Env<ByteBuffer> env, DirectoryLock directoryLock) {
        try {
            if (env != null) {
                env.close();
            }
        } finally {
            directoryLock.close();
        }
    }
}
