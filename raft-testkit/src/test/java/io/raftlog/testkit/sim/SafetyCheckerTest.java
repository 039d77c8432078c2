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
}
