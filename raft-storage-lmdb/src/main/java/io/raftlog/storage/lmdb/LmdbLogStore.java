package io.raftlog.storage.lmdb;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} on LMDB (through lmdbjava): entries in one database keyed by their
 * index (8 bytes, big-endian), the hard state and where the log starts in another, each mutation
 * one LMDB write transaction.
 *
 * <p><b>Durability.</b> In the default {@link SyncMode#SYNC} a mutating call returns only after
 * LMDB's commit has {@code fdatasync}ed the data pages and then the meta page that makes them
 * visible (LMDB's default, no {@code MDB_NOSYNC} or {@code MDB_NOMETASYNC}). Before the meta page
 * is written the previous meta page still points at intact old pages (copy-on-write), so a crash at
 * any moment — process kill or power loss — leaves either the whole call or none of it. The
 * {@code LmdbLogStoreCrashIT} test (raft-testkit's crash suite) proves the process-kill half by
 * SIGKILLing writers at random moments; the suite's power-loss test cannot follow LMDB's native
 * writes, so the power-loss half rests on those two syncs. {@link SyncMode#NO_SYNC} skips
 * them, for benchmarks only, and <b>can lose acknowledged entries on power loss</b>; opening in
 * that mode logs a warning.
 *
 * <p><b>Integrity.</b> Every entry carries a CRC32C over its index, header and payload (see
 * {@code EntryCodec}); every read and term lookup checks it and throws
 * {@link CorruptLogException} naming the index and the data directory instead of returning bad
 * bytes. Opening checks that the entries are contiguous and verifies the last
 * {@value #TAIL_CHECK_ENTRIES}. LMDB keeps no checksums of its own pages; when it notices one
 * damaged (a child page past the end of the file) while reading an entry, that read throws
 * {@link CorruptLogException} naming the entry too. Damage it does not notice (a flipped page
 * pointer that still points into the file, a flipped transaction id in a meta page) can make it read
 * a stale or wrong page without an error.
 *
 * <p><b>Threads.</b> One thread at a time may mutate (the SPI's rule); any number may read
 * concurrently, each read in its own LMDB read transaction, seeing the state before or after a
 * concurrent mutation. {@link #read} copies payloads (they outlive the call); {@link #forEach}
 * hands out read-only views of LMDB's pages, valid only during the visitor call; the visitor must
 * not call this store's mutating methods.
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException} and change nothing;
 * I/O failures (full disk, read-only or locked directory) throw
 * {@link io.raftlog.api.StorageException} naming the directory, after which the store is
 * unchanged; calls after {@link #close()} throw {@link IllegalStateException}. When the LMDB map
 * fills up it grows (up to {@link LmdbStoreConfig#maxMapSizeBytes()}) instead of failing.
 */
public final class LmdbLogStore implements LogStore {
    static final int TAIL_CHECK_ENTRIES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(LmdbLogStore.class);
    private static final PutFlags[] APPEND = {PutFlags.MDB_APPEND};
    private static final ThreadLocal<ByteBuffer> READ_KEY = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(8));

    /** A consistent picture of the log's extent, replaced whole after each committed mutation. */
    private record Bounds(long first, long last, long termBeforeFirst, long lastTerm) {}

    private final LmdbEnvironment environment;
    private final String location;
    // Writer-owned, reused on every mutation (the SPI allows one mutating thread at a time).
    private final ByteBuffer writeKey = ByteBuffer.allocateDirect(Long.BYTES);
    private final EntryCodec writeCodec;
    private final ByteBuffer hardStateKey = MetaRecords.key(MetaRecords.HARD_STATE);
    private final ByteBuffer logStartKey = MetaRecords.key(MetaRecords.LOG_START);
    private volatile Bounds bounds;
    /** Entries below this index are compacted but may still be stored (0: none left). Writer-owned. */
    private long compactedBelow;

    /** Compacted entries removed with each append, at least (twice the appended entries if more). */
    static final int REMOVE_PER_APPEND = 1024;

    private volatile HardState hardState;

    private LmdbLogStore(LmdbEnvironment environment) {
        this.environment = environment;
        this.location = environment.location();
        this.writeCodec = new EntryCodec(location);
        long firstIndex =
                environment.read("reading where the log starts", txn -> StoreRecovery.logStart(environment, txn)[0]);
        StoreRecovery.removeCompactedEntries(environment, firstIndex);
        StoreRecovery.State state = environment.write(
                () -> "opening the store", txn -> StoreRecovery.recover(environment, txn, TAIL_CHECK_ENTRIES));
        this.bounds = new Bounds(state.firstIndex(), state.lastIndex(), state.termBeforeFirst(), state.lastTerm());
        this.hardState = state.hardState();
    }

    /** Opens (creating if needed) a durable store in {@code directory}. */
    public static LmdbLogStore open(Path directory) {
        return open(LmdbStoreConfig.of(directory));
    }

    /**
     * Opens (creating if needed) the store {@code config} describes.
     *
     * @throws io.raftlog.api.StorageException if the directory cannot be created, written or locked
     *                                         (for example another process has it open)
     * @throws CorruptLogException if the tail of the log fails its integrity check
     * @throws IllegalStateException if the JVM lacks the {@code --add-opens} flags lmdbjava needs
     */
    public static LmdbLogStore open(LmdbStoreConfig config) {
        Objects.requireNonNull(config, "config");
        LmdbEnvironment environment = LmdbEnvironment.open(config);
        try {
            LmdbLogStore store = new LmdbLogStore(environment);
            Bounds opened = store.bounds;
            LOG.info(
                    "LMDB log store in {} opened: {} entries from index {}, map {} bytes, sync mode {}",
                    store.location,
                    opened.last() - opened.first() + 1,
                    opened.first(),
                    environment.mapSizeBytes(),
                    config.syncMode());
            if (config.syncMode() == SyncMode.NO_SYNC) {
                LOG.warn(
                        "LMDB log store in {} opened with SyncMode.NO_SYNC: commits are NOT"
                                + " flushed to disk and a power loss CAN LOSE ACKNOWLEDGED ENTRIES AND VOTES;"
                                + " use this mode for benchmarks only",
                        store.location);
            }
            return store;
        } catch (RuntimeException | Error e) {
            environment.close();
            throw e;
        }
    }

    /** The data directory, as named in error messages. */
    public String location() {
        return location;
    }

    /** Entries physically stored, compacted ones not yet removed included (for tests). */
    long storedEntries() {
        return environment.read("counting stored entries", txn -> environment.entries.stat(txn).entries);
    }

    /** The current size of the LMDB memory map; it grows as the log does. */
    public long mapSizeBytes() {
        return environment.mapSizeBytes();
    }

    @Override
    public HardState hardState() {
        environment.checkOpen();
        return hardState;
    }

    @Override
    public void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        byte[] body = MetaRecords.encodeHardState(state);
        environment.write(() -> "saving hard state " + state, txn -> {
            MetaRecords.put(environment.meta, txn, hardStateKey, body);
            return null;
        });
        hardState = state;
    }

    @Override
    public void replace(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        environment.checkOpen();
        Bounds seen = bounds;
        if (entry.index() < seen.first || entry.index() > seen.last) {
            throw new IllegalArgumentException(
                    "replace(" + entry.index() + ") is outside the stored entries " + seen.first + ".." + seen.last);
        }
        if (entry.index() == seen.last && entry.term() != seen.lastTerm) {
            throw new IllegalArgumentException("replace(" + entry.index() + ") of the last entry must keep its term "
                    + seen.lastTerm + ", got " + entry.term());
        }
        environment.write(() -> "repairing entry " + entry.index(), txn -> {
            writeKey.putLong(0, entry.index());
            ByteBuffer slot = environment.entries.reserve(txn, writeKey, EntryCodec.storedSize(entry));
            writeCodec.encode(entry, slot);
            return null;
        });
        LOG.info("entry {} in {} repaired", entry.index(), environment.location());
    }

    /** Metadata lives in the meta database under {@code "x." + name}, beside the store's own records. */
    @Override
    public java.util.Optional<io.raftlog.api.Bytes> metadata(String name) {
        LogStore.checkMetadata(name, null);
        ByteBuffer key = MetaRecords.key(METADATA_PREFIX + name);
        byte[] body = environment.read(
                "reading metadata '" + name + "'",
                txn -> MetaRecords.get(environment.meta, txn, key, environment.location()));
        return java.util.Optional.ofNullable(body).map(io.raftlog.api.Bytes::wrap);
    }

    @Override
    public void saveMetadata(String name, io.raftlog.api.Bytes value) {
        Objects.requireNonNull(value, "value");
        LogStore.checkMetadata(name, value);
        ByteBuffer key = MetaRecords.key(METADATA_PREFIX + name);
        byte[] body = value.toByteArray();
        environment.write(() -> "saving metadata '" + name + "'", txn -> {
            MetaRecords.put(environment.meta, txn, key, body);
            return null;
        });
    }

    private static final String METADATA_PREFIX = "x.";

    @Override
    public long firstIndex() {
        environment.checkOpen();
        return bounds.first;
    }

    @Override
    public long lastIndex() {
        environment.checkOpen();
        return bounds.last;
    }

    @Override
    public long term(long index) {
        environment.checkOpen();
        Bounds seen = bounds;
        if (index == seen.first - 1) {
            return seen.termBeforeFirst;
        }
        checkTermRange(index, seen.first, seen.last);
        if (index == seen.last) {
            return seen.lastTerm;
        }
        return environment.read("reading the term of entry " + index, txn -> {
            Long term = storedTerm(txn, index);
            if (term != null) {
                return term;
            }
            // A mutation committed since we looked at the bounds: answer for the state this
            // transaction sees, which is the state after it.
            long[] start = StoreRecovery.logStart(environment, txn);
            if (index == start[0] - 1) {
                return start[1];
            }
            checkTermRange(index, start[0], StoreRecovery.lastIndex(environment, txn, start[0]));
            throw new CorruptLogException(index, location, "entry is missing");
        });
    }

    @Override
    public void append(List<LogEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        environment.checkOpen();
        Bounds before = bounds;
        long expected = before.last + 1;
        long lastTerm = before.lastTerm;
        for (LogEntry entry : entries) {
            Objects.requireNonNull(entry, "entry");
            if (entry.index() != expected) {
                throw new IllegalArgumentException("expected an entry at index " + expected + ", got " + entry.index()
                        + " (entries must continue the log without gap or overlap)");
            }
            if (entry.term() < lastTerm) {
                throw new IllegalArgumentException("entry " + entry.index() + " has term " + entry.term()
                        + ", below the preceding term " + lastTerm);
            }
            lastTerm = entry.term();
            expected++;
        }
        if (entries.isEmpty()) {
            return;
        }
        long newLast = expected - 1;
        long newLastTerm = lastTerm;
        long removeBelow = compactedBelow;
        // Twice what is appended, at least: the removal always outpaces the log's growth.
        int quota = Math.max(REMOVE_PER_APPEND, 2 * entries.size());
        int removed = environment.write(() -> "appending entries " + (before.last + 1) + ".." + newLast, txn -> {
            for (LogEntry entry : entries) {
                writeKey.putLong(0, entry.index());
                ByteBuffer slot = environment.entries.reserve(txn, writeKey, EntryCodec.storedSize(entry), APPEND);
                writeCodec.encode(entry, slot);
            }
            // A share of what a prefix truncation left to remove goes with each append, so a large
            // compaction never stalls the writer (they are invisible already; see truncatePrefix).
            return removeBelow > 0 ? StoreRecovery.deleteBelow(environment, txn, removeBelow, quota) : 0;
        });
        if (removeBelow > 0 && removed < quota) {
            compactedBelow = 0;
        }
        bounds = new Bounds(before.first, newLast, before.termBeforeFirst, newLastTerm);
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        environment.checkOpen();
        Bounds before = bounds;
        checkBoundary("truncateSuffix", fromIndex, before);
        if (fromIndex == before.last + 1) {
            return;
        }
        long newLastTerm = environment.write(() -> "truncating the log from index " + fromIndex, txn -> {
            try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
                while (cursor.last() && cursor.key().getLong(0) >= fromIndex) {
                    cursor.delete();
                }
            }
            return fromIndex == before.first ? before.termBeforeFirst : requireStoredTerm(txn, fromIndex - 1);
        });
        bounds = new Bounds(before.first, fromIndex - 1, before.termBeforeFirst, newLastTerm);
    }

    @Override
    public void truncatePrefix(long toIndex) {
        environment.checkOpen();
        Bounds before = bounds;
        checkBoundary("truncatePrefix", toIndex, before);
        if (toIndex == before.first) {
            return;
        }
        long termBefore = environment.write(() -> "truncating the log before index " + toIndex, txn -> {
            long term = toIndex - 1 == before.last ? before.lastTerm : requireStoredTerm(txn, toIndex - 1);
            MetaRecords.put(environment.meta, txn, logStartKey, MetaRecords.encodeLogStart(toIndex, term));
            StoreRecovery.deleteBelow(environment, txn, toIndex, REMOVE_PER_APPEND);
            return term;
        });
        bounds =
                new Bounds(toIndex, before.last, termBefore, toIndex - 1 == before.last ? termBefore : before.lastTerm);
        // Entries left below toIndex are invisible (log_start says so): they go a share at a time
        // with the appends that follow, and whatever a crash leaves is removed at the next open.
        compactedBelow = toIndex;
    }

    @Override
    public void reset(long index, long term) {
        LogStore.checkReset(index, term);
        environment.checkOpen();
        environment.write(() -> "resetting the log to start after index " + index, txn -> {
            MetaRecords.put(environment.meta, txn, logStartKey, MetaRecords.encodeLogStart(index + 1, term));
            // Entries above the new start would stay visible: they go in this transaction. Those
            // below it are invisible from now on and go in later ones (see StoreRecovery).
            try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
                while (cursor.last() && cursor.key().getLong(0) > index) {
                    cursor.delete();
                }
            }
            return null;
        });
        bounds = new Bounds(index + 1, index, term, term);
        compactedBelow = index + 1; // the old log goes a share at a time with the appends that follow
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        List<LogEntry> result = new ArrayList<>(Math.min(maxEntries, 256));
        scan("read", fromIndex, maxEntries, maxBytes, true, result::add);
        return result;
    }

    @Override
    public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        return scan("forEach", fromIndex, maxEntries, maxBytes, false, visitor);
    }

    /** Waits for running reads, closes LMDB and releases the directory lock; idempotent. */
    @Override
    public void close() {
        environment.close();
    }

    private int scan(
            String operation, long fromIndex, int maxEntries, long maxBytes, boolean copy, Consumer<LogEntry> sink) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "maxEntries and maxBytes must be positive, were " + maxEntries + " and " + maxBytes);
        }
        environment.checkOpen();
        Bounds seen = bounds;
        checkBoundary(operation, fromIndex, seen);
        if (fromIndex == seen.last + 1) {
            return 0;
        }
        return environment.read(operation + " from index " + fromIndex, txn -> {
            Integer visited = scanIn(txn, fromIndex, maxEntries, maxBytes, copy, sink);
            if (visited != null) {
                return visited;
            }
            // A mutation committed since we looked at the bounds: answer for the state this
            // transaction sees, which is the state after it.
            long first = StoreRecovery.logStart(environment, txn)[0];
            long last = StoreRecovery.lastIndex(environment, txn, first);
            checkBoundary(operation, fromIndex, new Bounds(first, last, 0, 0));
            if (fromIndex == last + 1) {
                return 0;
            }
            throw new CorruptLogException(fromIndex, location, "entry is missing");
        });
    }

    /** Visits entries from {@code fromIndex} in one read transaction; null if it is not there. */
    private Integer scanIn(
            Txn<ByteBuffer> txn, long fromIndex, int maxEntries, long maxBytes, boolean copy, Consumer<LogEntry> sink) {
        ByteBuffer key = READ_KEY.get();
        key.putLong(0, fromIndex);
        long expected = fromIndex;
        try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
            if (!cursor.get(key, GetOp.MDB_SET_KEY)) {
                return null;
            }
            EntryCodec codec = new EntryCodec(location);
            long bytes = 0;
            int count = 0;
            do {
                long index = cursor.key().getLong(0);
                if (index != expected) {
                    throw new CorruptLogException(
                            expected, location, "entry is missing (next stored index is " + index + ")");
                }
                ByteBuffer value = cursor.val();
                long size = EntryCodec.sizeInBytes(value);
                if (count > 0 && bytes + size > maxBytes) {
                    break;
                }
                sink.accept(codec.decode(index, value, copy));
                bytes += size;
                count++;
                expected++;
            } while (count < maxEntries && cursor.next());
            return count;
        } catch (LmdbNativeException.PageNotFoundException | LmdbNativeException.PageCorruptedException e) {
            throw damagedPage(expected, e);
        }
    }

    /** The verified term stored for {@code index}, or null if there is no such entry. */
    private Long storedTerm(Txn<ByteBuffer> txn, long index) {
        ByteBuffer key = READ_KEY.get();
        key.putLong(0, index);
        ByteBuffer value;
        try {
            value = environment.entries.get(txn, key);
        } catch (LmdbNativeException.PageNotFoundException | LmdbNativeException.PageCorruptedException e) {
            throw damagedPage(index, e);
        }
        return value == null ? null : new EntryCodec(location).verify(index, value);
    }

    /**
     * LMDB found a page on the way to {@code index} missing or damaged (it keeps no checksums of its
     * own, but notices a page number past the end or a page of the wrong kind): that entry cannot
     * be read, and the caller is told which one, as for an entry failing its own check.
     */
    private CorruptLogException damagedPage(long index, LmdbNativeException e) {
        return new CorruptLogException(
                index,
                location,
                "LMDB reports the B-tree page leading to it damaged ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }

    private long requireStoredTerm(Txn<ByteBuffer> txn, long index) {
        Long term = storedTerm(txn, index);
        if (term == null) {
            throw new CorruptLogException(index, location, "entry is missing");
        }
        return term;
    }

    private static void checkTermRange(long index, long first, long last) {
        if (index < first - 1 || index > last) {
            throw new IllegalArgumentException("term(" + index + ") is outside " + (first - 1) + ".." + last
                    + " (firstIndex() - 1 .. lastIndex())");
        }
    }

    private static void checkBoundary(String operation, long index, Bounds seen) {
        if (index < seen.first || index > seen.last + 1) {
            throw new IllegalArgumentException(operation + "(" + index + ") is outside " + seen.first + ".."
                    + (seen.last + 1) + " (firstIndex() .. lastIndex() + 1)");
        }
    }
}
