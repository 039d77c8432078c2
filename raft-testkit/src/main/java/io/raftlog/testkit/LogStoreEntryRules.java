package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.entry;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Appending and reading back: every entry comes back whole, and a bad append changes nothing. */
abstract class LogStoreEntryRules extends LogStoreRules {
    /** Payload sizes every entry type is written with: none, one byte, about a header, a page and more. */
    private static final int[] PAYLOAD_SIZES = {0, 1, 24, 4095, 70_000};

    LogStoreEntryRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void newStoreIsEmpty() {
        LogStore store = store();
        assertThat(store.firstIndex())
                .as("rule: a new store has firstIndex() 1")
                .isEqualTo(1);
        assertThat(store.lastIndex()).as("rule: a new store has lastIndex() 0").isZero();
        assertThat(store.term(0)).as("rule: a new store answers term(0) with 0").isZero();
        assertThat(store.hardState())
                .as("rule: a new store has HardState.INITIAL")
                .isEqualTo(HardState.INITIAL);
        assertThat(store.read(1, 10, 1000))
                .as("rule: a new store reads nothing from index 1")
                .isEmpty();
        assertThat(store.forEach(1, 10, 1000, entry -> {}))
                .as("rule: a new store visits nothing from index 1")
                .isZero();
    }

    /**
     * Every {@link EntryType} with empty and non-empty payloads: read, forEach and both again after
     * reopening return each entry with its index, term, type, payload and size.
     */
    @Test
    void everyEntryTypeReadsBackWithItsTypeTermIndexAndPayloadAlsoAfterReopening() {
        List<LogEntry> written = new ArrayList<>();
        long term = 1;
        for (EntryType type : EntryType.values()) {
            for (int size : PAYLOAD_SIZES) {
                written.add(sized(written.size() + 1, term, type, size));
            }
            term++;
        }
        store().append(written.subList(0, 7));
        store().append(written.subList(7, written.size()));

        assertReadsBack(written, "read");
        reopen();
        assertReadsBack(written, "read after reopening");
    }

    @Test
    void emptyPayloadsReadBackEmptyForEveryEntryType() {
        List<LogEntry> written = new ArrayList<>();
        for (EntryType type : EntryType.values()) {
            written.add(new LogEntry(written.size() + 1, 2, type, Bytes.EMPTY));
        }
        store().append(written);

        assertReadsBack(written, "read");
        for (LogEntry entry : store().read(1, 100, Long.MAX_VALUE)) {
            assertThat(entry.sizeInBytes())
                    .as("rule: an empty %s entry reads back with sizeInBytes() %d", entry.type(), 24)
                    .isEqualTo(Bytes.EMPTY.size() + 24L);
        }
        reopen();
        assertReadsBack(written, "read after reopening");
    }

    @Test
    void readReturnsWhatWasAppended() {
        List<LogEntry> written = new ArrayList<>(range(1, 25, 1));
        written.add(new LogEntry(26, 2, EntryType.CONFIGURATION, Bytes.ofUtf8("a,b,c")));
        written.add(LogEntry.data(27, 2, Bytes.copyOf(new byte[200_000])));
        store().append(written.subList(0, 10));
        store().append(written.subList(10, 27));

        assertThat(store().lastIndex())
                .as("rule: lastIndex() is the index of the last entry appended")
                .isEqualTo(27);
        assertSameEntries(written, store().read(1, 100, Long.MAX_VALUE), "read(1, 100, unlimited)");
        assertSameEntries(written.subList(10, 13), store().read(11, 3, Long.MAX_VALUE), "read(11, 3, unlimited)");
    }

    @Test
    void forEachVisitsWhatReadReturns() {
        store().append(range(1, 40, 3));
        List<LogEntry> visited = new ArrayList<>();
        int count = store().forEach(5, 20, 4000, entry -> visited.add(copy(entry)));

        assertSameEntries(store().read(5, 20, 4000), visited, "forEach(5, 20, 4000)");
        assertThat(count)
                .as("rule: forEach returns the number of entries it visited")
                .isEqualTo(visited.size());
    }

    @Test
    void readEntriesStayValidAfterTheLogChangesAndTheStoreCloses() {
        store().append(range(1, 20, 1));
        List<LogEntry> before = store().read(1, 20, Long.MAX_VALUE);

        store().truncateSuffix(5);
        store().append(range(5, 30, 2));
        store().truncatePrefix(10);
        reopen();

        assertSameEntries(range(1, 20, 1), before, "read, then truncations and reopening (entries held since)");
    }

    /** An empty append is a no-op in every state of the log: no error, nothing changes. */
    @Test
    void appendingNothingChangesNothing() {
        assertEmptyAppendIsANoOp("on a new store");
        store().append(range(1, 3, 1));
        assertEmptyAppendIsANoOp("after entries 1..3");
        store().truncatePrefix(4);
        assertEmptyAppendIsANoOp("after a prefix truncation that emptied the log");
        store().reset(50, 4);
        assertEmptyAppendIsANoOp("after reset(50, 4)");
        reopen();
        assertThat(store().lastIndex())
                .as("rule: an empty append is a no-op (lastIndex() after reopening)")
                .isEqualTo(50);
        store().append(range(51, 52, 4));
        assertSameEntries(range(51, 52, 4), store().read(51, 10, Long.MAX_VALUE), "read after empty appends");
    }

