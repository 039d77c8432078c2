package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.entry;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Terms, truncations and reset: {@code term} answers for {@code firstIndex() - 1 .. lastIndex()},
 * the term of the entry before the first survives prefix truncations (and reopening), both
 * truncations accept exactly the boundaries the SPI names, and {@code reset} moves the log after an
 * installed snapshot wherever that lies.
 */
abstract class LogStoreTruncationRules extends LogStoreRules {
    LogStoreTruncationRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void termIsAnsweredForEveryEntryAndTheOneBeforeTheFirst() {
        store().append(range(1, 5, 1));
        store().append(range(6, 9, 4));
        store().append(range(10, 10, 7));

        assertThat(store().term(0))
                .as("rule: term(0) is 0 while no prefix was removed")
                .isZero();
        for (long index = 1; index <= 10; index++) {
            assertThat(store().term(index))
                    .as("rule: term(i) is the term of the entry at i (term(%d))", index)
                    .isEqualTo(index <= 5 ? 1 : index <= 9 ? 4 : 7);
        }
        assertRefused(() -> store().term(11), "term(lastIndex() + 1) throws IllegalArgumentException");
        assertRefused(() -> store().term(-1), "term(-1) throws IllegalArgumentException");
    }

    /**
     * After {@code truncatePrefix(n)} the store answers {@code term(n - 1)} — the term of an entry
     * it no longer holds, which differs here from the term of the new first entry — before and
     * after reopening, and checks the next append against it when the log is empty.
     */
    @Test
    void termBeforeTheFirstEntryIsKeptAfterPrefixTruncationsAndReopening() {
        store().append(range(1, 4, 1));
        store().append(range(5, 8, 2));
        store().append(range(9, 10, 3));

        store().truncatePrefix(5);
        assertTermBeforeFirst(5, 1, "after truncatePrefix(5)");
        reopen();
        assertTermBeforeFirst(5, 1, "after truncatePrefix(5) and reopening");

        store().truncatePrefix(9);
        assertTermBeforeFirst(9, 2, "after a second truncatePrefix(9)");

        store().truncatePrefix(11);
        assertTermBeforeFirst(11, 3, "after truncatePrefix(lastIndex() + 1) emptied the log");
        reopen();
        assertTermBeforeFirst(11, 3, "after emptying the log and reopening");
        assertRefused(
                () -> store().append(List.of(entry(11, 2))),
                "an append to a log emptied by truncatePrefix is checked against term(firstIndex() - 1)");
        store().append(range(11, 12, 3));
        assertSameEntries(range(11, 12, 3), store().read(11, 10, Long.MAX_VALUE), "read after the emptied log");
    }

    // ---- suffix truncation --------------------------------------------------------------------

    @Test
    void truncateSuffixRemovesTheTailAndLetsANewTermReplaceIt() {
        store().append(range(1, 10, 1));

        store().truncateSuffix(6);
        assertThat(store().lastIndex())
                .as("rule: truncateSuffix(i) leaves lastIndex() at i - 1")
                .isEqualTo(5);
        assertThat(store().term(5))
                .as("rule: truncateSuffix keeps the entries before it (term(5))")
                .isEqualTo(1);
        assertRefused(() -> store().term(6), "term of a truncated index throws IllegalArgumentException");

        store().append(range(6, 8, 2));
        List<LogEntry> expected = concat(range(1, 5, 1), range(6, 8, 2));
        assertSameEntries(expected, store().read(1, 100, Long.MAX_VALUE), "read after truncateSuffix and append");
        assertSameEntries(expected, reopen().read(1, 100, Long.MAX_VALUE), "read after reopening");
    }

    @Test
    void truncateSuffixAtTheEndIsANoOpAndAtTheStartEmptiesTheLog() {
        store().append(range(1, 10, 2));
        store().truncatePrefix(4);

        store().truncateSuffix(11);
        assertThat(store().lastIndex())
                .as("rule: truncateSuffix(lastIndex() + 1) is a no-op")
                .isEqualTo(10);

        store().truncateSuffix(4);
        assertThat(store().firstIndex())
                .as("rule: truncateSuffix(firstIndex()) keeps firstIndex()")
                .isEqualTo(4);
        assertThat(store().lastIndex())
                .as("rule: truncateSuffix(firstIndex()) empties the log: lastIndex() is firstIndex() - 1")
                .isEqualTo(3);
        assertThat(store().term(3))
                .as("rule: an emptied log still answers term(firstIndex() - 1)")
                .isEqualTo(2);
        assertThat(store().read(4, 10, 1000))
                .as("rule: an emptied log reads nothing")
                .isEmpty();
    }

