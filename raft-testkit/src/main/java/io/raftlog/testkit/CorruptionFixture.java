package io.raftlog.testkit;

import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The known log the corruption suite damages: the same every time (no randomness), written
 * through the store and mirrored in an {@link ExpectedLog}.
 */
final class CorruptionFixture {
    private static final int[] BATCH_SIZES = {1, 7, 20, 3, 12};
    private static final long APPENDED = 250;

    private CorruptionFixture() {}

    /** Writes the known log into {@code directory}, closes the store, and returns what it holds. */
    static ExpectedLog write(LogStoreFactory factory, Path directory) {
        ExpectedLog expected = new ExpectedLog();
        try (LogStore store = factory.open(directory)) {
            long term = 1;
            for (int batch = 0; expected.lastIndex() < APPENDED; batch++) {
                apply(
                        new CrashOp.Append(expected.lastIndex() + 1, BATCH_SIZES[batch % BATCH_SIZES.length], term),
                        store,
                        expected);
                term += batch % 4 == 3 ? 1 : 0;
            }
            apply(new CrashOp.Replace(100, expected.term(100), 1_000_000), store, expected);
            apply(new CrashOp.TruncateSuffix(expected.lastIndex() - 5), store, expected);
            term++;
            apply(new CrashOp.Append(expected.lastIndex() + 1, 9, term), store, expected);
            apply(new CrashOp.TruncatePrefix(11), store, expected);
            long voted =
                    first(term + 1, t -> StoredValues.hardState(t).votedFor().isPresent());
            apply(new CrashOp.SaveHardState(voted), store, expected);
            apply(new CrashOp.SaveMetadata(0, version(0, size -> size == 0)), store, expected);
            apply(
                    new CrashOp.SaveMetadata(1, version(1, size -> size == LogStore.MAX_METADATA_BYTES)),
                    store,
                    expected);
            apply(new CrashOp.SaveMetadata(2, version(2, size -> size >= 16 && size < 300)), store, expected);
            apply(new CrashOp.SaveMetadata(3, version(3, size -> size > 300)), store, expected);
        }
        checkVariety(expected);
        return expected;
    }

    private static void apply(CrashOp op, LogStore store, ExpectedLog expected) {
        op.applyTo(store);
        op.applyTo(expected);
    }

    private static long version(int name, LongPredicate size) {
        return first(
                1,
                version -> size.test(StoredValues.metadataValue(StoredValues.METADATA_NAMES[name], version)
                        .size()));
    }

    private static long first(long from, LongPredicate wanted) {
        long value = from;
        while (!wanted.test(value)) {
            value++;
        }
        return value;
    }

    /** The known log holds what the suite's documentation promises; a change of {@link StoredValues} must keep it. */
    private static void checkVariety(ExpectedLog expected) {
        Set<EntryType> types = EnumSet.noneOf(EntryType.class);
        boolean empty = false;
        boolean large = false;
        for (long index = expected.firstIndex(); index <= expected.lastIndex(); index++) {
            LogEntry entry = expected.entry(index);
            types.add(entry.type());
            empty |= entry.payload().isEmpty();
            large |= entry.payload().size() > 4096;
        }
        if (!types.equals(EnumSet.allOf(EntryType.class)) || !empty || !large) {
            throw new IllegalStateException("the corruption suite's known log lacks variety: types " + types
                    + ", an empty payload " + empty + ", a large one " + large);
        }
    }
}