    @Test
    void replaceRewritesOneEntryAndNothingElse() {
        store().append(range(1, 10, 2));
        LogEntry repaired = LogEntry.data(5, 2, Bytes.ofUtf8("the intact copy"));
        store().replace(repaired);

        assertSameEntries(List.of(repaired), store().read(5, 1, Long.MAX_VALUE), "read of the replaced entry");
        assertSameEntries(range(6, 10, 2), store().read(6, 100, Long.MAX_VALUE), "read after the replaced entry");
        assertSameEntries(range(1, 4, 2), store().read(1, 4, Long.MAX_VALUE), "read before the replaced entry");
        assertSameEntries(List.of(repaired), reopen().read(5, 1, Long.MAX_VALUE), "read after reopening");
        assertRefused(
                () -> store().replace(LogEntry.data(11, 2, Bytes.EMPTY)),
                "replace() of an index that holds no entry throws IllegalArgumentException");
        assertThat(store().lastIndex())
                .as("rule: a refused replace() changes nothing")
                .isEqualTo(10);
    }

    // ---- invalid appends change nothing -------------------------------------------------------

    @Test
    void appendLeavingAGapIsRejected() {
        store().append(range(1, 3, 1));
        assertRejectedAndUnchanged(range(5, 6, 1), "an append that leaves a gap");
    }

    @Test
    void appendOverlappingTheLogIsRejected() {
        store().append(range(1, 3, 1));
        assertRejectedAndUnchanged(range(3, 4, 1), "an append overlapping the last entry");
        assertRejectedAndUnchanged(range(1, 1, 1), "an append at index 1 of a log that has it");
    }

    @Test
    void batchWithAGapInsideIsRejectedWhole() {
        store().append(range(1, 3, 1));
        assertRejectedAndUnchanged(List.of(entry(4, 1), entry(5, 1), entry(7, 1)), "a batch with a gap inside");
    }

    @Test
    void batchGoingBackInTermIsRejectedWhole() {
        store().append(range(1, 3, 2));
        assertRejectedAndUnchanged(List.of(entry(4, 1)), "an entry with a term below the last entry's");
        assertRejectedAndUnchanged(
                List.of(entry(4, 3), entry(5, 3), entry(6, 2)), "a batch whose terms go back inside it");
    }

    @Test
    void firstAppendMustStartAtIndexOne() {
        assertRefused(() -> store().append(range(2, 3, 1)), "the first append of a new store starts at index 1");
        assertThat(store().lastIndex())
                .as("rule: a refused append changes nothing (lastIndex())")
                .isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void assertReadsBack(List<LogEntry> written, String how) {
        long from = written.get(0).index();
        assertSameEntries(written, store().read(from, Integer.MAX_VALUE, Long.MAX_VALUE), how);
        List<LogEntry> visited = new ArrayList<>();
        int count = store().forEach(from, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> visited.add(copy(entry)));
        String forEach = how.replace("read", "forEach");
        assertSameEntries(written, visited, forEach);
        assertThat(count)
                .as("rule: forEach returns the number of entries it visited (%s)", forEach)
                .isEqualTo(written.size());
    }

    private void assertEmptyAppendIsANoOp(String when) {
        LogStore store = store();
        long first = store.firstIndex();
        long last = store.lastIndex();
        long lastTerm = store.term(last);
        List<LogEntry> before = store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE);

        Throwable thrown = catchThrowable(() -> store.append(List.of()));
        assertThat(thrown)
                .as("rule: an empty append is a no-op, in every state of the log (%s)", when)
                .isNull();

        assertThat(store.firstIndex())
                .as("rule: an empty append is a no-op (firstIndex() %s)", when)
                .isEqualTo(first);
        assertThat(store.lastIndex())
                .as("rule: an empty append is a no-op (lastIndex() %s)", when)
                .isEqualTo(last);
        assertThat(store.term(last))
                .as("rule: an empty append is a no-op (term(lastIndex()) %s)", when)
                .isEqualTo(lastTerm);
        assertSameEntries(before, store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE), "read " + when);
    }

    private void assertRejectedAndUnchanged(List<LogEntry> batch, String what) {
        long first = store().firstIndex();
        long last = store().lastIndex();
        List<LogEntry> before = allEntries();

        assertRefused(() -> store().append(batch), "%s throws IllegalArgumentException", what);

        assertThat(store().firstIndex())
                .as("rule: a refused append changes nothing (firstIndex() after %s)", what)
                .isEqualTo(first);
        assertThat(store().lastIndex())
                .as("rule: a refused append changes nothing (lastIndex() after %s)", what)
                .isEqualTo(last);
        assertSameEntries(before, allEntries(), "read after " + what + " was refused");
        assertSameEntries(before, reopen().read(first, Integer.MAX_VALUE, Long.MAX_VALUE), "read after reopening");
    }

    /** A copy whose payload outlives a forEach visitor call. */
    static LogEntry copy(LogEntry entry) {
        return new LogEntry(
                entry.index(),
                entry.term(),
                entry.type(),
                Bytes.copyOf(entry.payload().toByteArray()));
    }
}