    @Test
    void truncateSuffixOutsideTheLogIsRejected() {
        store().append(range(1, 10, 1));
        store().truncatePrefix(3);
        assertRefused(
                () -> store().truncateSuffix(12),
                "truncateSuffix past lastIndex() + 1 throws IllegalArgumentException");
        assertRefused(
                () -> store().truncateSuffix(2), "truncateSuffix below firstIndex() throws IllegalArgumentException");
        assertSameEntries(range(3, 10, 1), store().read(3, 100, Long.MAX_VALUE), "read after refused truncations");
    }

    // ---- prefix truncation --------------------------------------------------------------------

    @Test
    void truncatePrefixKeepsTheTermOfTheEntryBeforeTheNewFirst() {
        store().append(range(1, 4, 1));
        store().append(range(5, 10, 2));

        store().truncatePrefix(5);

        assertThat(store().firstIndex())
                .as("rule: truncatePrefix(i) makes firstIndex() i")
                .isEqualTo(5);
        assertTermBeforeFirst(5, 1, "after truncatePrefix(5)");
        assertSameEntries(range(5, 10, 2), store().read(5, 100, Long.MAX_VALUE), "read after truncatePrefix(5)");
        assertRefused(() -> store().term(3), "term below firstIndex() - 1 throws IllegalArgumentException");
    }

    @Test
    void truncatePrefixPastTheLastEntryEmptiesTheLogAndAppendingContinues() {
        store().append(range(1, 7, 3));

        store().truncatePrefix(8);
        assertThat(store().firstIndex())
                .as("rule: truncatePrefix(lastIndex() + 1) makes firstIndex() lastIndex() + 1")
                .isEqualTo(8);
        assertThat(store().lastIndex())
                .as("rule: truncatePrefix(lastIndex() + 1) keeps lastIndex()")
                .isEqualTo(7);
        assertTermBeforeFirst(8, 3, "after truncatePrefix(8) of entries 1..7");
        assertRefused(
                () -> store().append(List.of(entry(8, 2))),
                "an append after an emptying prefix truncation is checked against the term before it");

        store().append(range(8, 9, 3));
        assertSameEntries(range(8, 9, 3), store().read(8, 10, Long.MAX_VALUE), "read after appending again");
    }

    @Test
    void truncatePrefixAtTheFirstIndexIsANoOp() {
        store().append(range(1, 3, 1));
        store().truncatePrefix(1);
        assertThat(store().firstIndex())
                .as("rule: truncatePrefix(firstIndex()) is a no-op")
                .isEqualTo(1);
        assertSameEntries(range(1, 3, 1), store().read(1, 10, Long.MAX_VALUE), "read after truncatePrefix(1)");
    }

    @Test
    void compactedIndexesCannotBeTruncatedReadOrLookedUp() {
        store().append(range(1, 10, 1));
        store().truncatePrefix(6);

        assertRefused(() -> store().truncatePrefix(5), "truncatePrefix below firstIndex() is refused");
        assertRefused(() -> store().truncatePrefix(12), "truncatePrefix past lastIndex() + 1 is refused");
        assertRefused(() -> store().read(5, 10, 1000), "read of a compacted index is refused");
        assertRefused(() -> store().forEach(1, 10, 1000, entry -> {}), "forEach of a compacted index is refused");
        assertRefused(() -> store().term(4), "term below firstIndex() - 1 is refused");
        assertThat(store().firstIndex())
                .as("rule: refused calls change nothing (firstIndex())")
                .isEqualTo(6);
    }

    // ---- reset (a snapshot installed) ---------------------------------------------------------

