package io.raftlog.storage.lmdb;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.spi.storage.HardState;
import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Txn;

/**
 * What a store finds when it opens, and the removal of compacted entries.
 *
 * <p>Prefix truncation first records the new start of the log in {@code log_start} and removes the
 * entries below it in batches of {@value #DELETE_BATCH} transactions, so a huge compaction never
 * needs one huge transaction. Entries below {@code log_start} are invisible; if a crash leaves some
 * behind, the next open removes them.
 */
final class StoreRecovery {
    static final int DELETE_BATCH = 50_000;

    /** The log's extent and hard state as found on disk. */
    record State(long firstIndex, long lastIndex, long termBeforeFirst, long lastTerm, HardState hardState) {}

    private StoreRecovery() {}

    /**
     * Reads the metadata (writing the format version into a new store), checks that the entries are
     * contiguous from {@code log_start} and verifies the last {@code tailEntries} of them.
     *
     * @throws CorruptLogException if an entry of the tail is corrupt or the entries have a gap
     */
    static State recover(LmdbEnvironment environment, Txn<ByteBuffer> txn, int tailEntries) {
        String location = environment.location();
        ByteBuffer formatKey = MetaRecords.key(MetaRecords.FORMAT);
        byte[] format = MetaRecords.get(environment.meta, txn, formatKey, location);
        if (format == null) {
            MetaRecords.put(environment.meta, txn, formatKey, MetaRecords.encodeFormat());
        } else {
            MetaRecords.checkFormat(format, location);
        }
        long[] start = logStart(environment, txn);
        byte[] hardStateBody =
                MetaRecords.get(environment.meta, txn, MetaRecords.key(MetaRecords.HARD_STATE), location);
        HardState hardState =
                hardStateBody == null ? HardState.INITIAL : MetaRecords.decodeHardState(hardStateBody, location);
        long first = start[0];
        long termBeforeFirst = start[1];
        try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
            if (!cursor.last()) {
                return new State(first, first - 1, termBeforeFirst, termBeforeFirst, hardState);
            }
            long last = cursor.key().getLong(0);
            cursor.first();
            long firstStored = cursor.key().getLong(0);
            long count = environment.entries.stat(txn).entries;
            if (firstStored != first || last - firstStored + 1 != count) {
                throw new CorruptLogException(
                        firstMissing(cursor, first),
                        location,
                        "entry is missing: the log"
                                + " should hold the contiguous entries " + first + ".." + last + " but holds " + count
                                + " entries from " + firstStored);
            }
            EntryCodec codec = new EntryCodec(location);
            cursor.last();
            long lastTerm = codec.verify(last, cursor.val());
            long index = last;
            for (int checked = 1; checked < tailEntries && cursor.prev(); checked++) {
                index--;
                codec.verify(index, cursor.val());
            }
            return new State(first, last, termBeforeFirst, lastTerm, hardState);
        }
    }

    /** The first index from {@code first} on with no entry (only called when there is a gap). */
    private static long firstMissing(Cursor<ByteBuffer> cursor, long first) {
        long expected = first;
        boolean present = cursor.first();
        while (present && cursor.key().getLong(0) == expected) {
            expected++;
            present = cursor.next();
        }
        return expected;
    }

    /** {@code {firstIndex, termBeforeFirst}} as recorded in {@code txn}, {@code {1, 0}} for a new log. */
    static long[] logStart(LmdbEnvironment environment, Txn<ByteBuffer> txn) {
        byte[] body =
                MetaRecords.get(environment.meta, txn, MetaRecords.key(MetaRecords.LOG_START), environment.location());
        return body == null ? new long[] {1, 0} : MetaRecords.decodeLogStart(body, environment.location());
    }

    /** The last stored index in {@code txn}, or {@code firstIndex - 1} if there is no entry. */
    static long lastIndex(LmdbEnvironment environment, Txn<ByteBuffer> txn, long firstIndex) {
        try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
            return cursor.last() ? Math.max(firstIndex - 1, cursor.key().getLong(0)) : firstIndex - 1;
        }
    }

    /** Deletes up to {@code max} entries below {@code toIndex} in {@code txn}; returns how many. */
    static int deleteBelow(LmdbEnvironment environment, Txn<ByteBuffer> txn, long toIndex, int max) {
        int deleted = 0;
        try (Cursor<ByteBuffer> cursor = environment.entries.openCursor(txn)) {
            while (deleted < max && cursor.first() && cursor.key().getLong(0) < toIndex) {
                cursor.delete();
                deleted++;
            }
        }
        return deleted;
    }

    /** Removes every entry below {@code firstIndex}, {@value #DELETE_BATCH} per transaction. */
    static void removeCompactedEntries(LmdbEnvironment environment, long firstIndex) {
        int deleted;
        do {
            deleted = environment.write(
                    () -> "removing compacted entries below index " + firstIndex,
                    txn -> deleteBelow(environment, txn, firstIndex, DELETE_BATCH));
        } while (deleted == DELETE_BATCH);
    }
}
