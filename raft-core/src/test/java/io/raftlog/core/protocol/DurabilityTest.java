package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.append;
import static io.raftlog.core.protocol.TestMessages.granted;
import static io.raftlog.core.protocol.TestMessages.only;
import static io.raftlog.core.protocol.TestMessages.responsesFrom;
import static io.raftlog.core.protocol.TestMessages.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.api.spi.storage.HardState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What must be durable before what: a vote or an acknowledgement never leaves before the state it
 * promises is on disk; a leader's own entries count toward a quorum only once durable; commits
 * reach the driver only up to what is durable; proposals between two Readies are one write and
 * one message per follower; a restart keeps term, vote and log (Raft Figure 2, "persistent state").
 */
class DurabilityTest {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false);

    // ------------------------------------------------------------ send after persist

    @Test
    void aVoteIsSentOnlyAfterTheVoteIsPersisted() {
        DrivenNode voter = DrivenNode.fresh(1, 3, RAFT);

        Ready ready = voter.step(vote(2, 1, 1, 0, 0));

        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).containsExactly(granted(1, 2, 1));
        assertThat(ready.hardState()).contains(new HardState(1, Optional.of(id(2))));
    }

    @Test
    void anAcknowledgementIsSentOnlyAfterTheEntriesArePersisted() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);

        Ready ready = follower.step(append(1, 2, 1, 0, 0, 0, 1, 1));

        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(1L, 2L);
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist())
                .containsExactly(new AppendEntriesResponse(id(2), id(1), 1, true, 2, 0, 0));
    }

    @Test
    void noNodeEverSendsAVoteAVoteRequestOrAnAcknowledgementOfEntriesBeforePersisting() {
        // A busy history: conflicting logs, elections, a partition, a new leader, restarts.
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.setLog(1, 2, 1, 2);
        cluster.setLog(2, 2, 1, 1, 1);
        cluster.setLog(3, 2, 1);
        cluster.elect(1);
        cluster.propose(1, "a", "b");
        cluster.tickAll(3);
        cluster.isolate(1);
        cluster.tickAll(4 * cluster.config.electionTicks());
        cluster.heal();
        cluster.restart(1);
        cluster.tickAll(2 * cluster.config.electionTicks());
        assertThat(cluster.leaders()).hasSize(1);
        cluster.leaders().get(0).propose(List.of(Bytes.ofUtf8("c")));
        cluster.restart(3);
        cluster.tickAll(2 * cluster.config.electionTicks());

        List<RaftMessage> early = cluster.sentBeforePersist;
        assertThat(only(VoteResponse.class, early)).noneMatch(response -> response.granted() && !response.preVote());
        assertThat(only(VoteRequest.class, early)).allMatch(VoteRequest::preVote);
        // Heartbeats are answered at once, but only for entries the disk already holds.
        assertThat(cluster.earlyAcknowledgementsBeyondDisk).isEmpty();
        // ... and the history did exercise them.
        assertThat(only(VoteResponse.class, cluster.sent))
                .anyMatch(response -> response.granted() && !response.preVote());
        assertThat(only(VoteRequest.class, cluster.sent)).anyMatch(request -> !request.preVote());
        assertThat(only(AppendEntriesResponse.class, cluster.sent))
                .anyMatch(AppendEntriesResponse::success)
                .anyMatch(response -> !response.success());
    }

    @Test
    void theCommitIndexGivenToTheDriverNeverRunsAheadOfWhatIsDurable() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);

        follower.raft.step(append(1, 2, 1, 0, 0, 2, 1, 1));
        Ready ready = follower.raft.ready();

        assertThat(follower.raft.commitIndex()).as("known committed").isEqualTo(2);
        assertThat(ready.commitIndex()).as("but not yet durable here").isZero();
        follower.persist(ready);
        assertThat(follower.raft.ready().commitIndex()).isEqualTo(2);
    }

    // ------------------------------------------------------------ the leader's own write

    @Test
    void aSingleNodeCommitsItsOwnEntriesOnlyOnceTheyArePersisted() {
        DrivenNode node = DrivenNode.fresh(1, 1, ProtocolConfig.defaults());
        DrivenNode.tickUntil(node.raft, raft -> raft.role() == Role.LEADER, 2 * RAFT.electionTicks());
        Ready noop = node.raft.ready();
        long index = node.raft.propose(List.of(Bytes.ofUtf8("a")));
        Ready proposal = node.raft.ready();
        assertThat(node.raft.commitIndex()).isZero();
        assertThat(proposal.commitIndex()).isZero();

        node.persist(noop);
        assertThat(node.raft.commitIndex()).isEqualTo(index - 1);
        node.persist(proposal);
        assertThat(node.raft.commitIndex()).isEqualTo(index);
        assertThat(node.raft.ready().commitIndex()).isEqualTo(index);
    }

    @Test
    void aLeadersOwnEntryCountsTowardTheQuorumOnlyOncePersisted() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.isolate(3);

        // The leader sends its entry to the followers while its own write is still in flight.
        long index = cluster.propose(1, "x");
        Ready ready = leader.ready();
        AppendEntriesRequest toN2 = only(AppendEntriesRequest.class, ready.messages()).stream()
                .filter(request -> request.to().equals(id(2)))
                .findFirst()
                .orElseThrow();
        cluster.deliver(toN2);
        cluster.take(responsesFrom(2)).forEach(leader::step);

        // n2 has it, n3 is down, and the leader's copy is not durable yet: one of three.
        assertThat(leader.status().matchIndex()).containsEntry(id(2), index);
        assertThat(leader.commitIndex()).isLessThan(index);

        TestCluster.persist(cluster.stores.get(id(1)), ready);
        leader.persisted(index, leader.term(), ready.logEpoch());
        assertThat(leader.commitIndex()).isEqualTo(index);
    }

    // ------------------------------------------------------------ batching

    @Test
    void proposalsBetweenTwoReadiesTravelAsOneWriteAndOneAppendPerFollower() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);

        long first = cluster.propose(1, "a");
        cluster.propose(1, "b", "c");
        long last = cluster.propose(1, "d");
        Ready ready = leader.ready();

        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(first, first + 1, first + 2, last);
        List<AppendEntriesRequest> appends = only(AppendEntriesRequest.class, ready.messages());
        assertThat(appends).extracting(AppendEntriesRequest::to).containsExactlyInAnyOrder(id(2), id(3));
        assertThat(appends)
                .allSatisfy(request -> assertThat(request.entries())
                        .extracting(LogEntry::index)
                        .containsExactly(first, first + 1, first + 2, last));
    }

    // ------------------------------------------------------------ restart

    @Test
    void aRestartedNodeKeepsItsTermVoteAndLog() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.propose(1, "a", "b");
        cluster.deliverAll();
        List<LogEntry> log = cluster.log(1);

        RaftProtocol follower = cluster.restart(2);
        RaftProtocol formerLeader = cluster.restart(1);

        assertThat(follower.term()).isEqualTo(leader.term());
        assertThat(follower.votedFor()).contains(id(1));
        assertThat(cluster.log(2)).isEqualTo(log);
        assertThat(formerLeader.term()).isEqualTo(leader.term());
        assertThat(formerLeader.votedFor()).contains(id(1));
        assertThat(cluster.log(1)).isEqualTo(log);
    }

    @Test
    void aRestartedVoterDoesNotVoteForASecondCandidateInTheSameTerm() {
        TestCluster cluster = new TestCluster(3, RAFT);
        long term = cluster.elect(1).term();
        RaftProtocol voter = cluster.restart(2);

        cluster.deliver(vote(3, 2, term, 100, term));

        assertThat(cluster.take(message -> message instanceof VoteResponse))
                .containsExactly(TestMessages.refused(2, 3, term));
        assertThat(voter.votedFor()).contains(id(1));
    }

    // ------------------------------------------------------------ stale durability reports

    /**
     * The ABA of etcd's {@code rawnode.go}: a durability report for (index, term) that arrives
     * after those entries were truncated and written again with the same term must not mark them
     * stable while the writes that truncate and rewrite them are still queued; otherwise the driver
     * applies, from its store, entries that are not there yet (review F3).
     */
    @Test
    void aDurabilityReportFromBeforeATruncationDoesNotMarkRewrittenEntriesStable() {
        DrivenNode follower = DrivenNode.withLog(2, 5, RAFT, 1, 1, 1, 1, 1);

        // R1: leader n1 of term 2 sends 5..10 of term 2; its write is handed out, not yet durable.
        follower.raft.step(append(1, 2, 2, 4, 1, 4, 2, 2, 2, 2, 2, 2));
        Ready first = follower.raft.ready();
        assertThat(first.entries()).extracting(LogEntry::index).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        // R2: leader n3 of term 3, whose log ends at 6, replaces 7..10 with 7 of term 3.
        follower.raft.step(append(3, 2, 3, 6, 2, 4, 3));
        Ready second = follower.raft.ready();
        assertThat(second.entries()).extracting(LogEntry::term).containsExactly(3L);
        // R3: leader n4 of term 4, which holds n1's entries, writes 7..10 of term 2 again and 11,
        // and says 11 is committed.
        follower.raft.step(append(4, 2, 4, 6, 2, 11, 2, 2, 2, 2, 4));
        Ready third = follower.raft.ready();
        assertThat(third.entries()).extracting(LogEntry::index).containsExactly(7L, 8L, 9L, 10L, 11L);

        // R1's write completes and is reported; R2 and R3 are still queued behind it.
        TestCluster.persist(follower.store, first);
        follower.raft.persisted(first.lastEntry().index(), first.lastEntry().term(), first.logEpoch());

        assertThat(follower.raft.stableIndex())
                .as("entries 7..10 are about to be rewritten: not stable")
                .isLessThanOrEqualTo(6);
        assertThat(follower.raft.ready().commitIndex()).isLessThanOrEqualTo(6);

        // Once the later writes are durable, their report moves the stable index to the end.
        TestCluster.persist(follower.store, second);
        TestCluster.persist(follower.store, third);
        follower.raft.persisted(third.lastEntry().index(), third.lastEntry().term(), third.logEpoch());
        assertThat(follower.raft.stableIndex()).isEqualTo(11);
        assertThat(follower.raft.ready().commitIndex()).isEqualTo(11);
    }
}