    @Test
    void resetBeyondTheLogEmptiesItAndAppendingContinuesAfterTheSnapshot() {
        store().append(range(1, 10, 1));
        HardState state = new HardState(4, Optional.of(NodeId.of("node-2")));
        store().saveHardState(state);
        store().saveMetadata("kept", Bytes.ofUtf8("yes"));

        store().reset(500, 3);

        assertExtent(501, 500, 3, "after reset(500, 3) beyond the log");
        assertThat(store().read(501, 10, Long.MAX_VALUE))
                .as("rule: a reset log reads nothing")
                .isEmpty();
        assertRefused(() -> store().read(10, 10, 1000), "a read below a reset log's start is refused");
        assertRefused(() -> store().term(10), "a term below a reset log's start is refused");
        assertThat(store().hardState()).as("rule: reset keeps the hard state").isEqualTo(state);
        assertThat(store().metadata("kept"))
                .as("rule: reset keeps the metadata")
                .contains(Bytes.ofUtf8("yes"));
        assertRefused(
                () -> store().append(range(502, 503, 3)), "after reset(i, t) appending continues at i + 1, not later");

        store().append(range(501, 505, 4));
        assertSameEntries(range(501, 505, 4), store().read(501, 10, Long.MAX_VALUE), "read after reset and append");
    }

    @Test
    void resetInsideTheLogDropsTheEntriesOnBothSidesOfIt() {
        store().append(range(1, 20, 2));

        store().reset(12, 5); // a conflicting log: its entry 12 has term 2, the snapshot's has term 5

        assertExtent(13, 12, 5, "after reset(12, 5) inside the log");
        store().append(range(13, 14, 5));
        assertSameEntries(range(13, 14, 5), store().read(13, 10, Long.MAX_VALUE), "read after reset and append");
    }

    @Test
    void resetSurvivesReopening() {
        store().append(range(1, 30, 1));
        store().truncatePrefix(5);
        store().reset(17, 2);
        reopen();
        assertExtent(18, 17, 2, "after reset(17, 2) and reopening");

        store().append(range(18, 19, 2));
        store().reset(3, 1); // below the log: a snapshot older than what it holds, installed anyway
        reopen();
        assertExtent(4, 3, 1, "after reset(3, 1) below the log and reopening");
        store().append(range(4, 4, 1));
        assertSameEntries(range(4, 4, 1), store().read(4, 10, Long.MAX_VALUE), "read after reset below the log");
    }

    @Test
    void resetWithInvalidArgumentsIsRejectedAndChangesNothing() {
        store().append(range(1, 5, 1));
        assertRefused(() -> store().reset(-1, 1), "reset(-1, 1) throws IllegalArgumentException");
        assertRefused(() -> store().reset(5, 0), "reset(5, 0) throws IllegalArgumentException");
        assertRefused(() -> store().reset(0, 1), "reset(0, 1) throws IllegalArgumentException");
        assertThat(store().firstIndex())
                .as("rule: a refused reset changes nothing (firstIndex())")
                .isEqualTo(1);
        assertSameEntries(range(1, 5, 1), store().read(1, 10, Long.MAX_VALUE), "read after refused resets");
    }

    private void assertExtent(long first, long last, long termBeforeFirst, String when) {
        assertThat(store().firstIndex())
                .as("rule: reset(i, t) makes firstIndex() i + 1 (%s)", when)
                .isEqualTo(first);
        assertThat(store().lastIndex())
                .as("rule: reset(i, t) makes lastIndex() i (%s)", when)
                .isEqualTo(last);
        assertThat(store().term(first - 1))
                .as("rule: reset(i, t) makes term(i) t (%s)", when)
                .isEqualTo(termBeforeFirst);
    }

    private void assertTermBeforeFirst(long first, long term, String when) {
        LogStore store = store();
        assertThat(store.firstIndex())
                .as("rule: truncatePrefix(i) makes firstIndex() i (%s)", when)
                .isEqualTo(first);
        assertThat(store.term(first - 1))
                .as(
                        "rule: term(firstIndex() - 1) is the term of the entry before the first, kept by "
                                + "truncatePrefix (%s)",
                        when)
                .isEqualTo(term);
    }
}
