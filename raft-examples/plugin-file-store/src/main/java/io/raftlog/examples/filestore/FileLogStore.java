package io.raftlog.examples.filestore;

import io.raftlog.api.Bytes;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.storage.files.DirectoryLock;
import io.raftlog.storage.files.FileIo;
import io.raftlog.storage.files.HardStateFile;
import io.raftlog.storage.files.SharedReadChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} on plain files, written to be read and copied: the log in one
 * append-only file, the hard state and each metadata record in small files of their own.
 *
 * <p><b>Layout.</b> In the store's directory: {@value #LOG_FILE}, a sequence of operations (see
 * {@link Frames}); {@value #HARD_STATE_FILE}; {@code metadata-<name>} per metadata record; and
 * {@value DirectoryLock#FILE_NAME}, held while the store is open.
 *
 * <p><b>Durability and atomicity.</b> Every mutation of the log is one operation appended to the
 * log file: its frames (entries, or a truncation, a reset, a repaired entry), then
 * {@link FileChannel#force force}, then a commit marker (twice), then force again. At open, an
 * operation without an intact marker is cut off: it is the one a crash interrupted, and its caller
 * never saw it return. The marker is written only once the frames are durable, so an intact marker
 * proves its operation whole, even after a power loss that persisted pages out of order. The hard
 * state and metadata are replaced atomically: a temporary file, force, rename, force of the
 * directory ({@link FileIo#replaceAtomically}); never written in place.
 *
 * <p><b>Integrity.</b> Every entry carries a CRC32C over index, term, type and payload, checked on
 * every read: a mismatch throws {@link io.raftlog.api.CorruptLogException} naming the index, and the
 * node repairs the entry from a peer with {@link #replace}. Damage that hides where later entries
 * lie (a frame header) makes {@link #open} fail with that exception rather than drop them.
 *
 * <p><b>Threads.</b> One mutating thread at a time (the SPI's rule; mutations also serialize on a
 * monitor). Reads may come from any number of threads: the node's event loop, its storage writer,
 * and application threads reading committed records. A mutation does its I/O without blocking
 * them, then publishes the new shape of the log under a write lock, so a read sees the log before
 * or after it, never a mix. An interrupted reader or writer does not break the store for the others
 * (see {@link SharedReadChannel}). {@link #close} waits for running reads and mutations.
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException} and change nothing.
 * I/O failures throw {@link StorageException} naming the directory; the log is then unchanged, and
 * the call may be retried. Calls after {@link #close} throw {@link IllegalStateException}.
 *
 * <p><b>Limits</b> (it is an example): the positions and terms of all entries are kept in memory
 * (20 bytes an entry); open reads every frame header; truncated entries take disk space until dead
 * bytes outgrow live ones and the file is rewritten, on the writer's thread, which then waits; each
 * mutation costs two fsyncs; the platform must rename atomically and sync directories (Linux,
 * macOS — not Windows).
 */
public final class FileLogStore implements LogStore {
    static final String LOG_FILE = "log";
    static final String REWRITE_FILE = "log.rewrite";
    static final String HARD_STATE_FILE = "hard-state";
    static final String METADATA_PREFIX = "metadata-";
    /** Dead bytes kept before a rewrite is considered (it also needs more dead than live bytes). */
    static final long DEFAULT_REWRITE_AFTER_DEAD_BYTES = 64L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileLogStore.class);

    private final Path directory;
    private final String location;
    private final DirectoryLock lock;
    /** Held by every mutation and by close: one at a time, and the fields marked "writer's" visible to the next. */
    private final Object writer = new Object();
    /** Guards {@link #index} (and the read channel's switch): reads share it, publishing takes it alone. */
    private final ReentrantReadWriteLock shape = new ReentrantReadWriteLock();

    private final EntryIndex index;
    private final SharedReadChannel reads;
    private final LogFile file; // writer's
    private volatile HardState hardState;
    private volatile boolean closed;

    private FileLogStore(
            Path directory, DirectoryLock lock, HardState hardState, LogFile file, SharedReadChannel reads) {
        this.directory = directory;
        this.location = directory.toString();
        this.lock = lock;
        this.hardState = hardState;
        this.file = file;
        this.index = file.index();
        this.reads = reads;
    }

    /**
     * Opens the store in {@code directory}, creating the directory and an empty store if needed.
     *
     * @throws StorageException if the directory is a file, cannot be created, read or written, or
     *     another store (in this process or another) has it open
     * @throws io.raftlog.api.CorruptLogException if the log file is damaged where later entries
     *     would be lost by ignoring it
     */
    public static FileLogStore open(Path directory) {
        return open(directory, DEFAULT_REWRITE_AFTER_DEAD_BYTES);
    }

    /** As {@link #open(Path)}, rewriting the log file once it holds {@code rewriteAfterDeadBytes} of dead bytes. */
    static FileLogStore open(Path directory, long rewriteAfterDeadBytes) {
        Path absolute = directory.toAbsolutePath();
        DirectoryLock lock = DirectoryLock.acquire(absolute);
        try {
            return FileIo.uninterruptibly(() -> {
                FileIo.deleteTemporaryFiles(absolute, REWRITE_FILE);
                HardState saved = HardStateFile.read(absolute, HARD_STATE_FILE);
                LogFile opened = LogFile.open(absolute, LOG_FILE, REWRITE_FILE, rewriteAfterDeadBytes);
                try {
                    FileLogStore store = new FileLogStore(
                            absolute, lock, saved, opened, new SharedReadChannel(absolute.resolve(LOG_FILE)));
                    LOG.info(
                            "file log store in {} opened: entries {}..{}{}",
                            absolute,
                            opened.index().firstIndex(),
                            opened.index().lastIndex(),
                            opened.discardedBytes() == 0
                                    ? ""
                                    : ", " + opened.discardedBytes() + " bytes of an unfinished write discarded");
                    return store;
                } catch (IOException | RuntimeException e) {
                    opened.closeQuietly();
                    throw e;
                }
            });
        } catch (IOException e) {
            closeQuietly(lock);
            throw new StorageException("cannot open the log store in " + absolute + ": " + FileIo.reason(e), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** The store's directory, as error messages name it. */
    public Path directory() {
        return directory;
    }

    // ---- hard state and metadata: small files, replaced atomically ----------------------------

    @Override
    public HardState hardState() {
        checkOpen();
        return hardState;
    }

    @Override
    public void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        synchronized (writer) {
            checkOpen();
            io("saving hard state " + state, () -> HardStateFile.write(directory, HARD_STATE_FILE, state));
            hardState = state;
        }
    }

    @Override
    public Optional<Bytes> metadata(String name) {
        LogStore.checkMetadata(name, null);
        checkOpen();
        return io("reading metadata '" + name + "'", () -> FileIo.readChecked(directory, METADATA_PREFIX + name))
                .map(Bytes::wrap);
    }

    @Override
    public void saveMetadata(String name, Bytes value) {
        Objects.requireNonNull(value, "value");
        LogStore.checkMetadata(name, value);
        byte[] body = value.toByteArray();
        synchronized (writer) {
            checkOpen();
            io(
                    "saving metadata '" + name + "'",
                    () -> FileIo.replaceAtomically(directory, METADATA_PREFIX + name, body));
        }
    }

    // ---- the log's shape: from memory ---------------------------------------------------------

    @Override
    public long firstIndex() {
        return underReadLock(index::firstIndex);
    }

    @Override
    public long lastIndex() {
        return underReadLock(index::lastIndex);
    }

    @Override
    public long term(long entryIndex) {
        return underReadLock(() -> index.term(entryIndex));
    }

    // ---- mutations: one operation each --------------------------------------------------------

    @Override
    public void append(List<LogEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        synchronized (writer) {
            checkOpen();
            index.checkAppend(entries); // the writer is the only thread that changes the index
            if (entries.isEmpty()) {
                return;
            }
            LogEntry last = entries.get(entries.size() - 1);
            commit(
                    "appending entries " + entries.get(0).index() + ".." + last.index(),
                    LogFile.Operation.entries(Frames.ENTRY, entries),
                    last.index(),
                    last.term());
        }
    }

    @Override
    public void replace(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        synchronized (writer) {
            checkOpen();
            index.checkReplace(entry);
            commit(
                    "repairing entry " + entry.index(),
                    LogFile.Operation.entries(Frames.REPLACE, List.of(entry)),
                    index.lastIndex(),
                    index.lastTerm());
            LOG.info("entry {} in {} repaired", entry.index(), location);
            rewriteIfWorthIt();
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        synchronized (writer) {
            checkOpen();
            index.checkBoundary("truncateSuffix", fromIndex);
            if (fromIndex == index.lastIndex() + 1) {
                return;
            }
            commit(
                    "truncating the log from index " + fromIndex,
                    LogFile.Operation.control(Frames.TRUNCATE_SUFFIX, fromIndex, 0),
                    fromIndex - 1,
                    index.term(fromIndex - 1));
            rewriteIfWorthIt();
        }
    }

    @Override
    public void truncatePrefix(long toIndex) {
        synchronized (writer) {
            checkOpen();
            index.checkBoundary("truncatePrefix", toIndex);
            if (toIndex == index.firstIndex()) {
                return;
            }
            commit(
                    "truncating the log before index " + toIndex,
                    LogFile.Operation.control(Frames.TRUNCATE_PREFIX, toIndex, index.term(toIndex - 1)),
                    index.lastIndex(),
                    index.lastTerm());
            rewriteIfWorthIt();
        }
    }

    @Override
    public void reset(long resetIndex, long resetTerm) {
        LogStore.checkReset(resetIndex, resetTerm);
        synchronized (writer) {
            checkOpen();
            commit(
                    "resetting the log to start after index " + resetIndex,
                    LogFile.Operation.control(Frames.RESET, resetIndex, resetTerm),
                    resetIndex,
                    resetTerm);
            rewriteIfWorthIt();
        }
    }

    /** Makes {@code operation} durable (the slow part, no lock held), then publishes it. */
    private void commit(String what, LogFile.Operation operation, long lastIndexAfter, long lastTermAfter) {
        LogFile.Written written = io(what, () -> file.write(operation, lastIndexAfter, lastTermAfter));
        shape.writeLock().lock();
        try {
            written.applyTo(index);
        } finally {
            shape.writeLock().unlock();
        }
    }

    /** Rewrites the log file if truncated entries take more room than the present ones. */
    private void rewriteIfWorthIt() {
        if (!file.worthRewriting()) {
            return;
        }
        try {
            FileIo.uninterruptibly(() -> {
                file.rewrite(reads, action -> {
                    shape.writeLock().lock();
                    try {
                        action.run();
                    } finally {
                        shape.writeLock().unlock();
                    }
                });
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // The log is intact either way: the old file is in use until the rename, the new one after.
            LOG.warn(
                    "rewriting the log file in {} failed, trying again once more bytes are dead: {}",
                    location,
                    FileIo.reason(e));
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "maxEntries and maxBytes must be positive, were " + maxEntries + " and " + maxBytes);
        }
        shape.readLock().lock();
        try {
            checkOpen();
            index.checkBoundary("read", fromIndex);
            return io(
                    "reading entries from index " + fromIndex,
                    () -> EntryReads.read(index, reads, location, fromIndex, maxEntries, maxBytes));
        } finally {
            shape.readLock().unlock();
        }
    }

    // ---- closing ------------------------------------------------------------------------------

    /** Waits for running mutations and reads, then closes the files and releases the directory lock. */
    @Override
    public void close() {
        synchronized (writer) {
            shape.writeLock().lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
            } finally {
                shape.writeLock().unlock();
            }
            // try-with-resources closes reads, then file, then lock, each even if one before failed;
            // the lock last, so that no other store opens the directory while files are still open.
            try (lock;
                    file;
                    reads) {
                // nothing to do but close them
            } catch (IOException e) {
                throw new StorageException("closing the log store in " + location + ": " + FileIo.reason(e), e);
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private long underReadLock(LongSupplier read) {
        shape.readLock().lock();
        try {
            checkOpen();
            return read.getAsLong();
        } finally {
            shape.readLock().unlock();
        }
    }

    /** Runs file I/O with the interrupt put aside; an {@link IOException} becomes a {@link StorageException}. */
    private <T> T io(String what, FileIo.Action<T> action) {
        try {
            return FileIo.uninterruptibly(action);
        } catch (IOException e) {
            throw new StorageException(what + " in " + location + " failed: " + FileIo.reason(e), e);
        }
    }

    private void io(String what, FileIo.VoidAction action) {
        io(what, () -> {
            action.run();
            return null;
        });
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the log store in " + location + " is closed");
        }
    }

    private static void closeQuietly(DirectoryLock lock) {
        try {
            lock.close();
        } catch (StorageException ignored) {
            // already failing with a more useful error
        }
    }
}
