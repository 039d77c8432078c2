package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.spi.metrics.NodeMetrics;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppendTrackerTest {
    private final AppendTracker tracker = new AppendTracker(NodeMetrics.NONE, NodeClock.system());
    private static final NodeId SELF = NodeId.of("n1");

    private static AppendOutcome.Offsets outcome() {
        return AppendOutcome.offsets(AppendOutcome.Latency.NONE, 0);
    }

    @Test
    void aRunOfAppendsOfTheAppliedEntrysTermCostsOneTermLookup() {
        List<AppendOutcome.Offsets> appends = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            appends.add(outcome());
            tracker.accepted(1 + i, 1, 2, appends.get(i));
        }
        int[] lookups = {0};
        tracker.applied(
                100,
                index -> {
                    lookups[0]++;
                    return 2;
                },
                SELF,
                Optional.empty());
        assertThat(appends).allSatisfy(a -> assertThat(a).isCompleted());
        assertThat(lookups[0]).isEqualTo(1);
    }

    @Test
    void eachOutcomeRecordsItsLatencyOnceWhateverItIs() {
        List<Long> answered = new java.util.ArrayList<>();
        AppendOutcome.One committed = AppendOutcome.one(answered::add, 11);
        AppendOutcome.One lost = AppendOutcome.one(answered::add, 22);
        tracker.accepted(1, 1, 2, committed);
        tracker.accepted(2, 1, 2, lost);
        tracker.applied(2, index -> index == 1 ? 2 : 3, SELF, Optional.empty());
        assertThat(committed.join()).isEqualTo(1L);
        assertThat(lost).isCompletedExceptionally();
        assertThat(answered).containsExactly(11L, 22L);
    }

    @Test
    void aCommittedAppendGetsEachOfItsOffsets() {
        AppendOutcome.Offsets batch = outcome();
        tracker.accepted(5, 3, 2, batch);
        tracker.applied(7, index -> 2, SELF, Optional.empty());
        assertThat(batch.join()).containsExactly(5L, 6L, 7L).isEqualTo(List.of(5L, 6L, 7L));
        assertThat(batch.join().hashCode()).isEqualTo(List.of(5L, 6L, 7L).hashCode());
    }

    @Test
    void anAppendIsResolvedOnlyOnceAllItsEntriesAreApplied() {
        AppendOutcome.Offsets batch = outcome();
        tracker.accepted(5, 3, 2, batch);
        tracker.applied(6, index -> 2, SELF, Optional.empty());
        assertThat(batch).isNotDone();
        assertThat(tracker.size()).isEqualTo(1);
    }

    @Test
    void anAppendAcceptedBelowAnOlderOneIsResolvedInIndexOrder() {
        // Leader in term 2 accepted 10..20; its log was cut back to 12 by a later leader; leading
        // again in term 4 it accepts 13. Applying 13 resolves the new append, not the old one.
        AppendOutcome.Offsets old = outcome();
        AppendOutcome.Offsets recent = outcome();
        tracker.accepted(10, 11, 2, old);
        tracker.accepted(13, 1, 4, recent);
        tracker.applied(13, index -> index <= 12 ? 2 : 4, SELF, Optional.empty());
        assertThat(recent.join()).containsExactly(13L);
        assertThat(old).isNotDone();

        tracker.applied(20, index -> index <= 12 ? 2 : 4, SELF, Optional.empty());
        assertThat(old.handle((v, e) -> e).join()).isInstanceOf(io.raftlog.api.IndeterminateResultException.class);
        assertThat(tracker.size()).isZero();
    }

    @Test
    void anAppendReplacedWholeFailsWithNotLeader() {
        AppendOutcome.Offsets lost = outcome();
        tracker.accepted(3, 2, 2, lost);
        tracker.applied(4, index -> 3, SELF, Optional.of(NodeId.of("n2")));
        assertThat(lost.handle((v, e) -> e).join()).isInstanceOf(NotLeaderException.class);
    }

    @Test
    void anAppendWhoseTermLookupMeetsDamageWaitsForTheRepair() {
        AppendOutcome.Offsets append = outcome();
        tracker.accepted(3, 2, 2, append);
        boolean[] damaged = {true};
        java.util.function.LongUnaryOperator termAt = index -> {
            if (damaged[0]) {
                throw new io.raftlog.api.CorruptLogException(index, "test store", "checksum mismatch");
            }
            return 2;
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tracker.applied(4, termAt, SELF, Optional.empty()))
                .isInstanceOf(io.raftlog.api.CorruptLogException.class);
        assertThat(tracker.size()).as("still tracked").isEqualTo(1);

        damaged[0] = false; // repaired
        tracker.applied(4, termAt, SELF, Optional.empty());
        assertThat(append.join()).containsExactly(3L, 4L);
    }

    @Test
    void aBacklogOfAppendsAcceptedBelowOlderOnesResolvesInIndexOrder() {
        // Old outstanding appends at 100..199 (term 2); leading again after a cut-back, the node
        // accepts 13..112 (term 4). Each resolves once the applied index reaches its last index.
        List<AppendOutcome.Offsets> old = new java.util.ArrayList<>();
        List<AppendOutcome.Offsets> recent = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            AppendOutcome.Offsets f = outcome();
            tracker.accepted(100 + i, 1, 2, f);
            old.add(f);
        }
        for (int i = 0; i < 100; i++) {
            AppendOutcome.Offsets f = outcome();
            tracker.accepted(13 + i, 1, 4, f);
            recent.add(f);
        }
        java.util.function.LongUnaryOperator termAt = index -> index < 13 ? 2 : 4;
        tracker.applied(50, termAt, SELF, Optional.empty());
        assertThat(recent.subList(0, 38)).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(recent.get(38)).isNotDone();
        assertThat(old).allSatisfy(f -> assertThat(f).isNotDone());

        tracker.applied(150, termAt, SELF, Optional.empty());
        assertThat(recent).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(old.subList(0, 51)).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
        assertThat(old.get(51)).isNotDone();
        assertThat(tracker.size()).isEqualTo(49);
    }
}
