package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Raft Figure 8 (§5.4.2): a leader cannot conclude that an entry of an earlier term is committed
 * just because it is stored on a majority. Five servers S1..S5 are n1..n5; raw Raft (no PreVote, no
 * CheckQuorum) so that crashed and restarted servers campaign exactly as in the paper. A new
 * leader's no-op plays the part of the paper's entries "3" (S5, term 3) and "4" (S1, term 4); one
 * entry per AppendEntries makes S1 ship index 2 on its own.
 */
class Figure8Test {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false).withAppendLimits(1, 1 << 20);

    private TestCluster cluster;

    @BeforeEach
    void playFigure8aToC() {
        // (a) S1 leads term 2 and has replicated index 2 to S2 only.
        cluster = new TestCluster(5, RAFT);
        cluster.setLog(1, 2, 1, 2);
        cluster.setLog(2, 2, 1, 2);
        cluster.setLog(3, 2, 1);
        cluster.setLog(4, 2, 1);
        cluster.setLog(5, 2, 1);

        // (b) S1 crashes; S5 is elected for term 3 by S3, S4 and itself (S2's log is more up to date)
        // and appends its no-op at index 2, then crashes before sending it anywhere.
        cluster.isolate(1);
        cluster.dropIf(appendFrom(5));
        assertThat(cluster.elect(5).term()).isEqualTo(3);
        assertThat(cluster.terms(5)).containsExactly(1L, 3L);
        cluster.heal();
        cluster.isolate(5);

        // (c) S1 restarts and is elected for term 4 (term 3's voters are taken, so it needs two
        // elections). Its term-2 entry at index 2 reaches S3, so it is on a majority (S1, S2, S3).
        // Its term-4 no-op at index 3 reaches S2 only. (In the paper S2 lacks it too; here S1 can
        // only learn that S2 holds index 2 from S2's acknowledgement of the no-op.) S4 hears
        // nothing from S1 after voting.
        cluster.restart(1);
        // Lost on the way: all S1 sends to S4, and the no-op to S3 once S3 could accept it.
        cluster.dropIf(appendFrom(1)
                .and(message -> message.to().equals(id(4))
                        || message.to().equals(id(3))
                                && carriesTerm(4).test(message)
                                && cluster.node(3).lastIndex() >= 2));
        assertThat(cluster.campaignUntilLeader(1, 5)).isTrue();
        assertThat(cluster.node(1).term()).isEqualTo(4);

        assertThat(cluster.terms(1)).containsExactly(1L, 2L, 4L);
        assertThat(cluster.terms(2)).containsExactly(1L, 2L, 4L);
        assertThat(cluster.terms(3)).containsExactly(1L, 2L);
        assertThat(cluster.terms(4)).containsExactly(1L);
        assertThat(cluster.terms(5)).containsExactly(1L, 3L);
    }

    @Test
    void anEntryOfAnEarlierTermOnAMajorityIsNotCommittedByCountingReplicas() {
        RaftProtocol s1 = cluster.node(1);
        assertThat(s1.status().matchIndex()).containsEntry(id(2), 3L).containsEntry(id(3), 2L);

        // Raft §5.4.2: only entries of the leader's current term are committed by counting replicas.
        assertThat(s1.commitIndex()).isLessThan(2);
        for (int n = 1; n <= 5; n++) {
            assertThat(cluster.node(n).commitIndex()).as("S%d", n).isLessThan(2);
        }
    }

    @Test
    void figure8d_s5CanStillBeElectedAndOverwriteIt() {
        // (d) S1 crashes; S5 restarts and is elected by S3 and S4 (its last entry, of term 3, is more
        // recent than theirs; S2 refuses as it holds S1's term-4 no-op) and replaces index 2
        // everywhere with its own term-3 entry.
        cluster.heal();
        cluster.isolate(1);
        cluster.restart(5);
        assertThat(cluster.campaignUntilLeader(5, 5)).isTrue();
        cluster.deliverAll();

        for (int n = 2; n <= 5; n++) {
            assertThat(cluster.terms(n)).as("S%d", n).startsWith(1L, 3L);
        }
        // That was safe only because no server ever treated index 2 (term 2) as committed.
        assertThat(cluster.node(5).commitIndex()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void figure8e_onceS1CommitsAnEntryOfItsOwnTermTheEarlierEntryIsCommittedWithIt() {
        // (e) S1 replicates an entry of term 4 to a majority before crashing: it commits, and
        // index 2 with it (Log Matching), so S5 can never be elected to overwrite it.
        cluster.heal();
        cluster.isolate(5);
        cluster.cut(1, 4);
        RaftProtocol s1 = cluster.node(1);
        long index = cluster.propose(1, "x");
        cluster.deliverAll();

        assertThat(s1.role()).isEqualTo(Role.LEADER);
        assertThat(s1.commitIndex()).isEqualTo(index);
        assertThat(cluster.terms(2)).containsExactly(1L, 2L, 4L, 4L);
        assertThat(cluster.terms(3)).containsExactly(1L, 2L, 4L, 4L);

        // S1 crashes and S5 comes back: S2 and S3 refuse it, so it never wins.
        cluster.heal();
        cluster.isolate(1);
        cluster.restart(5);
        assertThat(cluster.campaignUntilLeader(5, 5)).isFalse();
        for (int n = 2; n <= 3; n++) {
            assertThat(cluster.terms(n)).as("S%d", n).containsExactly(1L, 2L, 4L, 4L);
        }
    }

    private static Predicate<RaftMessage> appendFrom(int n) {
        return message ->
                message instanceof AppendEntriesRequest && message.from().equals(id(n));
    }

    private static Predicate<RaftMessage> carriesTerm(long term) {
        return message -> message instanceof AppendEntriesRequest request
                && request.entries().stream().mapToLong(LogEntry::term).anyMatch(t -> t == term);
    }
}
