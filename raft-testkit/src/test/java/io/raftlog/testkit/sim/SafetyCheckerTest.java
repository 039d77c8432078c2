package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.testkit.TestEntries;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it must not report a violation the cluster did not commit (review F4). */
class SafetyCheckerTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    /**
     * A follower holds 1..10 of term 2, hands out a write that truncates at 7 and appends 7 of
     * term 3, and crashes before that write lands: it restarts with 1..10 of term 2. The leader
     * then sends 11. The checker's hashes of A's log must describe its disk, not its lost write.
     */
    @Test
    void aCrashThatLostATruncatingWriteIsNoLogGapAndNoLogMatchingViolation() {
        SafetyChecker checker = new SafetyChecker();
        InMemoryLogStore disk = new InMemoryLogStore();
        disk.append(TestEntries.range(1, 10, 2));
        SafetyChecker.PrefixHashes hashesOfA = new SafetyChecker.PrefixHashes();
        checker.onEntries(A, false, 0, TestEntries.range(1, 10, 2), hashesOfA);
        checker.onEntries(A, false, 10, List.of(TestEntries.entry(7, 3)), hashesOfA); // lost in the crash

        hashesOfA.rebuild(disk); // the restart

        SafetyChecker.PrefixHashes hashesOfB = new SafetyChecker.PrefixHashes();
        checker.onEntries(B, true, 0, TestEntries.range(1, 11, 2), hashesOfB);
        assertThatCode(() -> checker.onEntries(A, false, 10, List.of(TestEntries.entry(11, 2)), hashesOfA))
                .doesNotThrowAnyException();
    }

    @Test
    void withoutTheRebuildTheSameRunIsAFalseLogGap() {
        SafetyChecker checker = new SafetyChecker();
        SafetyChecker.PrefixHashes hashesOfA = new SafetyChecker.PrefixHashes();
        checker.onEntries(A, false, 0, TestEntries.range(1, 10, 2), hashesOfA);
        checker.onEntries(A, false, 10, List.of(TestEntries.entry(7, 3)), hashesOfA);

        hashesOfA.truncate(10); // what a restart used to do: only ever shrink

        assertThatThrownBy(() -> checker.onEntries(A, false, 10, List.of(TestEntries.entry(11, 2)), hashesOfA))
                .hasMessageContaining("log gap: entry 11 after 7");
    }

    @Test
    void aRealLogMatchingViolationIsStillCaught() {
        SafetyChecker checker = new SafetyChecker();
        checker.onEntries(A, false, 0, TestEntries.range(1, 5, 1), new SafetyChecker.PrefixHashes());
        SafetyChecker.PrefixHashes hashesOfB = new SafetyChecker.PrefixHashes();
        checker.onEntries(B, false, 0, List.of(TestEntries.entry(1, 1), TestEntries.entry(2, 2)), hashesOfB);
        // B's entry 3 of term 1 follows a prefix that differs from A's (2 of term 2 vs 2 of term 1).
        assertThatThrownBy(() -> checker.onEntries(B, false, 2, List.of(TestEntries.entry(3, 1)), hashesOfB))
                .hasMessageContaining("Log Matching");
    }

    /** A log of {@code lastIndex} entries: term 1 up to index 2, term 3 after. */
    private static SafetyChecker.LogView logOf(long lastIndex) {
        return new SafetyChecker.LogView() {
            @Override
            public long lastIndex() {
                return lastIndex;
            }

            @Override
            public long termAt(long index) {
                return index <= 2 ? 1 : 3;
            }
        };
    }

    /**
     * Raft §5.4's completeness is for higher terms. A candidate whose granted votes reach it late
     * (it was paused) may win term 2 after term 3 committed entries it does not hold: no violation
     * (found by NodeSimulationTest, seed 4713 of 20000). Entries committed before its first vote
     * was granted it must hold.
     */
    @Test
    void aLeaderMustHoldWhatWasCommittedBeforeItsFirstVoteNotWhatANewerTermCommittedSince() {
        SafetyChecker checker = new SafetyChecker();
        checker.onApply(B, TestEntries.range(1, 2, 1));
        checker.onVoteGranted(A, 2); // while entries 1..2 are known committed
        checker.onLeader(B, 3, logOf(5));
        checker.onApply(B, TestEntries.range(3, 5, 3)); // term 3 commits 3..5

        assertThatCode(() -> checker.onLeader(A, 2, logOf(2))).doesNotThrowAnyException();

        SafetyChecker strict = new SafetyChecker();
        strict.onApply(B, TestEntries.range(1, 2, 1));
        strict.onVoteGranted(A, 2);
        assertThatThrownBy(() -> strict.onLeader(A, 2, logOf(1))).hasMessageContaining("Leader Completeness");
    }
}
