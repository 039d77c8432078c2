package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.util.Random;

/**
 * Chooses the crash suite's next call from a seeded random source and the store's current
 * indexes: mostly appends (batches of 1 to 8 entries, sometimes up to 64 or 256), and now and then
 * a suffix or prefix truncation, a reset, a hard state, a metadata value or a replaced entry.
 *
 * <p>Terms only grow, as in Raft: each append uses the current term, and a truncation, reset or
 * hard state moves to a new one. So the same index and term never name two different entries,
 * and an entry that should be gone cannot pass for the one that replaced it.
 */
final class CrashWorkload {
    /** Above this many entries the workload compacts more often, to bound the log. */
    private static final int SOFT_MAX_ENTRIES = 600;

    private final Random random;
    private long term;

    /** @param firstTerm above every term used on this store before */
    CrashWorkload(Random random, long firstTerm) {
        this.random = random;
        this.term = firstTerm;
    }

    /** The next call for {@code store}; {@code seq} is its number, unique across the whole test. */
    CrashOp next(LogStore store, long seq) {
        long first = store.firstIndex();
        long last = store.lastIndex();
        long size = last - first + 1;
        int roll = random.nextInt(100);
        if (size > SOFT_MAX_ENTRIES && roll < 40) {
            return new CrashOp.TruncatePrefix(first + size / 2 + random.nextInt((int) (size / 2)));
        }
        if (roll < 58) {
            return new CrashOp.Append(last + 1, batchSize(), term);
        }
        if (roll < 66) {
            long back = Math.min(size, random.nextInt(4) == 0 ? size : 1 + random.nextInt(20));
            term++; // what follows the truncated tail comes from a newer leader
            return new CrashOp.TruncateSuffix(last + 1 - back);
        }
        if (roll < 73) {
            return new CrashOp.TruncatePrefix(first + (size == 0 ? 0 : random.nextInt((int) size + 1)));
        }
        if (roll < 76) {
            return reset(first, last);
        }
        if (roll < 86) {
            return new CrashOp.SaveHardState(++term);
        }
        if (roll < 95 || size == 0) {
            return new CrashOp.SaveMetadata(random.nextInt(StoredValues.METADATA_NAMES.length), seq);
        }
        long index = first + random.nextInt((int) size);
        return new CrashOp.Replace(index, store.term(index), seq);
    }

    /** A snapshot installed below, inside or beyond the log, or (rarely) the empty log at index 0. */
    private CrashOp reset(long first, long last) {
        int where = random.nextInt(10);
        if (where == 0) {
            return new CrashOp.Reset(0, 0);
        }
        long index;
        if (where < 3 && first > 1) {
            index = 1L + random.nextInt((int) Math.min(first - 1, Integer.MAX_VALUE));
        } else if (where < 6 && last >= first) {
            index = first + random.nextInt((int) (last - first + 1));
        } else {
            index = last + 1 + random.nextInt(50);
        }
        return new CrashOp.Reset(index, ++term);
    }

    private int batchSize() {
        int roll = random.nextInt(100);
        return roll < 70 ? 1 + random.nextInt(8) : roll < 96 ? 1 + random.nextInt(64) : 1 + random.nextInt(256);
    }
}
