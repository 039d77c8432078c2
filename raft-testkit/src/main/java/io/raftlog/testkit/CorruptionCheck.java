package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The corruption suite's rule, checked on a store opened on damaged files: opening fails loudly,
 * or it succeeds and every read returns exactly what was written or throws — a
 * {@link CorruptLogException} naming the entry for reads of entries, a
 * {@link StorageException} for the hard state and metadata. Never wrong bytes, never a silently
 * shorter log, never a lost hard state.
 */
final class CorruptionCheck {
    static final String OPENS_OR_FAILS_LOUDLY =
            "opening a damaged store succeeds or throws a StorageException saying what is wrong";
    static final String NO_SILENT_LOSS =
            "a damaged store that opens has the log it was given: the same firstIndex() and lastIndex()";
    static final String EXACT_OR_CORRUPT =
            "every read of an entry returns exactly what was written or throws CorruptLogException naming that"
                    + " entry's index";
    static final String EXACT_OR_STORAGE_EXCEPTION =
            "the hard state and metadata are exactly what was written, or reading them throws StorageException";

    private final ExpectedLog expected;
    private final String context;

    private CorruptionCheck(ExpectedLog expected, String context) {
        this.expected = expected;
        this.context = context;
    }

    /** Opens the store on {@code directory} through {@code factory} and checks it; an AssertionError names the rule. */
    static void check(LogStoreFactory factory, Path directory, ExpectedLog expected, String context) {
        LogStore store;
        try {
            store = factory.open(directory);
        } catch (RuntimeException | Error e) {
            assertThat(e)
                    .as("%s; %s", OPENS_OR_FAILS_LOUDLY, context)
                    .isInstanceOf(StorageException.class)
                    .hasMessageFindingMatch("\\S");
            return;
        }
        try {
            new CorruptionCheck(expected, context).run(store);
        } catch (RuntimeException e) {
            throw new AssertionError(EXACT_OR_CORRUPT + ": a call on the opened store threw " + e + "; " + context, e);
        } finally {
            closeQuietly(store);
        }
    }

    private void run(LogStore store) {
        long first = expected.firstIndex();
        long last = expected.lastIndex();
        assertThat(store.firstIndex()).as("%s; %s", NO_SILENT_LOSS, context).isEqualTo(first);
        assertThat(store.lastIndex()).as("%s; %s", NO_SILENT_LOSS, context).isEqualTo(last);
        loud("hardState()", () -> store.hardState(), expected.hardState());
        for (int name = 0; name < StoredValues.METADATA_NAMES.length; name++) {
            int chosen = name;
            loud(
                    "metadata(\"" + StoredValues.METADATA_NAMES[name] + "\")",
                    () -> store.metadata(StoredValues.METADATA_NAMES[chosen]),
                    expected.metadata(name));
        }
        loud("metadata(\"tck.never-written\")", () -> store.metadata("tck.never-written"), Optional.empty());
        exactOrCorrupt("term(" + (first - 1) + ")", first - 1, () -> store.term(first - 1), expected.term(first - 1));
        for (long index = first; index <= last; index++) {
            long chosen = index;
            exactOrCorrupt("term(" + index + ")", index, () -> store.term(chosen), expected.term(index));
            exactOrCorrupt(
                    "read(" + index + ", 1, ∞)",
                    index,
                    () -> store.read(chosen, 1, Long.MAX_VALUE),
                    List.of(expected.entry(index)));
        }
        readAll(store, first, last);
        visitAll(store, first, last);
    }

    private void readAll(LogStore store, long first, long last) {
        try {
            List<LogEntry> all = store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE);
            assertThat(all)
                    .as("%s: read(%d, ∞, ∞); %s", EXACT_OR_CORRUPT, first, context)
                    .hasSize((int) (last - first + 1));
            for (LogEntry entry : all) {
                LogEntry written = expected.entry(entry.index());
                assertThat(entry)
                        .as(
                                "%s: entry %d of read(%d, ∞, ∞)%s; %s",
                                EXACT_OR_CORRUPT, entry.index(), first, Differences.between(written, entry), context)
                        .isEqualTo(written);
            }
        } catch (CorruptLogException e) {
            assertThat(e.index())
                    .as("%s: read(%d, ∞, ∞) threw %s; %s", EXACT_OR_CORRUPT, first, e, context)
                    .isBetween(first, last);
        } catch (RuntimeException e) {
            throw wrongException("read(" + first + ", ∞, ∞)", e);
        }
    }

    private void visitAll(LogStore store, long first, long last) {
        List<LogEntry> visited = new ArrayList<>();
        try {
            store.forEach(first, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
                LogEntry written = expected.entry(first + visited.size());
                // The visitor's payload is valid only during the call: compare it now.
                assertThat(entry)
                        .as(
                                "%s: entry %d visited by forEach(%d, ∞, ∞)%s; %s",
                                EXACT_OR_CORRUPT,
                                first + visited.size(),
                                first,
                                Differences.between(written, entry),
                                context)
                        .isEqualTo(written);
                visited.add(written);
            });
            assertThat((long) visited.size())
                    .as("%s: entries forEach(%d, ∞, ∞) visited; %s", EXACT_OR_CORRUPT, first, context)
                    .isEqualTo(last - first + 1);
        } catch (CorruptLogException e) {
            assertThat(e.index())
                    .as(
                            "%s: forEach(%d, ∞, ∞) visited %d entries and threw %s; %s",
                            EXACT_OR_CORRUPT, first, visited.size(), e, context)
                    .isBetween(first + visited.size(), last);
        } catch (RuntimeException e) {
            throw wrongException("forEach(" + first + ", ∞, ∞)", e);
        }
    }

    private <T> void exactOrCorrupt(String call, long index, Supplier<T> read, T written) {
        T value;
        try {
            value = read.get();
        } catch (CorruptLogException e) {
            assertThat(e.index())
                    .as("%s: %s threw %s; %s", EXACT_OR_CORRUPT, call, e, context)
                    .isEqualTo(index);
            return;
        } catch (RuntimeException e) {
            throw wrongException(call, e);
        }
        assertThat(value)
                .as("%s: %s%s; %s", EXACT_OR_CORRUPT, call, Differences.between(written, value), context)
                .isEqualTo(written);
    }

    private <T> void loud(String call, Supplier<T> read, T written) {
        T value;
        try {
            value = read.get();
        } catch (StorageException e) {
            assertThat(e)
                    .as("%s: %s; %s", EXACT_OR_STORAGE_EXCEPTION, call, context)
                    .hasMessageFindingMatch("\\S");
            return;
        } catch (RuntimeException e) {
            throw new AssertionError(EXACT_OR_STORAGE_EXCEPTION + ": " + call + " threw " + e + "; " + context, e);
        }
        assertThat(value)
                .as("%s: %s%s; %s", EXACT_OR_STORAGE_EXCEPTION, call, Differences.between(written, value), context)
                .isEqualTo(written);
    }

    private AssertionError wrongException(String call, RuntimeException e) {
        return new AssertionError(EXACT_OR_CORRUPT + ": " + call + " threw " + e + " instead; " + context, e);
    }

    private static void closeQuietly(LogStore store) {
        try {
            store.close();
        } catch (RuntimeException e) {
            // closing a damaged store may fail too; what it answered before is what counts
        }
    }
}
