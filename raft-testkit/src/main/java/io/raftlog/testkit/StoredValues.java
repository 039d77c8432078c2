package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What the crash and corruption suites store, as pure functions of a few numbers: the child JVM
 * that writes and the parent that checks compute the same bytes without ever sending them.
 *
 * <p>Payloads are pseudo-random, so any 16 of their bytes are (with overwhelming probability)
 * found nowhere else in a store's files: the corruption suite finds them by searching.
 */
final class StoredValues {
    /** Names the suites save metadata under. */
    static final String[] METADATA_NAMES = {"identity", "peers", "tck.a", "tck.b-long_name.1"};

    private StoredValues() {}

    /**
     * The entry at {@code index} in {@code term}, written the {@code version}-th time (0 for an
     * append, the call's number for a {@link LogStore#replace}): every {@link EntryType}, payloads
     * of 0 bytes (one in ten), up to 300 bytes (most), up to 4 KiB and up to 40 KiB (a few).
     */
    static LogEntry entry(long index, long term, long version) {
        long hash = mix(index * 0x9E3779B97F4A7C15L ^ mix(term) ^ mix(version + 0x632BE59BD9B4E019L));
        EntryType[] types = EntryType.values();
        EntryType type = types[(int) Math.floorMod(hash, (long) types.length)];
        int size;
        int sizeClass = (int) Math.floorMod(hash >>> 8, 100L);
        if (sizeClass < 10) {
            size = 0;
        } else if (sizeClass < 92) {
            size = 1 + (int) Math.floorMod(hash >>> 20, 300L);
        } else if (sizeClass < 98) {
            size = 301 + (int) Math.floorMod(hash >>> 20, 4096L);
        } else {
            size = 4097 + (int) Math.floorMod(hash >>> 20, 36_000L);
        }
        return new LogEntry(index, term, type, randomBytes(hash, size));
    }

    /** The {@code version}-th value saved under metadata {@code name}: 0 bytes to 64 KiB. */
    static Bytes metadataValue(String name, long version) {
        long hash = mix(name.hashCode() * 0xD1B54A32D192ED03L ^ mix(version));
        int sizeClass = (int) Math.floorMod(hash >>> 8, 100L);
        int size = sizeClass < 10
                ? 0
                : sizeClass < 90
                        ? 1 + (int) Math.floorMod(hash >>> 20, 200L)
                        : sizeClass < 97
                                ? (int) Math.floorMod(hash >>> 20, (long) LogStore.MAX_METADATA_BYTES)
                                : LogStore.MAX_METADATA_BYTES;
        return randomBytes(hash, size);
    }

    /** The hard state saved with {@code term}: no vote, or a vote for a node whose name follows from the term. */
    static HardState hardState(long term) {
        if (term == 0) {
            return HardState.INITIAL;
        }
        int length = (int) Math.floorMod(mix(term), 64L);
        if (length < 8) {
            return new HardState(term, Optional.empty());
        }
        String name = ("node-" + term + "-" + "v".repeat(64)).substring(0, length);
        return new HardState(term, Optional.of(NodeId.of(name)));
    }

    static Bytes randomBytes(long seed, int size) {
        if (size == 0) {
            return Bytes.EMPTY;
        }
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return Bytes.wrap(bytes);
    }

    /** A 64-bit finaliser (as in SplitMix64): nearby inputs give unrelated outputs. */
    static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
