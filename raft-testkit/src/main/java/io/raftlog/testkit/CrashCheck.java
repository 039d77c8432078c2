package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Compares a store reopened after a crash with what it must hold: the state the completed calls
 * left, or, if a call was in flight, that state or the state after the call — as a whole.
 */
final class CrashCheck {
    static final String REOPENS = "a store reopens after a crash and answers every read";
    static final String SURVIVES =
            "every call reported complete survives the crash with exactly its bytes, types and terms";
    static final String SURVIVES_OR_ALL_OR_NOTHING =
            "every call reported complete survives the crash, and the call in flight is all or nothing";
    static final String ALL_OR_NOTHING = "the call in flight is all or nothing: a batch is never half visible, a hard"
            + " state or metadata value is the old or the new one, never torn or mixed";
    static final String CONTIGUOUS = "the log is contiguous from firstIndex() to lastIndex()";

    private static final int CHUNK_ENTRIES = 512;
    private static final long CHUNK_BYTES = 16L << 20;

    private final ExpectedLog completed;
    private final ExpectedLog withInFlight;
    private final CrashOp inFlight;
    private final String context;
    private boolean isCompleted = true;
    private boolean isWithInFlight;

    private CrashCheck(ExpectedLog completed, CrashOp inFlight, String context) {
        this.completed = completed;
        this.inFlight = inFlight;
        this.withInFlight = inFlight == null ? null : completed.after(inFlight);
        this.isWithInFlight = inFlight != null;
        this.context = context;
    }

    /**
     * Checks {@code store} and returns the expected state it holds: {@code completed}, or
     * {@code completed} with {@code inFlight} applied.
     *
     * @param inFlight the call the crash interrupted, or null
     * @throws AssertionError naming the rule the store broke
     */
    static ExpectedLog verify(LogStore store, ExpectedLog completed, CrashOp inFlight, String context) {
        CrashCheck check = new CrashCheck(completed, inFlight, context);
        try {
            return check.run(store);
        } catch (RuntimeException e) {
            throw new AssertionError(REOPENS + "; " + context + ": " + e, e);
        }
    }

    private ExpectedLog run(LogStore store) {
        long first = store.firstIndex();
        long last = store.lastIndex();
        expectOneOf("firstIndex()", first, ExpectedLog::firstIndex);
        expectOneOf("lastIndex()", last, ExpectedLog::lastIndex);
        expectOneOf("term(firstIndex() - 1)", store.term(first - 1), log -> termOrAbsent(log, first - 1));
        expectOneOf("hardState()", store.hardState(), ExpectedLog::hardState);
        for (int name = 0; name < StoredValues.METADATA_NAMES.length; name++) {
            int chosen = name;
            expectOneOf(
                    "metadata(\"" + StoredValues.METADATA_NAMES[name] + "\")",
                    store.metadata(StoredValues.METADATA_NAMES[name]),
                    log -> log.metadata(chosen));
        }
        long next = first;
        while (next <= last) {
            List<LogEntry> chunk = new ArrayList<>(store.read(next, CHUNK_ENTRIES, CHUNK_BYTES));
            assertThat(chunk)
                    .as("%s: read(%d) returned nothing though lastIndex() is %d; %s", CONTIGUOUS, next, last, context)
                    .isNotEmpty();
            for (LogEntry entry : chunk) {
                long index = next;
                assertThat(entry.index())
                        .as("%s: read(...) skipped or repeated an index; %s", CONTIGUOUS, context)
                        .isEqualTo(index);
                expectOneOf("the entry at " + index, Optional.of(entry), log -> entryOrAbsent(log, index));
                expectOneOf("term(" + index + ")", store.term(index), log -> termOrAbsent(log, index));
                next++;
            }
        }
        assertThat(isCompleted || isWithInFlight)
                .as(
                        "%s; %s: every part of the store is one of the two states, but not all the same one"
                                + " (call in flight: %s)",
                        ALL_OR_NOTHING, context, inFlight == null ? "none" : inFlight.encode())
                .isTrue();
        return isCompleted ? completed : withInFlight;
    }

    private <T> void expectOneOf(String what, T observed, java.util.function.Function<ExpectedLog, T> expected) {
        T before = expected.apply(completed);
        T after = withInFlight == null ? null : expected.apply(withInFlight);
        isCompleted &= Objects.equals(observed, before);
        isWithInFlight &= after != null && Objects.equals(observed, after);
        if (Objects.equals(observed, before) || (after != null && Objects.equals(observed, after))) {
            return;
        }
        if (after == null || Objects.equals(before, after)) {
            assertThat(observed)
                    .as(
                            "%s: %s after %s; the completed calls left %s%s",
                            SURVIVES, what, context, before, Differences.between(before, observed))
                    .isEqualTo(before);
        } else {
            assertThat(observed)
                    .as(
                            "%s: %s after %s; the completed calls left %s%s, and with the call in flight (%s) it"
                                    + " would be %s%s",
                            SURVIVES_OR_ALL_OR_NOTHING,
                            what,
                            context,
                            before,
                            Differences.between(before, observed),
                            inFlight.encode(),
                            after,
                            Differences.between(after, observed))
                    .isIn(before, after);
        }
    }

    private static Object termOrAbsent(ExpectedLog log, long index) {
        return index >= log.firstIndex() - 1 && index <= log.lastIndex() ? (Object) log.term(index) : "no such index";
    }

    private static Optional<LogEntry> entryOrAbsent(ExpectedLog log, long index) {
        return log.holds(index) ? Optional.of(log.entry(index)) : Optional.empty();
    }
}
