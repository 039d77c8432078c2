package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.ReadIndexRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads without writing to the log (ReadIndex, Raft thesis §6.4): a leader answers a
 * read with its commit index only once a quorum has answered an AppendEntries sent after the read
 * was asked, and only once an entry of its own term is committed; a follower asks its leader; a
 * leader that lost its quorum never answers, and refuses what is pending when it steps down.
 */
class ReadIndexTest {
    private static final int T = ProtocolConfig.defaults().electionTicks();

    @Test
    void aLeaderAnswersItsCommitIndexOnceAQuorumConfirmsItStillLeads() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(x);
        cluster.sent.clear();

        cluster.holdIf(message -> true);
        leader.readIndex(7);
        cluster.processReadies();
        assertThat(cluster.readStates(1))
                .as("rule: no answer before a quorum confirms")
                .isEmpty();
        List<AppendEntriesRequest> round = only(AppendEntriesRequest.class, cluster.held());
        assertThat(round)
                .as("rule: the read opens a round at once: a heartbeat to each follower, carrying it")
                .hasSize(2)
                .allMatch(request -> request.entries().isEmpty() && request.readContext() == 1);

        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();

        assertThat(cluster.readStates(1))
                .as("rule: the read index is the commit index when the read was asked")
                .containsExactly(Ready.ReadState.granted(7, x));
        assertThat(leader.lastIndex()).as("rule: nothing is written to the log").isEqualTo(x);
    }

    @Test
    void oneConfirmationOutOfTwoFollowersIsAQuorum() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.isolate(3);

        leader.readIndex(1);
        cluster.deliverAll();

        assertThat(cluster.readStates(1)).extracting(Ready.ReadState::granted).containsExactly(true);
    }

    @Test
    void anAnswerToAnAppendSentBeforeTheReadDoesNotConfirmIt() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        // An append goes out, and its answers are delayed until after the read was asked.
        cluster.holdIf(message -> message instanceof AppendEntriesResponse);
        long y = cluster.propose(1, "y");
        cluster.deliverAll();
        List<RaftMessage> oldAnswers = cluster.release(message -> true);
        assertThat(oldAnswers).hasSize(2);
        cluster.holdIf(message -> false);

        cluster.dropIf(message -> message instanceof AppendEntriesRequest); // the read's round is lost
        leader.readIndex(3);
        cluster.deliverAll();
        oldAnswers.forEach(cluster::deliver);
        cluster.deliverAll();

        assertThat(leader.commitIndex()).isEqualTo(y);
        assertThat(cluster.readStates(1))
                .as("rule: only answers to messages sent after the read count toward confirming it")
                .isEmpty();

        cluster.heal();
        cluster.tickAll(ProtocolConfig.defaults().heartbeatTicks());
        assertThat(cluster.readStates(1))
                .as("rule: every later heartbeat carries the round, so it is confirmed with the next one;"
                        + " its index is the commit index when it was asked (y was not committed yet)")
                .containsExactly(Ready.ReadState.granted(3, y - 1));
    }

    @Test
    void aReadAskedBeforeTheLeaderCommittedAnEntryOfItsTermWaitsForIt() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        cluster.isolate(1);
        // n2 wins, and its no-op is not committed yet when the read comes: its commit index may
        // still lag what n1 committed (it learns n1's commit only through its own entries).
        cluster.holdIf(message -> message instanceof AppendEntriesResponse);
        int n = electOneOf(cluster, 2, 3);
        RaftProtocol leader = cluster.node(n);
        long noop = leader.lastIndex();
        assertThat(leader.commitIndex()).isLessThan(noop);

        leader.readIndex(5);
        cluster.deliverAll();
        assertThat(cluster.readStates(n))
                .as("rule: wait for an entry of the leader's own term")
                .isEmpty();

        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();

        assertThat(cluster.readStates(n)).hasSize(1);
        Ready.ReadState state = cluster.readStates(n).get(0);
        assertThat(state.granted()).isTrue();
        assertThat(state.index())
                .as("rule: the index covers everything an earlier leader committed")
                .isGreaterThanOrEqualTo(noop)
                .isGreaterThan(x);
    }

    @Test
    void aFollowerAsksItsLeaderAndGetsTheLeadersCommitIndex() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();

        cluster.node(3).readIndex(11);
        cluster.deliverAll();

        assertThat(only(ReadIndexRequest.class, cluster.sent))
                .containsExactly(new ReadIndexRequest(id(3), id(1), leader.term(), 11));
        assertThat(cluster.readStates(3)).containsExactly(Ready.ReadState.granted(11, x));
        assertThat(cluster.readStates(1))
                .as("the leader's own reads are separate")
                .isEmpty();
    }

    @Test
    void aFollowerAsksAgainWhenItsRequestOrTheAnswerIsLost() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        cluster.dropIf(message -> message instanceof ReadIndexRequest);
        cluster.node(3).readIndex(12);
        cluster.deliverAll();
        cluster.heal();

        cluster.tickAll(T / 2);

        assertThat(cluster.readStates(3))
                .as("rule: a forwarded read is asked again every half election timeout")
                .containsExactly(Ready.ReadState.granted(12, x));
    }

    @Test
    void aPartitionedOldLeaderNeverAnswersAndRefusesWhenItStepsDown() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol oldLeader = cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        cluster.isolate(1);
        int n = electOneOf(cluster, 2, 3);
        long y = cluster.propose(n, "y");
        cluster.deliverAll();
        assertThat(cluster.node(n).commitIndex()).isEqualTo(y);

        // n1 still believes it leads: its read would miss y. It must not answer.
        assertThat(oldLeader.role()).isEqualTo(Role.LEADER);
        oldLeader.readIndex(9);
        for (int i = 0; i < 2 * T && oldLeader.role() == Role.LEADER; i++) {
            oldLeader.tick();
            cluster.deliverAll();
            assertThat(cluster.readStates(1))
                    .as("rule: never a stale read index")
                    .noneMatch(Ready.ReadState::granted);
        }

        assertThat(oldLeader.role()).as("CheckQuorum deposed it").isEqualTo(Role.FOLLOWER);
        assertThat(cluster.readStates(1))
                .as("rule: a leader stepping down refuses its pending reads")
                .extracting(Ready.ReadState::requestId, Ready.ReadState::granted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9L, false));
        assertThat(x).isLessThan(y);
    }

    @Test
    void aFollowersReadIsRefusedWhenItsLeaderChanges() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);
        cluster.deliverAll();
        cluster.dropIf(message -> message instanceof ReadIndexRequest);
        cluster.node(3).readIndex(4);
        cluster.deliverAll();
        assertThat(cluster.readStates(3)).isEmpty();

        cluster.heal();
        cluster.isolate(1);
        electOneOf(cluster, 2, 3);

        assertThat(cluster.readStates(3))
                .as("rule: a read forwarded to a leader this node no longer follows is refused")
                .extracting(Ready.ReadState::requestId, Ready.ReadState::granted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, false));
    }

    @Test
    void aNodeThatKnowsNoLeaderRefusesAtOnce() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());

        cluster.node(2).readIndex(1);
        cluster.processReadies();

        assertThat(cluster.readStates(2)).containsExactly(Ready.ReadState.refused(1, java.util.Optional.empty()));
    }

    @Test
    void aFollowerAskingAStaleLeaderLearnsTheNewTermAndIsRefused() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        long term = leader.term();

        leader.step(new ReadIndexRequest(id(2), id(1), term - 1, 3));
        Ready ready = leader.ready();

        assertThat(only(io.raftlog.api.message.ReadIndexResponse.class, ready.messages()))
                .containsExactly(new io.raftlog.api.message.ReadIndexResponse(id(1), id(2), term, 3, 0, false));
    }

    /**
     * Ticks only nodes {@code a} and {@code b} (the old leader, cut off, keeps leading in its own
     * eyes) until one of them leads; returns which.
     */
    private static int electOneOf(TestCluster cluster, int a, int b) {
        for (int i = 0; i < 10 * T; i++) {
            cluster.node(a).tick();
            cluster.node(b).tick();
            cluster.deliverAll();
            for (int n : new int[] {a, b}) {
                if (cluster.node(n).role() == Role.LEADER) {
                    return n;
                }
            }
        }
        throw new AssertionError("neither n" + a + " nor n" + b + " became leader");
    }

    @Test
    void aSingleNodeClusterAnswersAtOnce() {
        TestCluster cluster = new TestCluster(1, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();

        leader.readIndex(2);
        cluster.processReadies();

        assertThat(cluster.readStates(1)).containsExactly(Ready.ReadState.granted(2, x));
    }

    @Test
    void aFollowerOrCandidateOfTheSameTermRefusesARequestAndAStaleAnswerIsIgnored() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        RaftProtocol follower = cluster.node(2);

        follower.step(new ReadIndexRequest(id(3), id(2), leader.term(), 5));
        assertThat(only(
                        io.raftlog.api.message.ReadIndexResponse.class,
                        follower.ready().messages()))
                .as("rule: only a leader answers a read index")
                .containsExactly(
                        new io.raftlog.api.message.ReadIndexResponse(id(2), id(3), leader.term(), 5, 0, false));

        follower.step(new io.raftlog.api.message.ReadIndexResponse(id(1), id(2), leader.term(), 77, 3, true));
        assertThat(follower.ready().readStates())
                .as("an answer to nothing it asked is ignored")
                .isEmpty();

        follower.readIndex(8);
        follower.step(new io.raftlog.api.message.ReadIndexResponse(id(1), id(2), leader.term(), 8, 0, false));
        assertThat(follower.ready().readStates())
                .extracting(Ready.ReadState::granted)
                .as("a refusal from the leader is passed on")
                .containsExactly(false);
    }

    @Test
    void aCandidateRefusesAtOnce() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.isolate(1);
        RaftProtocol candidate = cluster.node(1);
        for (int i = 0; i < 3 * T && candidate.role() == Role.FOLLOWER; i++) {
            candidate.tick();
        }
        assertThat(candidate.role()).isNotEqualTo(Role.FOLLOWER);

        candidate.readIndex(1);

        assertThat(candidate.ready().readStates())
                .extracting(Ready.ReadState::granted)
                .containsExactly(false);
    }
}
