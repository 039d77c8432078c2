package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a store must hold after a sequence of {@link CrashOp}s: the log's extent, each entry's term
 * and version, the hard state and the metadata. The parent of the crash suite keeps one, applies
 * each call the child reports complete, and compares the reopened store with it.
 *
 * <p>A call that does not fit the state (an append that leaves a gap, say) means the child made it
 * on a store whose indexes disagree with the calls it completed; that is reported as an
 * {@link AssertionError}.
 */
final class ExpectedLog {
    private record Slot(long term, long version) {}

    private long first = 1;
    private long termBeforeFirst;
    private final List<Slot> slots;
    private long hardStateTerm;
    private final long[] metadataVersions;

    ExpectedLog() {
        this.slots = new ArrayList<>();
        this.metadataVersions = new long[StoredValues.METADATA_NAMES.length];
        Arrays.fill(metadataVersions, -1);
    }

    private ExpectedLog(ExpectedLog other) {
        this.first = other.first;
        this.termBeforeFirst = other.termBeforeFirst;
        this.slots = new ArrayList<>(other.slots);
        this.hardStateTerm = other.hardStateTerm;
        this.metadataVersions = other.metadataVersions.clone();
    }

    /** An independent copy. */
    ExpectedLog copy() {
        return new ExpectedLog(this);
    }

    /** This state with {@code op} applied, as a new object. */
    ExpectedLog after(CrashOp op) {
        ExpectedLog next = copy();
        op.applyTo(next);
        return next;
    }

    long firstIndex() {
        return first;
    }

    long lastIndex() {
        return first + slots.size() - 1;
    }

    /** The term of {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}. */
    long term(long index) {
        return index == first - 1 ? termBeforeFirst : slot(index).term();
    }

    /** The entry at {@code index}, which must be in the log. */
    LogEntry entry(long index) {
        Slot slot = slot(index);
        return StoredValues.entry(index, slot.term(), slot.version());
    }

    boolean holds(long index) {
        return index >= first && index <= lastIndex();
    }

    HardState hardState() {
        return StoredValues.hardState(hardStateTerm);
    }

    /** The value saved under {@code StoredValues.METADATA_NAMES[name]}, if any. */
    Optional<Bytes> metadata(int name) {
        long version = metadataVersions[name];
        return version < 0
                ? Optional.empty()
                : Optional.of(StoredValues.metadataValue(StoredValues.METADATA_NAMES[name], version));
    }

    void append(long from, int count, long term) {
        check(from == lastIndex() + 1, "append at " + from);
        check(
                slots.isEmpty()
                        ? term >= termBeforeFirst
                        : term >= slots.get(slots.size() - 1).term(),
                "term");
        for (int i = 0; i < count; i++) {
            slots.add(new Slot(term, 0));
        }
    }

    void truncateSuffix(long from) {
        check(from >= first && from <= lastIndex() + 1, "truncateSuffix(" + from + ")");
        slots.subList((int) (from - first), slots.size()).clear();
    }

    void truncatePrefix(long to) {
        check(to >= first && to <= lastIndex() + 1, "truncatePrefix(" + to + ")");
        termBeforeFirst = term(to - 1);
        slots.subList(0, (int) (to - first)).clear();
        first = to;
    }

    void reset(long index, long term) {
        slots.clear();
        first = index + 1;
        termBeforeFirst = term;
    }

    void saveHardState(long term) {
        hardStateTerm = term;
    }

    void saveMetadata(int name, long version) {
        metadataVersions[name] = version;
    }

    void replace(long index, long term, long version) {
        check(holds(index) && slot(index).term() == term, "replace(" + index + ") in term " + term);
        slots.set((int) (index - first), new Slot(term, version));
    }

    /** A short description for failure messages. */
    String describe() {
        return "entries " + first + ".." + lastIndex() + " (term before them " + termBeforeFirst + "), hard state term "
                + hardStateTerm + ", metadata versions " + Arrays.toString(metadataVersions);
    }

    private Slot slot(long index) {
        if (!holds(index)) {
            throw new IllegalArgumentException("index " + index + " is outside " + first + ".." + lastIndex());
        }
        return slots.get((int) (index - first));
    }

    private void check(boolean condition, String call) {
        if (!condition) {
            throw new AssertionError("the child made the call " + call + " on a store whose indexes disagree with"
                    + " the calls it completed (expected " + describe() + ")");
        }
    }
}
