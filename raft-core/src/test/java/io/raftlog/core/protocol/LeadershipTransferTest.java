package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.appendWithEntries;
import static io.raftlog.core.protocol.TestMessages.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NotLeaderException;
import io.raftlog.api.Role;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer (Raft thesis §3.10): the leader waits until the target's log is complete,
 * tells it to campaign at once ({@link TimeoutNow}), and refuses proposals meanwhile.
 */
class LeadershipTransferTest {
    private static final int T = ProtocolConfig.defaults().electionTicks();

    @Test
    void anUpToDateFollowerTakesOverInTheNextTerm() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol oldLeader = cluster.elect(1);
        long term = oldLeader.term();

        oldLeader.transferLeadership(id(2));
        cluster.deliverAll();

        // No tick was needed: n2 campaigned on TimeoutNow, with no pre-vote, and n3 voted for it
        // although it had just heard from n1 (the request says it is a transfer).
        RaftProtocol newLeader = cluster.node(2);
        assertThat(newLeader.role()).isEqualTo(Role.LEADER);
        assertThat(newLeader.term()).isEqualTo(term + 1);
        assertThat(oldLeader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(oldLeader.leader()).contains(id(2));
        assertThat(only(VoteRequest.class, cluster.sent))
                .filteredOn(request -> request.from().equals(id(2)))
                .isNotEmpty()
                .allMatch(request -> request.leadershipTransfer() && !request.preVote());
    }

    @Test
    void proposalsAreRefusedWhileATransferWaitsForTheTargetToCatchUp() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        cluster.holdIf(appendWithEntries(1, 2));
        cluster.propose(1, "x");
        cluster.deliverAll();

        leader.transferLeadership(id(2));
        cluster.deliverAll();
        assertThat(only(TimeoutNow.class, cluster.sent)).as("n2 lacks x").isEmpty();
        long lastIndex = leader.lastIndex();
        assertThatThrownBy(() -> cluster.propose(1, "y")).isInstanceOf(NotLeaderException.class);
        assertThat(leader.lastIndex()).as("nothing appended").isEqualTo(lastIndex);

