package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.granted;
import static io.raftlog.core.protocol.TestMessages.heartbeat;
import static io.raftlog.core.protocol.TestMessages.only;
import static io.raftlog.core.protocol.TestMessages.preVote;
import static io.raftlog.core.protocol.TestMessages.refused;
import static io.raftlog.core.protocol.TestMessages.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Leader election: the election restriction (Raft §5.4.1), PreVote and CheckQuorum (Raft thesis
 * §9.6), stepping down on a higher term (§5.1), and heartbeats keeping followers quiet (§5.2).
 */
class ElectionTest {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false);
    private static final int T = RAFT.electionTicks();

    // ------------------------------------------------------------ election restriction

    @ParameterizedTest(name = "candidate last entry ({0}, term {1}): granted={2}")
    @CsvSource({
        "5, 1, false", // longer, but its last term is older: last term is compared first
        "1, 2, false", // same last term, shorter
        "2, 2, true", // the same log
        "3, 2, true", // same last term, longer
        "1, 3, true", // shorter, but its last term is newer
    })
    void aVoterGrantsOnlyACandidateWhoseLogIsAtLeastAsUpToDate(long lastIndex, long lastTerm, boolean expected) {
        DrivenNode voter = DrivenNode.withLog(1, 3, RAFT, 2, 1, 2); // last entry: index 2, term 2

        Ready ready = voter.step(vote(2, 1, 3, lastIndex, lastTerm));

        assertThat(ready.messagesAfterPersist()).containsExactly(new VoteResponse(id(1), id(2), 3, expected, false));
        assertThat(voter.raft.votedFor().isPresent()).isEqualTo(expected);
    }

    @Test
    void aNodeWithAStaleLogCannotBecomeLeader() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.setLog(1, 1, 1);
        cluster.setLog(2, 1, 1, 1);
        cluster.setLog(3, 1, 1, 1);

        assertThat(cluster.campaignUntilLeader(1, 5)).isFalse();
        assertThat(only(VoteResponse.class, cluster.sent)).isNotEmpty().noneMatch(VoteResponse::granted);

        // Either up-to-date node can win, and then brings n1's log up to date.
        assertThat(cluster.campaignUntilLeader(2, 5)).isTrue();
        cluster.propose(2, "x");
        cluster.deliverAll();
        assertThat(cluster.terms(1)).isEqualTo(cluster.terms(2));
    }

    // ------------------------------------------------------------ PreVote

    @Test
    void withPreVoteARejoiningPartitionedNodeNeitherRaisesItsTermNorDisturbsTheLeader() {
        TestCluster cluster = partitionAndRejoinN3(RAFT.withPreVote(true));

        assertThat(cluster.node(3).term()).as("n3 after its partition").isEqualTo(1);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).term()).isEqualTo(1);
        assertThat(only(VoteRequest.class, cluster.sent))
                .filteredOn(request -> request.from().equals(id(3)))
                .isNotEmpty()
                .allMatch(VoteRequest::preVote);
        assertThat(cluster.node(3).leader()).contains(id(1));
    }

    @Test
    void withPreVoteButNoCheckQuorumARejoiningNodeWithAnUpToDateLogDoesNotDeposeAHealthyLeader() {
        TestCluster cluster = new TestCluster(3, RAFT.withPreVote(true));
        cluster.elect(1);
        cluster.isolate(3); // nothing is proposed meanwhile: n3's log stays as up to date as any
        cluster.tickAll(5 * T);
        cluster.heal();
        cluster.campaign(3);
        cluster.tickAll(3 * T);

        assertThat(cluster.node(1).role()).as("the healthy leader").isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).term()).as("its term").isEqualTo(1);
        assertThat(cluster.node(3).leader()).as("n3 follows it again").contains(id(1));
    }

    @Test
    void withoutPreVoteARejoiningPartitionedNodeDeposesTheLeader() {
        TestCluster cluster = partitionAndRejoinN3(RAFT);

        assertThat(cluster.node(3).term()).as("n3 after its partition").isGreaterThan(1);
        assertThat(cluster.node(1).term()).as("the old leader's term").isGreaterThan(1);
    }

    /**
     * Elects n1 in term 1, partitions n3 away for many timeouts while n1 commits, heals, and lets
     * n3 campaign once more before anyone else ticks (so its first word after the partition is a
     * campaign), then lets the cluster settle.
     */
    private static TestCluster partitionAndRejoinN3(ProtocolConfig config) {
        TestCluster cluster = new TestCluster(3, config);
        cluster.elect(1);
        assertThat(cluster.node(1).term()).isEqualTo(1);
        cluster.isolate(3);
        cluster.propose(1, "while n3 was away");
        cluster.tickAll(5 * T);
        cluster.heal();
        cluster.campaign(3);
        cluster.tickAll(3 * T);
        return cluster;
    }

    @Test
    void aPreVoteChangesNeitherTheVotersTermNorItsVote() {
        DrivenNode voter = DrivenNode.fresh(1, 3, RAFT);
        voter.step(vote(2, 1, 1, 0, 0));

        Ready ready = voter.step(preVote(3, 1, 2, 0, 0));

        assertThat(ready.messagesAfterPersist()).containsExactly(new VoteResponse(id(1), id(3), 2, true, true));
        assertThat(ready.hardState()).isEmpty();
        assertThat(voter.raft.term()).isEqualTo(1);
        assertThat(voter.raft.votedFor()).contains(id(2));
    }

    // ------------------------------------------------------------ CheckQuorum

    @Test
    void withCheckQuorumALeaderCutOffFromTheMajorityStepsDown() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        cluster.isolate(1);

        // The window is twice the election timeout, checked every timeout: two to three timeouts.
        for (int i = 0; i < 2 * T - 1; i++) {
            leader.tick();
        }
        assertThat(leader.role()).as("within twice the election timeout").isEqualTo(Role.LEADER);
        for (int i = 0; i < T + 1; i++) {
            leader.tick();
        }

        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(leader.term()).isEqualTo(term);
        assertThat(leader.leader()).isEmpty();
        assertThat(leader.stepDownReason())
                .startsWith(
                        "CheckQuorum: no answer from a majority within twice the election timeout, " + 2 * T + " ticks")
                .contains("n2 last heard")
                .contains("n3 last heard");
    }

    /**
     * Followers that answer only every one and a half election timeouts — a stalled CPU, a slow
     * disk — keep their leader: none of them could be campaigning yet, so stepping down would only
     * lose the leadership (the JMH cluster runs lost theirs this way on a busy machine).
     */
    @Test
    void withCheckQuorumFollowersThatAnswerLateButWithinTheirOwnTimeoutKeepTheLeader() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();

        for (int round = 0; round < 6; round++) {
            cluster.isolate(1);
            for (int i = 0; i < T + T / 2; i++) {
                leader.tick();
            }
            cluster.heal();
            leader.tick(); // a heartbeat, answered
            cluster.deliverAll();
        }

        assertThat(leader.role()).as("%s", leader.stepDownReason()).isEqualTo(Role.LEADER);
        assertThat(leader.term()).isEqualTo(term);
    }

    @Test
    void withoutCheckQuorumAnIsolatedLeaderStaysLeader() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults().withCheckQuorum(false));
        RaftProtocol leader = cluster.elect(1);
        cluster.isolate(1);

        for (int i = 0; i < 10 * T; i++) {
            leader.tick();
        }

        assertThat(leader.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void withCheckQuorumAFollowerInTouchWithItsLeaderIgnoresAHigherTermVoteRequest() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);
        cluster.tickAll();
        RaftProtocol follower = cluster.node(2);
        long term = follower.term();
        int sent = cluster.sent.size();

        cluster.deliver(vote(3, 2, term + 5, 100, term + 4));

        assertThat(follower.term()).as("not adopted").isEqualTo(term);
        assertThat(follower.leader()).contains(id(1));
        assertThat(cluster.sent.subList(sent, cluster.sent.size()))
                .as("no answer")
                .isEmpty();
    }

    @Test
    void withoutCheckQuorumAFollowerAdoptsTheTermOfAHigherTermVoteRequest() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults().withCheckQuorum(false));
        cluster.elect(1);
        cluster.tickAll();
        RaftProtocol follower = cluster.node(2);
        long term = follower.term();

        cluster.deliver(vote(3, 2, term + 5, 100, term + 4));

        assertThat(follower.term()).isEqualTo(term + 5);
        assertThat(follower.votedFor()).contains(id(3));
    }

    // ------------------------------------------------------------ higher terms

    @Test
    void aLeaderStepsDownOnAnyMessageOfAHigherTerm() {
        List<Function<Long, RaftMessage>> higherTermMessages = List.of(
                term -> TestMessages.append(2, 1, term, 0, 0, 0),
                term -> new AppendEntriesResponse(id(2), id(1), term, false, 0, 0, 0),
                term -> refused(2, 1, term),
                term -> new VoteResponse(id(2), id(1), term, false, true));
        for (Function<Long, RaftMessage> message : higherTermMessages) {
            TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
            RaftProtocol leader = cluster.elect(1);
            long higher = leader.term() + 1;

            cluster.deliver(message.apply(higher));

            RaftMessage delivered = message.apply(higher);
            assertThat(leader.role()).as("after %s", delivered).isEqualTo(Role.FOLLOWER);
            assertThat(leader.term()).as("after %s", delivered).isEqualTo(higher);
            assertThat(leader.votedFor()).as("after %s", delivered).isEmpty();
        }
    }

    @Test
    void aCandidateRefusedByAVoterOfAHigherTermBecomesAFollowerOfThatTerm() {
        DrivenNode candidate = DrivenNode.fresh(1, 3, RAFT);
        candidate.tickUntil(raft -> raft.role() == Role.CANDIDATE, 2 * T);

        candidate.step(refused(2, 1, 7));

        assertThat(candidate.raft.role()).isEqualTo(Role.FOLLOWER);
        assertThat(candidate.raft.term()).isEqualTo(7);
    }

    // ------------------------------------------------------------ timers and stale votes

    @Test
    void heartbeatsWithinTheTimeoutKeepFollowersFromEverCampaigning() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        int sent = cluster.sent.size();

        cluster.tickAll(20 * T);

        assertThat(only(VoteRequest.class, cluster.sent.subList(sent, cluster.sent.size())))
                .isEmpty();
        for (int n = 1; n <= 3; n++) {
            assertThat(cluster.node(n).term()).as("n%d", n).isEqualTo(term);
            assertThat(cluster.node(n).leader()).as("n%d", n).contains(id(1));
        }
        assertThat(leader.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void aLateVoteFromAnEarlierTermIsNotCounted() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.holdIf(message -> message instanceof VoteResponse);
        cluster.campaign(1);
        RaftProtocol candidate = cluster.node(1);
        assertThat(cluster.held()).hasSize(2).allMatch(message -> ((VoteResponse) message).granted());

        // The election of term 1 times out before the grants arrive; the candidate runs for term 2.
        DrivenNode.tickUntil(candidate, raft -> raft.term() == 2, 2 * T);
        cluster.deliverAll();
        cluster.release(message -> message.term() == 1).forEach(cluster::deliver);
        assertThat(candidate.role()).as("with the grants of term 1").isEqualTo(Role.CANDIDATE);

        cluster.release(message -> message.term() == 2).forEach(cluster::deliver);
        assertThat(candidate.role()).as("with the grants of term 2").isEqualTo(Role.LEADER);
    }

    @Test
    void aPreCandidateIgnoresAGrantFromAnEarlierPreVoteRound() {
        DrivenNode node = DrivenNode.fresh(1, 3, ProtocolConfig.defaults().withCheckQuorum(false));
        node.step(heartbeat(2, 1, 1));
        node.tickUntil(raft -> raft.role() == Role.PRE_CANDIDATE, 2 * T);
        // It polls for term 2. A grant names the term polled for: one for term 1 is a late answer
        // to an earlier poll (say, before it heard of term 1) and does not count.
        node.step(new VoteResponse(id(2), id(1), 1, true, true));
        assertThat(node.raft.role()).isEqualTo(Role.PRE_CANDIDATE);

        node.step(new VoteResponse(id(2), id(1), 2, true, true));
        assertThat(node.raft.role()).isEqualTo(Role.CANDIDATE);
        assertThat(node.raft.term()).isEqualTo(2);
        node.step(granted(2, 1, 2));
        assertThat(node.raft.role()).isEqualTo(Role.LEADER);
    }
}
