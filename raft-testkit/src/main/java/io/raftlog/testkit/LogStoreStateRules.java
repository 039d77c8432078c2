package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The hard state, the metadata records, and everything surviving a reopening. */
abstract class LogStoreStateRules extends LogStoreRules {
    LogStoreStateRules(LogStoreContract contract) {
        super(contract);
    }

    // ---- metadata -----------------------------------------------------------------------------

    @Test
    void metadataIsEmptyInANewStoreAndKeepsWhatWasSaved() {
        assertThat(store().metadata("identity"))
                .as("rule: a new store has no metadata")
                .isEmpty();
        store().saveMetadata("identity", Bytes.ofUtf8("first"));
        store().saveMetadata("peers.n2", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES]));
        store().saveMetadata("empty", Bytes.EMPTY);
        store().saveMetadata("identity", Bytes.ofUtf8("second"));

        assertThat(store().metadata("identity"))
                .as("rule: saveMetadata replaces the record of that name")
                .contains(Bytes.ofUtf8("second"));
        assertThat(store().metadata("peers.n2").map(Bytes::size))
                .as("rule: a metadata value of MAX_METADATA_BYTES is kept whole")
                .contains(LogStore.MAX_METADATA_BYTES);
        assertThat(store().metadata("empty"))
                .as("rule: an empty metadata value is kept (and is not absent)")
                .contains(Bytes.EMPTY);
        assertThat(store().metadata("peers.n3"))
                .as("rule: a name never saved has no metadata")
                .isEmpty();
    }

    @Test
    void metadataSurvivesReopeningAndTruncationsAndIsApartFromTheHardState() {
        store().append(range(1, 10, 1));
        store().saveMetadata("identity", Bytes.ofUtf8("n1 of raftlog"));
        HardState state = new HardState(3, Optional.of(NodeId.of("n2")));
        store().saveHardState(state);
        store().truncateSuffix(5);
        store().truncatePrefix(3);

        reopen();
        assertThat(store().metadata("identity"))
                .as("rule: metadata survives truncations and reopening")
                .contains(Bytes.ofUtf8("n1 of raftlog"));
        assertThat(store().hardState())
                .as("rule: saving metadata leaves the hard state alone")
                .isEqualTo(state);
        assertThat(store().lastIndex())
                .as("rule: saving metadata leaves the log alone (lastIndex())")
                .isEqualTo(4);
    }

    @Test
    void invalidMetadataNamesAndValuesAreRefusedAndChangeNothing() {
        store().saveMetadata("identity", Bytes.ofUtf8("kept"));
        for (String bad : new String[] {
            "", "Identity", "with space", "x".repeat(LogStore.MAX_METADATA_NAME + 1), "ä", ".", "..", "...", "a/b"
        }) {
            assertRefused(
                    () -> store().saveMetadata(bad, Bytes.EMPTY),
                    "saveMetadata with the invalid name '%s' throws IllegalArgumentException",
                    bad);
            assertRefused(
                    () -> store().metadata(bad),
                    "metadata with the invalid name '%s' throws IllegalArgumentException",
                    bad);
        }
        assertRefused(
                () -> store().saveMetadata("identity", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES + 1])),
                "a metadata value over MAX_METADATA_BYTES throws IllegalArgumentException");
        assertThat(store().metadata("identity"))
                .as("rule: refused metadata changes nothing")
                .contains(Bytes.ofUtf8("kept"));
    }

    /**
     * Every valid name is a record of its own, also the names a store keeping a file per record
     * could take for one of its other files: a temporary file's suffix, a leading or trailing dot,
     * the longest name. Each keeps its own value, also after reopening.
     */
    @Test
    void metadataNamesThatLookLikeFileNamesAreRecordsOfTheirOwn() {
        String[] names = {
            "a",
            "a.tmp",
            "a.tmp.tmp",
            "tmp",
            ".a",
            "a.",
            "a..b",
            "-",
            "_",
            "0",
            "a-",
            "lock",
            "log",
            "x".repeat(LogStore.MAX_METADATA_NAME)
        };
        for (int i = 0; i < names.length; i++) {
            store().saveMetadata(names[i], Bytes.ofUtf8("value " + i));
        }
        store().saveMetadata("a", Bytes.ofUtf8("value 0")); // once more, after the others
        assertEachNameKeepsItsValue(names, "after saving them");
        reopen();
        assertEachNameKeepsItsValue(names, "after reopening");
    }

    private void assertEachNameKeepsItsValue(String[] names, String when) {
        for (int i = 0; i < names.length; i++) {
            assertThat(store().metadata(names[i]))
                    .as("rule: every valid metadata name is a record of its own ('%s', %s)", names[i], when)
                    .contains(Bytes.ofUtf8("value " + i));
        }
    }

    // ---- hard state ---------------------------------------------------------------------------

    @Test
    void hardStateIsReplacedWhole() {
        HardState voted = new HardState(3, Optional.of(NodeId.of("n1")));
        HardState nextTerm = new HardState(4, Optional.empty());

        store().saveHardState(voted);
        assertThat(store().hardState())
                .as("rule: hardState() returns the state last saved")
                .isEqualTo(voted);
        store().saveHardState(nextTerm);
        assertThat(store().hardState())
                .as("rule: saveHardState replaces term and vote together (a vote is not kept into a new term)")
                .isEqualTo(nextTerm);
        assertThat(reopen().hardState())
                .as("rule: the hard state survives reopening")
                .isEqualTo(nextTerm);
    }

    @Test
    void hardStateIsIndependentOfTheLog() {
        HardState state = new HardState(9, Optional.of(NodeId.of("a-very.long_node-name-" + "x".repeat(40))));
        store().saveHardState(state);
        store().append(range(1, 5, 9));
        store().truncateSuffix(2);
        store().truncatePrefix(2);
        assertThat(reopen().hardState())
                .as("rule: appends and truncations leave the hard state alone")
                .isEqualTo(state);
    }

    // ---- persistence --------------------------------------------------------------------------

    @Test
    void everythingSurvivesReopening() {
        store().append(range(1, 50, 1));
        store().append(range(51, 60, 5));
        HardState state = new HardState(5, Optional.of(NodeId.of("node-2")));
        store().saveHardState(state);

        reopen();

        assertThat(store().firstIndex())
                .as("rule: firstIndex() survives reopening")
                .isEqualTo(1);
        assertThat(store().lastIndex())
                .as("rule: lastIndex() survives reopening")
                .isEqualTo(60);
        assertThat(store().term(60))
                .as("rule: the last term survives reopening")
                .isEqualTo(5);
        assertThat(store().hardState())
                .as("rule: the hard state survives reopening")
                .isEqualTo(state);
        assertSameEntries(
                concat(range(1, 50, 1), range(51, 60, 5)),
                store().read(1, 100, Long.MAX_VALUE),
                "read after reopening");
    }

    @Test
    void prefixTruncationSurvivesReopening() {
        store().append(range(1, 20, 2));
        store().truncatePrefix(12);
        reopen();
        assertThat(store().firstIndex())
                .as("rule: a prefix truncation survives reopening (firstIndex())")
                .isEqualTo(12);
        assertThat(store().term(11))
                .as("rule: term(firstIndex() - 1) survives reopening")
                .isEqualTo(2);
        assertSameEntries(range(12, 20, 2), store().read(12, 100, Long.MAX_VALUE), "read after reopening");

        store().truncatePrefix(21);
        reopen();
        assertThat(store().firstIndex())
                .as("rule: an emptying prefix truncation survives reopening (firstIndex())")
                .isEqualTo(21);
        assertThat(store().lastIndex())
                .as("rule: an emptying prefix truncation survives reopening (lastIndex())")
                .isEqualTo(20);
        assertThat(store().term(20))
                .as("rule: term(firstIndex() - 1) of an emptied log survives reopening")
                .isEqualTo(2);
        store().append(range(21, 22, 3));
        assertSameEntries(range(21, 22, 3), reopen().read(21, 10, Long.MAX_VALUE), "read after reopening");
    }

    @Test
    void suffixTruncationSurvivesReopening() {
        store().append(range(1, 20, 2));
        store().truncateSuffix(8);
        reopen();
        assertThat(store().lastIndex())
                .as("rule: a suffix truncation survives reopening (lastIndex())")
                .isEqualTo(7);
        assertThat(store().term(7))
                .as("rule: a suffix truncation survives reopening (term(lastIndex()))")
                .isEqualTo(2);
        store().append(range(8, 8, 3));
        assertSameEntries(
                concat(range(1, 7, 2), range(8, 8, 3)),
                store().read(1, 100, Long.MAX_VALUE),
                "read after truncateSuffix, reopening and append");
    }
}
