package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.entry;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link LogStore} must pass (a TCK). A plugin author extends this class and
 * supplies {@link #openStore(Path)}; JUnit runs every test against the store it returns.
 *
 * <pre>{@code
 * class MyLogStoreContractTest extends LogStoreContract {
 *     @Override
 *     protected LogStore openStore(Path directory) {
 *         return MyLogStore.open(directory);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh empty directory; {@link #reopen()} closes the store and opens a new one
 * on the same directory, which must see everything the old one wrote. The concurrency tests run
 * one writer (the SPI allows one mutating thread) against reader threads;
 * {@link #concurrencyChecks(LogStore)} tunes them. Crash safety and
 * corruption detection need a real disk and a killed process; a durable store should add its own
 * tests for them (see raft-storage-lmdb's {@code LmdbCrashIT} and {@code LmdbCorruptionTest}).
 */
@org.junit.jupiter.api.extension.ExtendWith(ContractExclusions.class)
public abstract class LogStoreContract {
    /** A fresh directory per test. */
    @TempDir
    protected Path directory;

    /** The store under test, opened on {@link #directory} before each test. */
    protected LogStore store;

    /**
     * Opens a store on {@code directory}: a new empty store the first time, and afterwards (once
     * the previous store on it is closed) a store that sees everything written there before.
     */
    protected abstract LogStore openStore(Path directory);

    /**
     * The concurrency checks the contract runs on {@code store}; override to tune them (more
     * readers, longer runs), for example {@code new LogStoreConcurrencyChecks(store) { protected
     * int readers() { return 8; } }}.
     */
    protected LogStoreConcurrencyChecks concurrencyChecks(LogStore store) {
        return new LogStoreConcurrencyChecks(store);
    }

    @BeforeEach
    final void openFreshStore() {
        store = openStore(directory);
    }

    @AfterEach
    final void closeStore() {
        store.close();
    }

    /** Closes {@link #store} and opens it again on the same directory. */
    protected final LogStore reopen() {
        store.close();
        store = openStore(directory);
        return store;
    }

    // ---- a new store --------------------------------------------------------------------------

    @Test
    void newStoreIsEmpty() {
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isZero();
        assertThat(store.term(0)).isZero();
        assertThat(store.hardState()).isEqualTo(HardState.INITIAL);
        assertThat(store.read(1, 10, 1000)).isEmpty();
        assertThat(store.forEach(1, 10, 1000, entry -> {})).isZero();
    }

    // ---- metadata -----------------------------------------------------------------------------

    @Test
    void metadataIsEmptyInANewStoreAndKeepsWhatWasSaved() {
        assertThat(store.metadata("identity")).isEmpty();
        store.saveMetadata("identity", Bytes.ofUtf8("first"));
        store.saveMetadata("peers.n2", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES]));
        store.saveMetadata("empty", Bytes.EMPTY);
        store.saveMetadata("identity", Bytes.ofUtf8("second")); // replaces

        assertThat(store.metadata("identity")).contains(Bytes.ofUtf8("second"));
        assertThat(store.metadata("peers.n2"))
                .hasValueSatisfying(value -> assertThat(value.size()).isEqualTo(LogStore.MAX_METADATA_BYTES));
        assertThat(store.metadata("empty")).contains(Bytes.EMPTY);
        assertThat(store.metadata("peers.n3")).isEmpty();
    }

    @Test
    void metadataSurvivesReopeningAndTruncationsAndIsApartFromTheHardState() {
        store.append(range(1, 10, 1));
        store.saveMetadata("identity", Bytes.ofUtf8("n1 of raftlog"));
        store.saveHardState(new HardState(3, Optional.of(NodeId.of("n2"))));
        store.truncateSuffix(5);
        store.truncatePrefix(3);

        reopen();
        assertThat(store.metadata("identity")).contains(Bytes.ofUtf8("n1 of raftlog"));
        assertThat(store.hardState()).isEqualTo(new HardState(3, Optional.of(NodeId.of("n2"))));
        assertThat(store.lastIndex()).isEqualTo(4);
    }

    @Test
    void invalidMetadataNamesAndValuesAreRefusedAndChangeNothing() {
        store.saveMetadata("identity", Bytes.ofUtf8("kept"));
        for (String bad :
                new String[] {"", "Identity", "with space", "x".repeat(LogStore.MAX_METADATA_NAME + 1), "ä"}) {
            assertThatThrownBy(() -> store.saveMetadata(bad, Bytes.EMPTY))
                    .as("name '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.metadata(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(
                        () -> store.saveMetadata("identity", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES + 1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.metadata("identity")).contains(Bytes.ofUtf8("kept"));
    }

    @Test
    void replaceRewritesOneEntryAndNothingElse() {
        store.append(range(1, 10, 2));
        LogEntry repaired = LogEntry.data(5, 2, Bytes.ofUtf8("the intact copy"));
        store.replace(repaired);

        assertThat(store.read(5, 1, Long.MAX_VALUE)).containsExactly(repaired);
        assertThat(store.read(1, 100, Long.MAX_VALUE)).hasSize(10);
        assertThat(store.read(6, 100, Long.MAX_VALUE)).isEqualTo(range(6, 10, 2));
        assertThat(reopen().read(5, 1, Long.MAX_VALUE)).containsExactly(repaired);
        assertThatThrownBy(() -> store.replace(LogEntry.data(11, 2, Bytes.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isEqualTo(10);
    }

    // ---- append and read ----------------------------------------------------------------------

    @Test
    void readReturnsWhatWasAppended() {
        List<LogEntry> written = new ArrayList<>(range(1, 25, 1));
        written.add(new LogEntry(26, 2, EntryType.CONFIGURATION, Bytes.ofUtf8("a,b,c")));
        written.add(LogEntry.data(27, 2, Bytes.copyOf(new byte[200_000])));
        store.append(written.subList(0, 10));
        store.append(written.subList(10, 27));

        assertThat(store.lastIndex()).isEqualTo(27);
        assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(written);
        assertThat(store.read(11, 3, Long.MAX_VALUE)).isEqualTo(written.subList(10, 13));
    }

    @Test
    void appendingNothingChangesNothing() {
        store.append(range(1, 3, 1));
        store.append(List.of());
        assertThat(store.lastIndex()).isEqualTo(3);
    }

    @Test
    void readStopsAtMaxBytesButReturnsAtLeastOneEntry() {
        List<LogEntry> written = List.of(sized(1, 100), sized(2, 100), sized(3, 100), sized(4, 5000));
        store.append(written);
        long twoEntries = written.get(0).sizeInBytes() + written.get(1).sizeInBytes();

        assertThat(store.read(1, 10, twoEntries)).isEqualTo(written.subList(0, 2));
        assertThat(store.read(1, 10, twoEntries + 1)).isEqualTo(written.subList(0, 2));
        assertThat(store.read(1, 10, 1)).isEqualTo(written.subList(0, 1));
        assertThat(store.read(4, 10, 1)).isEqualTo(written.subList(3, 4));
        assertThat(store.read(1, 2, Long.MAX_VALUE)).isEqualTo(written.subList(0, 2));
    }

    @Test
    void forEachVisitsWhatReadReturns() {
        store.append(range(1, 40, 3));
        List<LogEntry> visited = new ArrayList<>();
        Consumer<LogEntry> copying = entry -> visited.add(new LogEntry(
                entry.index(),
                entry.term(),
                entry.type(),
                Bytes.copyOf(entry.payload().toByteArray())));

        int count = store.forEach(5, 20, 4000, copying);

        assertThat(visited).isEqualTo(store.read(5, 20, 4000));
        assertThat(count).isEqualTo(visited.size());
    }

    @Test
    void readEntriesStayValidAfterTheLogChangesAndTheStoreCloses() {
        store.append(range(1, 20, 1));
        List<LogEntry> before = store.read(1, 20, Long.MAX_VALUE);

        store.truncateSuffix(5);
        store.append(range(5, 30, 2));
        store.truncatePrefix(10);
        reopen();

        assertThat(before).isEqualTo(range(1, 20, 1));
    }

    // ---- terms --------------------------------------------------------------------------------

    @Test
    void termIsAnsweredForEveryEntryAndTheOneBeforeTheFirst() {
        store.append(range(1, 5, 1));
        store.append(range(6, 9, 4));
        store.append(range(10, 10, 7));

        assertThat(store.term(0)).isZero();
        for (long index = 1; index <= 10; index++) {
            assertThat(store.term(index)).as("term(%d)", index).isEqualTo(index <= 5 ? 1 : index <= 9 ? 4 : 7);
        }
        assertThatThrownBy(() -> store.term(11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.term(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- invalid appends change nothing -------------------------------------------------------

    @Test
    void appendLeavingAGapIsRejected() {
        store.append(range(1, 3, 1));
        assertRejectedAndUnchanged(range(5, 6, 1));
    }

    @Test
    void appendOverlappingTheLogIsRejected() {
        store.append(range(1, 3, 1));
        assertRejectedAndUnchanged(range(3, 4, 1));
        assertRejectedAndUnchanged(range(1, 1, 1));
    }

    @Test
    void batchWithAGapInsideIsRejectedWhole() {
        store.append(range(1, 3, 1));
        assertRejectedAndUnchanged(List.of(entry(4, 1), entry(5, 1), entry(7, 1)));
    }

    @Test
    void batchGoingBackInTermIsRejectedWhole() {
        store.append(range(1, 3, 2));
        assertRejectedAndUnchanged(List.of(entry(4, 1)));
        assertRejectedAndUnchanged(List.of(entry(4, 3), entry(5, 3), entry(6, 2)));
    }

    @Test
    void firstAppendMustStartAtIndexOne() {
        assertThatThrownBy(() -> store.append(range(2, 3, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lastIndex()).isZero();
    }

    // ---- suffix truncation --------------------------------------------------------------------

    @Test
    void truncateSuffixRemovesTheTailAndLetsANewTermReplaceIt() {
        store.append(range(1, 10, 1));

        store.truncateSuffix(6);
        assertThat(store.lastIndex()).isEqualTo(5);
        assertThat(store.term(5)).isEqualTo(1);
        assertThatThrownBy(() -> store.term(6)).isInstanceOf(IllegalArgumentException.class);

        store.append(range(6, 8, 2));
        assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(concat(range(1, 5, 1), range(6, 8, 2)));
        assertThat(reopen().read(1, 100, Long.MAX_VALUE)).isEqualTo(concat(range(1, 5, 1), range(6, 8, 2)));
    }

    @Test
    void truncateSuffixAtTheEndIsANoOpAndAtTheStartEmptiesTheLog() {
        store.append(range(1, 10, 2));
        store.truncatePrefix(4);

        store.truncateSuffix(11);
        assertThat(store.lastIndex()).isEqualTo(10);

        store.truncateSuffix(4);
        assertThat(store.firstIndex()).isEqualTo(4);
        assertThat(store.lastIndex()).isEqualTo(3);
        assertThat(store.term(3)).isEqualTo(2);
        assertThat(store.read(4, 10, 1000)).isEmpty();
    }

    @Test
    void truncateSuffixOutsideTheLogIsRejected() {
        store.append(range(1, 10, 1));
        store.truncatePrefix(3);
        assertThatThrownBy(() -> store.truncateSuffix(12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.truncateSuffix(2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.read(3, 100, Long.MAX_VALUE)).isEqualTo(range(3, 10, 1));
    }

    // ---- prefix truncation --------------------------------------------------------------------

    @Test
    void truncatePrefixKeepsTheTermOfTheEntryBeforeTheNewFirst() {
        store.append(range(1, 4, 1));
        store.append(range(5, 10, 2));

        store.truncatePrefix(5);

        assertThat(store.firstIndex()).isEqualTo(5);
        assertThat(store.term(4)).isEqualTo(1);
        assertThat(store.read(5, 100, Long.MAX_VALUE)).isEqualTo(range(5, 10, 2));
        assertThatThrownBy(() -> store.term(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncatePrefixPastTheLastEntryEmptiesTheLogAndAppendingContinues() {
        store.append(range(1, 7, 3));

        store.truncatePrefix(8);
        assertThat(store.firstIndex()).isEqualTo(8);
        assertThat(store.lastIndex()).isEqualTo(7);
        assertThat(store.term(7)).isEqualTo(3);
        assertThatThrownBy(() -> store.append(List.of(entry(8, 2)))).isInstanceOf(IllegalArgumentException.class);

        store.append(range(8, 9, 3));
        assertThat(store.read(8, 10, Long.MAX_VALUE)).isEqualTo(range(8, 9, 3));
    }

    @Test
    void truncatePrefixAtTheFirstIndexIsANoOp() {
        store.append(range(1, 3, 1));
        store.truncatePrefix(1);
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.read(1, 10, Long.MAX_VALUE)).isEqualTo(range(1, 3, 1));
    }

    @Test
    void compactedIndexesCannotBeTruncatedReadOrLookedUp() {
        store.append(range(1, 10, 1));
        store.truncatePrefix(6);

        assertThatThrownBy(() -> store.truncatePrefix(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.truncatePrefix(12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.read(5, 10, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.forEach(1, 10, 1000, entry -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.term(4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.firstIndex()).isEqualTo(6);
    }

    // ---- reset (a snapshot installed) ---------------------------------------------------------

    @Test
    void resetBeyondTheLogEmptiesItAndAppendingContinuesAfterTheSnapshot() {
        store.append(range(1, 10, 1));
        store.saveHardState(new HardState(4, Optional.of(NodeId.of("node-2"))));
        store.saveMetadata("kept", Bytes.ofUtf8("yes"));

        store.reset(500, 3);

        assertThat(store.firstIndex()).isEqualTo(501);
        assertThat(store.lastIndex()).isEqualTo(500);
        assertThat(store.term(500)).isEqualTo(3);
        assertThat(store.read(501, 10, Long.MAX_VALUE)).isEmpty();
        assertThatThrownBy(() -> store.read(10, 10, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.term(10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.hardState()).isEqualTo(new HardState(4, Optional.of(NodeId.of("node-2"))));
        assertThat(store.metadata("kept")).contains(Bytes.ofUtf8("yes"));
        assertThatThrownBy(() -> store.append(range(502, 503, 3))).isInstanceOf(IllegalArgumentException.class);

        store.append(range(501, 505, 4));
        assertThat(store.read(501, 10, Long.MAX_VALUE)).isEqualTo(range(501, 505, 4));
    }

    @Test
    void resetInsideTheLogDropsTheEntriesOnBothSidesOfIt() {
        store.append(range(1, 20, 2));

        store.reset(12, 5); // a conflicting log: its entry 12 has term 2, the snapshot's has term 5

        assertThat(store.firstIndex()).isEqualTo(13);
        assertThat(store.lastIndex()).isEqualTo(12);
        assertThat(store.term(12)).isEqualTo(5);
        store.append(range(13, 14, 5));
        assertThat(store.read(13, 10, Long.MAX_VALUE)).isEqualTo(range(13, 14, 5));
    }

    @Test
    void resetSurvivesReopening() {
        store.append(range(1, 30, 1));
        store.truncatePrefix(5);
        store.reset(17, 2);
        reopen();
        assertThat(store.firstIndex()).isEqualTo(18);
        assertThat(store.lastIndex()).isEqualTo(17);
        assertThat(store.term(17)).isEqualTo(2);

        store.append(range(18, 19, 2));
        store.reset(3, 1); // below the log: a snapshot older than what it holds, installed anyway
        reopen();
        assertThat(store.firstIndex()).isEqualTo(4);
        assertThat(store.lastIndex()).isEqualTo(3);
        assertThat(store.term(3)).isEqualTo(1);
        store.append(range(4, 4, 1));
        assertThat(store.read(4, 10, Long.MAX_VALUE)).isEqualTo(range(4, 4, 1));
    }

    @Test
    void resetWithInvalidArgumentsIsRejectedAndChangesNothing() {
        store.append(range(1, 5, 1));
        assertThatThrownBy(() -> store.reset(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.reset(5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.reset(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.read(1, 10, Long.MAX_VALUE)).isEqualTo(range(1, 5, 1));
    }

    // ---- invalid reads ------------------------------------------------------------------------

    @Test
    void readingBeyondTheEndIsRejected() {
        store.append(range(1, 5, 1));
        assertThat(store.read(6, 10, 1000)).isEmpty();
        assertThatThrownBy(() -> store.read(7, 10, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.read(0, 10, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.forEach(7, 10, 1000, entry -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readLimitsMustBePositive() {
        store.append(range(1, 5, 1));
        assertThatThrownBy(() -> store.read(1, 0, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.read(1, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.forEach(1, -1, 1000, entry -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- persistence --------------------------------------------------------------------------

    @Test
    void everythingSurvivesReopening() {
        store.append(range(1, 50, 1));
        store.append(range(51, 60, 5));
        HardState state = new HardState(5, Optional.of(NodeId.of("node-2")));
        store.saveHardState(state);

        reopen();

        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isEqualTo(60);
        assertThat(store.term(60)).isEqualTo(5);
        assertThat(store.hardState()).isEqualTo(state);
        assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(concat(range(1, 50, 1), range(51, 60, 5)));
    }

    @Test
    void prefixTruncationSurvivesReopening() {
        store.append(range(1, 20, 2));
        store.truncatePrefix(12);
        reopen();
        assertThat(store.firstIndex()).isEqualTo(12);
        assertThat(store.term(11)).isEqualTo(2);
        assertThat(store.read(12, 100, Long.MAX_VALUE)).isEqualTo(range(12, 20, 2));

        store.truncatePrefix(21);
        reopen();
        assertThat(store.firstIndex()).isEqualTo(21);
        assertThat(store.lastIndex()).isEqualTo(20);
        assertThat(store.term(20)).isEqualTo(2);
        store.append(range(21, 22, 3));
        assertThat(reopen().read(21, 10, Long.MAX_VALUE)).isEqualTo(range(21, 22, 3));
    }

    @Test
    void suffixTruncationSurvivesReopening() {
        store.append(range(1, 20, 2));
        store.truncateSuffix(8);
        reopen();
        assertThat(store.lastIndex()).isEqualTo(7);
        assertThat(store.term(7)).isEqualTo(2);
        store.append(range(8, 8, 3));
        assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(concat(range(1, 7, 2), range(8, 8, 3)));
    }

    // ---- hard state ---------------------------------------------------------------------------

    @Test
    void hardStateIsReplacedWhole() {
        HardState voted = new HardState(3, Optional.of(NodeId.of("n1")));
        HardState nextTerm = new HardState(4, Optional.empty());

        store.saveHardState(voted);
        assertThat(store.hardState()).isEqualTo(voted);
        store.saveHardState(nextTerm);
        assertThat(store.hardState()).isEqualTo(nextTerm);
        assertThat(reopen().hardState()).isEqualTo(nextTerm);
    }

    @Test
    void hardStateIsIndependentOfTheLog() {
        HardState state = new HardState(9, Optional.of(NodeId.of("a-very.long_node-name-" + "x".repeat(40))));
        store.saveHardState(state);
        store.append(range(1, 5, 9));
        store.truncateSuffix(2);
        store.truncatePrefix(2);
        assertThat(reopen().hardState()).isEqualTo(state);
    }

    // ---- concurrency --------------------------------------------------------------------------

    @Test
    void readersDuringAppendsSeeWholeBatches() throws Exception {
        concurrencyChecks(store).readersDuringAppendsSeeWholeBatches();
    }

    @Test
    void readersDuringTruncationsSeeContiguousIntactEntries() throws Exception {
        concurrencyChecks(store).readersDuringTruncationsSeeContiguousIntactEntries();
    }

    @Test
    void readersOfTheHardStateNeverSeeATornState() throws Exception {
        concurrencyChecks(store).readersOfTheHardStateNeverSeeATornState();
    }

    // ---- closing ------------------------------------------------------------------------------

    @Test
    void aClosedStoreRefusesCallsAndClosingTwiceIsHarmless() {
        store.append(range(1, 3, 1));
        store.close();
        store.close();

        assertThatThrownBy(() -> store.lastIndex()).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> store.read(1, 10, 1000)).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> store.append(range(4, 4, 1))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> store.saveHardState(HardState.INITIAL)).isInstanceOf(RuntimeException.class);
        assertThat(reopen().lastIndex()).isEqualTo(3);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void assertRejectedAndUnchanged(List<LogEntry> batch) {
        long first = store.firstIndex();
        long last = store.lastIndex();
        List<LogEntry> before = store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE);

        assertThatThrownBy(() -> store.append(batch)).isInstanceOf(IllegalArgumentException.class);

        assertThat(store.firstIndex()).isEqualTo(first);
        assertThat(store.lastIndex()).isEqualTo(last);
        assertThat(store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(before);
        assertThat(reopen().read(first, Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(before);
    }

    private static LogEntry sized(long index, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        payload[0] = (byte) index;
        return LogEntry.data(index, 1, Bytes.copyOf(payload));
    }

    private static List<LogEntry> concat(List<LogEntry> first, List<LogEntry> second) {
        List<LogEntry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