        // Once n2 has caught up it is told to campaign, and wins.
        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        assertThat(only(TimeoutNow.class, cluster.sent)).hasSize(1);
        assertThat(cluster.node(2).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(2).term()).isEqualTo(term + 1);
    }

    @Test
    void aTransferThatDoesNotCompleteWithinAnElectionTimeoutIsAbandoned() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.holdIf(appendWithEntries(1, 2));
        cluster.propose(1, "x");
        cluster.deliverAll();
        leader.transferLeadership(id(2));

        cluster.tickAll(T);

        assertThat(leader.role()).isEqualTo(Role.LEADER);
        long index = cluster.propose(1, "y");
        cluster.deliverAll();
        assertThat(leader.commitIndex()).as("n3 still acknowledges").isEqualTo(index);
    }

    @Test
    void aLeaderHandingOffBeforeItStopsPicksAFollowerItStillHearsFrom() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.status().matchIndex()).containsEntry(id(2), leader.lastIndex());
        cluster.isolate(2); // as up to date as n3, but down
        for (int i = 0; i < T; i++) {
            leader.tick();
            cluster.deliverAll();
        }

        assertThat(leader.handOffLeadership())
                .as("rule: never hand off to a follower that went silent")
                .contains(id(3));
        cluster.deliverAll();
        assertThat(cluster.node(3).role()).isEqualTo(Role.LEADER);
    }

    @Test
    void onlyTheLeaderCanTransferLeadership() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);

        assertThatThrownBy(() -> cluster.node(3).transferLeadership(id(2)))
                .isInstanceOfSatisfying(
                        NotLeaderException.class,
                        e -> assertThat(e.leaderHint()).contains(id(1)));
    }

    /**
     * A TimeoutNow that arrives after its transfer was given up must not make the target campaign
     * (past PreVote and the followers' lease) and depose a healthy leader (review F8). The leader,
     * giving up a transfer for which it sent a TimeoutNow, appends a no-op; the TimeoutNow names the
     * leader's last index when sent, and a target holding an entry of that term past it ignores it.
     */
    @Test
    void aTimeoutNowDeliveredAfterTheTransferWasAbandonedDoesNotDeposeTheLeader() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        long lastIndex = leader.lastIndex();
        cluster.holdIf(message -> message instanceof TimeoutNow);
        leader.transferLeadership(id(2));
        cluster.deliverAll();
        assertThat(cluster.held())
                .as("the TimeoutNow is delayed in the network")
                .isNotEmpty();
        assertThat(only(TimeoutNow.class, cluster.held()))
                .allMatch(timeoutNow -> timeoutNow.lastLogIndex() == lastIndex);

        cluster.tickAll(T + 1); // the transfer is abandoned; n1 leads on, n2 and n3 hear from it
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(2).term()).isEqualTo(term);
        assertThat(leader.lastIndex())
                .as("giving the transfer up appended a no-op")
                .isEqualTo(lastIndex + 1);
        assertThat(cluster.node(2).lastIndex()).isEqualTo(lastIndex + 1);

        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver); // the late TimeoutNow arrives
        cluster.deliverAll();

        assertThat(leader.role())
                .as("a healthy leader is not deposed by a stale TimeoutNow")
                .isEqualTo(Role.LEADER);
        assertThat(cluster.node(2).term()).isEqualTo(term);
        assertThat(cluster.propose(1, "after"))
                .as("and it takes proposals again")
                .isEqualTo(lastIndex + 2);
    }

    @Test
    void aTransferGivenUpBeforeAnyTimeoutNowLeftAppendsNothing() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.holdIf(appendWithEntries(1, 2));
        cluster.propose(1, "x");
        cluster.deliverAll();
        long lastIndex = leader.lastIndex();
        leader.transferLeadership(id(2));

        cluster.tickAll(T);

        assertThat(only(TimeoutNow.class, cluster.sent)).isEmpty();
        assertThat(leader.lastIndex()).as("no TimeoutNow to outdate, no no-op").isEqualTo(lastIndex);
    }

    /**
     * Redirecting a transfer gives the first one up: its target must not take over on a TimeoutNow
     * still on its way, so the leader appends a no-op, and the new target is told once it holds it.
     */
    @Test
    void aTransferRedirectedToAnotherTargetOutdatesTheFirstTargetsTimeoutNow() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        long lastIndex = leader.lastIndex();
        cluster.holdIf(message -> message instanceof TimeoutNow);
        leader.transferLeadership(id(2));
        leader.transferLeadership(id(2)); // asked again: the same transfer goes on
        assertThat(leader.lastIndex()).isEqualTo(lastIndex);

        leader.transferLeadership(id(3));
        assertThat(leader.lastIndex())
                .as("the first transfer given up: a no-op")
                .isEqualTo(lastIndex + 1);
        cluster.deliverAll();
        assertThat(only(TimeoutNow.class, cluster.held()))
                .as("n3 is told once it holds the no-op")
                .anyMatch(timeoutNow -> timeoutNow.to().equals(id(3)) && timeoutNow.lastLogIndex() == lastIndex + 1);

        cluster.holdIf(message -> false);
        cluster.release(message -> message.to().equals(id(2))).forEach(cluster::deliver); // n2's, late
        cluster.deliverAll();
        assertThat(cluster.node(2).term()).as("n2 ignored it").isEqualTo(term);
        assertThat(leader.role()).isEqualTo(Role.LEADER);

        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        assertThat(cluster.node(3).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(3).term()).isEqualTo(term + 1);
    }

    /**
     * Only an entry of the TimeoutNow's own term past its index shows the transfer was given up;
     * one that names no index (0, a sender that does not say) is obeyed, and so is one of a newer
     * term than the target's log (its last entry is older than any the new leader appended).
     */
    @Test
    void aTimeoutNowIsIgnoredOnlyOnEvidenceOfItsOwnLeadersLaterEntries() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        cluster.propose(1, "x");
        cluster.deliverAll();
        RaftProtocol target = cluster.node(2);

        target.step(new TimeoutNow(id(1), id(2), term, 1));
        assertThat(target.role())
                .as("stale: its log holds entries of term %d past 1", term)
                .isEqualTo(Role.FOLLOWER);

        target.step(new TimeoutNow(id(1), id(2), term));
        assertThat(target.role()).as("no index named: obeyed").isEqualTo(Role.CANDIDATE);
        assertThat(target.term()).isEqualTo(term + 1);

        RaftProtocol other = cluster.node(3);
        other.step(new TimeoutNow(id(2), id(3), term + 1, 1));
        assertThat(other.role())
                .as("a newer term's leader: n3's entries past 1 are of an older term")
                .isEqualTo(Role.CANDIDATE);
        assertThat(other.term()).isEqualTo(term + 2);
    }
}
