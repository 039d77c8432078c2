package io.raftlog.storage.segment;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} on plain segment files whose every mutation of the log costs one
 * {@code fdatasync} ({@link java.nio.channels.FileChannel#force force(false)}): LMDB needs two per
 * commit (data pages, then the meta page), the commit path of every node syncs every batch.
 *
 * <p><b>Layout.</b> In the store's directory: {@code segment-<20-digit sequence>.log}, each a
 * sequence of records ({@link Records}), started by a new segment once the current one passes
 * {@link SegmentStoreConfig#segmentBytes()}; {@value #HARD_STATE_FILE}; {@code metadata-<name>} per
 * metadata record; and {@value DirectoryLock#FILE_NAME}, held while the store is open. Segments are
 * numbered by sequence, not by first index: truncations and resets move the log's indexes back, its
 * files only forward.
 *
 * <p><b>One record per call, one force per record.</b> Every mutation of the log appends one record
 * to the last segment and forces the file once: no commit marker, no second sync. At open
 * ({@link SegmentRecovery}) the records are replayed in order; a last record that is short or fails
 * a checksum is the write a crash interrupted (its force never returned) and is cut off. A bad
 * record anywhere else is damage to data that was durable: open fails with a
 * {@link io.raftlog.api.CorruptLogException} naming the first index it would lose. <b>A damaged last
 * record cannot be told from a torn one and is dropped</b>, like the write a crash interrupted;
 * {@link #close()} ends the last segment with a CLOSE record, so after a clean close that cannot
 * happen. How each call stays all-or-nothing:
 *
 * <ul>
 *   <li>{@link #append}: a BATCH record of all its entries, under one header checksum and a
 *       checksum per entry; torn, it is cut off whole.
 *   <li>{@link #truncateSuffix}: a TRUNCATE_SUFFIX record; the entries stay in the files, dead, and
 *       the replay drops them. Nothing is rewritten, so a crash leaves the record or not.
 *   <li>{@link #truncatePrefix}: a TRUNCATE_PREFIX record (with the term before the new start);
 *       then, once it is durable, whole segments holding no present entry are deleted, oldest first.
 *       Each segment starts with a START record of the log's shape at that moment, so the replay of
 *       what remains needs none of the deleted files; a deletion a crash undoes replays harmlessly.
 *   <li>{@link #reset}: a new segment of a START and a RESET record, its file and the directory
 *       forced; then every older segment is deleted. Until the new file is durable it is torn, or
 *       absent, and the old log stands.
 *   <li>{@link #replace}: a REPLACE record holding the intact entry, which supersedes the stored
 *       copy at replay; reads go to it. Never a rewrite in place.
 *   <li>{@link #saveHardState}, {@link #saveMetadata}: a small file each, replaced atomically
 *       (temporary file, force, rename, force of the directory: {@link FileIo#replaceAtomically}).
 * </ul>
 *
 * <p>A new segment (a full one rolled over, or a reset) also costs a force of the directory, so the
 * new name is durable before the call returns. The last segment is filled with zeros a megabyte
 * ahead of its records, so that the one force of an append writes the record's pages and rarely the
 * file's size too (an append to a growing file costs about a third more on ext4); zeros after the
 * last record replay as the end of the segment, and {@link #close()} cuts them off.
 *
 * <p><b>Integrity.</b> Entries carry a CRC32C over their index, term, type, length and payload,
 * checked on every read: a mismatch throws {@link io.raftlog.api.CorruptLogException} naming the
 * index, and the node repairs the entry from a peer with {@link #replace}.
 *
 * <p><b>Threads.</b> One mutating thread at a time (the SPI's rule; mutations also serialize on a
 * monitor). Reads may come from any number of threads, with positional reads on one channel per
 * segment that an interrupt cannot break ({@link SharedReadChannel}). A mutation does its I/O
 * without blocking them, then publishes the new shape of the log under a write lock, so a read sees
 * the log before or after it, never a mix. {@link #close} waits for running reads and mutations.
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException} and change nothing.
 * I/O failures throw {@link StorageException} naming the directory; the log is then unchanged (the
 * bytes of the failed write are cut off, at once or before the next write) and the call may be
 * retried. Calls after {@link #close} throw {@link IllegalStateException}. A second store on the same
 * directory fails to open with a {@link StorageException}.
 *
 * <p><b>Limits.</b> The position, length and term of every present entry are kept in memory (20
 * bytes an entry); open reads every record header; truncated and repaired entries take disk space
 * until their segment is deleted; the platform must rename atomically and sync directories (Linux,
 * macOS — not Windows).
 */
public final class SegmentLogStore implements LogStore {
    static final String HARD_STATE_FILE = "hard-state";
    static final String METADATA_PREFIX = "metadata-";

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStore.class);

    private final Path directory;
    private final String location;
    private final DirectoryLock lock;
    /** Held by every mutation and by close: one at a time. */
    private final Object writer = new Object();
    /** The writer's: encodes entry records into one reused buffer. */
    private final Records.Encoder encoder = new Records.Encoder();
    /** Guards {@link #index} and the list of segments: reads share it, publishing takes it alone. */
    private final ReentrantReadWriteLock shape = new ReentrantReadWriteLock();

    private final EntryIndex index;
    /**
     * The index's bounds as last published, read without the lock: a node's loop asks for them
     * every tick and must not wait behind a writer or a slow read.
     */
    private volatile long firstIndex;

    private volatile long lastIndex;
    private final SegmentFiles files;
    private volatile HardState hardState;
    private volatile boolean closed;

    private SegmentLogStore(
            Path directory, DirectoryLock lock, HardState hardState, EntryIndex index, SegmentFiles files) {
        this.directory = directory;
        this.location = directory.toString();
        this.lock = lock;
        this.hardState = hardState;
        this.index = index;
        this.files = files;
        this.firstIndex = index.firstIndex();
        this.lastIndex = index.lastIndex();
    }

    /** Opens the store in {@code directory} with default settings; see {@link #open(SegmentStoreConfig)}. */
    public static SegmentLogStore open(Path directory) {
        return open(SegmentStoreConfig.of(directory));
    }

    /**
     * Opens the store {@code config} describes, creating the directory and an empty store if needed.
     *
     * @throws StorageException if the directory is a file, cannot be created, read or written, or
     *     another store (in this process or another) has it open
     * @throws io.raftlog.api.CorruptLogException if a segment is damaged where later entries would
     *     be lost by ignoring it, or missing
     */
    public static SegmentLogStore open(SegmentStoreConfig config) {
        Path absolute = config.directory().toAbsolutePath();
        DirectoryLock lock = DirectoryLock.acquire(absolute);
        try {
            if (java.nio.file.Files.exists(absolute.resolve("data.mdb"))) {
                // An empty segment store beside it would make the node look like one that lost its data.
                throw new StorageException("data directory " + absolute
                        + " holds an LMDB store (data.mdb), not a segment store: open it with"
                        + " LmdbStorageModule (raftlog node --store lmdb), or give the segment store another"
                        + " directory");
            }
            return FileIo.uninterruptibly(() -> {
                FileIo.deleteTemporaryFiles(absolute, "");
                HardState saved = HardStateFile.read(absolute, HARD_STATE_FILE);
                SegmentRecovery.Result recovered = SegmentRecovery.recover(absolute);
                List<SegmentFiles.Segment> segments = new ArrayList<>();
                try {
                    for (int i = 0; i < recovered.segments().size(); i++) {
                        Path path = recovered.segments().get(i);
                        segments.add(new SegmentFiles.Segment(
                                recovered.sequences().get(i), path, new SharedReadChannel(path)));
                    }
                    SegmentFiles files = new SegmentFiles(absolute, config.segmentBytes(), segments, recovered.end());
                    SegmentLogStore store = new SegmentLogStore(absolute, lock, saved, recovered.index(), files);
                    store.deleteDeadSegments();
                    LOG.info(
                            "segment log store in {} opened: entries {}..{} in {} segment(s){}",
                            absolute,
                            recovered.index().firstIndex(),
                            recovered.index().lastIndex(),
                            segments.size(),
                            recovered.discardedBytes() == 0
                                    ? ""
                                    : ", " + recovered.discardedBytes() + " bytes of an unfinished write discarded");
                    return store;
                } catch (IOException | RuntimeException e) {
                    for (SegmentFiles.Segment segment : segments) {
                        try {
                            segment.reads().close();
                        } catch (IOException ignored) {
                            // already failing
                        }
                    }
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
        checkOpen();
        return firstIndex;
    }

    @Override
    public long lastIndex() {
        checkOpen();
        return lastIndex;
    }

    @Override
    public long term(long entryIndex) {
        return underReadLock(() -> index.term(entryIndex));
    }

    // ---- mutations: one record each -----------------------------------------------------------

    @Override
    public void append(List<LogEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        synchronized (writer) {
            checkOpen();
            index.checkAppend(entries); // the writer is the only thread that changes the index
            if (entries.isEmpty()) {
                return;
            }
            Records.length(entries); // too large: IllegalArgumentException before anything is written
            List<LogEntry> batch = List.copyOf(entries);
            SegmentFiles.Placed placed = write(
                    "appending entries " + batch.get(0).index() + ".."
                            + batch.get(batch.size() - 1).index(),
                    (sequence, offset) -> encoder.entries(sequence, offset, Records.BATCH, batch),
                    true,
                    false);
            long frame = placed.offset() + Records.HEADER_BYTES + (long) Records.TABLE_ENTRY_BYTES * batch.size();
            publish(placed, () -> {
                long at = frame;
                for (LogEntry entry : batch) {
                    index.append(
                            EntryIndex.position(placed.sequence(), at),
                            entry.payload().size(),
                            entry.term());
                    at += Records.FRAME_HEADER_BYTES + (long) entry.payload().size();
                }
            });
        }
    }

    @Override
    public void replace(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        synchronized (writer) {
            checkOpen();
            index.checkReplace(entry);
            SegmentFiles.Placed placed = write(
                    "repairing entry " + entry.index(),
                    (sequence, offset) -> encoder.entries(sequence, offset, Records.REPLACE, List.of(entry)),
                    true,
                    false);
            long frame = placed.offset() + Records.HEADER_BYTES + Records.TABLE_ENTRY_BYTES;
            publish(
                    placed,
                    () -> index.replace(
                            entry.index(),
                            EntryIndex.position(placed.sequence(), frame),
                            entry.payload().size(),
                            entry.term()));
            LOG.info("entry {} in {} repaired", entry.index(), location);
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
            SegmentFiles.Placed placed = write(
                    "truncating the log from index " + fromIndex,
                    (sequence, offset) ->
                            Records.control(sequence, offset, Records.TRUNCATE_SUFFIX, fromIndex, 0, 0, 0),
                    false,
                    false);
            publish(placed, () -> index.truncateSuffix(fromIndex));
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
            long termBefore = index.term(toIndex - 1);
            SegmentFiles.Placed placed = write(
                    "truncating the log before index " + toIndex,
                    (sequence, offset) ->
                            Records.control(sequence, offset, Records.TRUNCATE_PREFIX, toIndex, termBefore, 0, 0),
                    false,
                    false);
            publish(placed, () -> index.truncatePrefix(toIndex));
            deleteDeadSegments();
        }
    }

    @Override
    public void reset(long resetIndex, long resetTerm) {
        LogStore.checkReset(resetIndex, resetTerm);
        synchronized (writer) {
            checkOpen();
            SegmentFiles.Placed placed = write(
                    "resetting the log to start after index " + resetIndex,
                    (sequence, offset) -> Records.control(sequence, offset, Records.RESET, resetIndex, resetTerm, 0, 0),
                    true,
                    true);
            publish(placed, () -> index.reset(resetIndex, resetTerm));
            deleteDeadSegments();
        }
    }

    private SegmentFiles.Placed write(
            String what, SegmentFiles.RecordMaker maker, boolean mayRoll, boolean newSegment) {
        SegmentFiles.Shape before = new SegmentFiles.Shape(
                index.firstIndex(), index.termBeforeFirst(), index.lastIndex(), index.lastTerm());
        return io(what, () -> files.write(maker, before, mayRoll, newSegment));
    }

    /** Makes a durable record visible: the new segment it opened, if any, and its effect on the index. */
    private void publish(SegmentFiles.Placed placed, Runnable change) {
        shape.writeLock().lock();
        try {
            files.adopt(placed);
            change.run();
            // Last first, then first: a lock-free reader sees first <= last + 1 (only
            // truncatePrefix and reset raise the first, and they raise the last with it, if at all).
            lastIndex = index.lastIndex();
            firstIndex = index.firstIndex();
        } finally {
            shape.writeLock().unlock();
        }
    }

    /** Deletes the oldest segments once no present entry lies in them (after the record saying so is durable). */
    private void deleteDeadSegments() {
        long lowest = index.lowestSequence();
        shape.writeLock().lock();
        try {
            FileIo.uninterruptibly(() -> {
                files.deleteBelow(lowest < 0 ? files.activeSequence() : lowest);
                return null;
            });
        } catch (IOException e) {
            LOG.warn("deleting dead segments in {} failed: {}", location, FileIo.reason(e));
        } finally {
            shape.writeLock().unlock();
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
                    () -> EntryReads.read(index, files, location, fromIndex, maxEntries, maxBytes));
        } finally {
            shape.readLock().unlock();
        }
    }

    // ---- closing ------------------------------------------------------------------------------

    /**
     * Ends the last segment with a CLOSE record (so that a damaged last record is told from a torn
     * one at the next open), waits for running reads and mutations, then closes the files and
     * releases the directory lock.
     */
    @Override
    public void close() {
        synchronized (writer) {
            if (closed) {
                return;
            }
            try {
                long last = index.lastIndex();
                long lastTerm = index.lastTerm();
                FileIo.uninterruptibly(() -> {
                    files.write(
                            (sequence, offset) ->
                                    Records.control(sequence, offset, Records.CLOSE, last, lastTerm, 0, 0),
                            null,
                            false,
                            false);
                    files.trim();
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot end the log in {} with a close record: {}", location, e.toString());
            }
            shape.writeLock().lock();
            try {
                closed = true;
            } finally {
                shape.writeLock().unlock();
            }
            // the lock last, so that no other store opens the directory while files are still open
            try (lock;
                    files) {
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
            throw new StorageException(what + " in " + location + " failed: " + describe(e), e);
        }
    }

    /** The reason, in words an operator can act on where the JDK only passes on the OS's. */
    private String describe(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            long free;
            try {
                free = java.nio.file.Files.getFileStore(directory).getUsableSpace();
            } catch (IOException unknown) {
                free = -1;
            }
            return "no space left on device (the disk is full"
                    + (free < 0 ? "" : ": " + free + " bytes free")
                    + "; nothing of this write was kept): " + FileIo.reason(e);
        }
        return FileIo.reason(e);
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
