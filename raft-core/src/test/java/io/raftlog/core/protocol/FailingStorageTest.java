package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.append;
import static io.raftlog.core.protocol.TestMessages.heartbeat;
import static io.raftlog.core.protocol.TestMessages.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import org.junit.jupiter.api.Test;

/**
 * A node whose disk fails or stalls: it answers heartbeats without waiting for queued writes (the
 * answer promises only what is already durable), and while its writes fail it neither leads nor
 * campaigns — a leader hands over to its most up-to-date follower.
 */
class FailingStorageTest {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false);

    @Test
    void aHeartbeatIsAnsweredAtOnceWhileEarlierWritesAreStillQueued() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
        follower.step(append(1, 2, 1, 0, 0, 0, 1, 1)); // entries 1..2 durable, acknowledged
        // Entry 3 arrives; its write is handed out but the disk has not finished it.
        follower.raft.step(append(1, 2, 1, 2, 1, 0, 1));
        Ready slowWrite = follower.raft.ready();
        assertThat(slowWrite.entries()).hasSize(1);
        assertThat(slowWrite.messages()).isEmpty(); // its acknowledgement waits for the disk

        // A heartbeat anchored at the durable index 2: answered now, not behind the queued write.
        follower.raft.step(append(1, 2, 1, 2, 1, 2));
        Ready heartbeat = follower.raft.ready();
        assertThat(only(AppendEntriesResponse.class, heartbeat.messages()))
                .singleElement()
                .satisfies(answer -> {
                    assertThat(answer.success()).isTrue();
                    assertThat(answer.index()).isEqualTo(2);
                });
        assertThat(heartbeat.messagesAfterPersist()).isEmpty();
    }

    @Test
    void aHeartbeatAtOrBelowTheCommitIndexIsAnsweredAtOnceWithWhatIsDurable() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
        follower.step(append(1, 2, 1, 0, 0, 2, 1, 1)); // entries 1..2, committed, durable
        follower.raft.step(append(1, 2, 1, 2, 1, 3, 1)); // entry 3, committed, its write still queued
        follower.raft.ready();

        follower.raft.step(append(1, 2, 1, 2, 1, 2)); // a heartbeat anchored at 2 <= commit 3
        Ready heartbeat = follower.raft.ready();
        assertThat(only(AppendEntriesResponse.class, heartbeat.messages()))
                .singleElement()
                .satisfies(answer -> {
                    assertThat(answer.success()).isTrue();
                    assertThat(answer.index()).as("only the durable prefix").isEqualTo(2);
                });
        assertThat(heartbeat.messagesAfterPersist()).isEmpty();
    }

    @Test
    void aHeartbeatThatRaisesTheTermIsAnsweredOnlyOnceTheTermIsDurable() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
        follower.raft.step(heartbeat(1, 2, 5));
        Ready ready = follower.raft.ready();
        assertThat(ready.hardState()).isPresent();
        assertThat(ready.messages()).isEmpty();
        assertThat(only(AppendEntriesResponse.class, ready.messagesAfterPersist()))
                .singleElement()
                .satisfies(answer -> assertThat(answer.success()).isTrue());
    }

    @Test
    void aHeartbeatAboveTheDurableIndexWaitsForTheDisk() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
        follower.step(append(1, 2, 1, 0, 0, 0, 1));
        follower.raft.step(append(1, 2, 1, 1, 1, 0, 1)); // entry 2, not yet durable
        follower.raft.ready();
        follower.raft.step(append(1, 2, 1, 2, 1, 1)); // anchored at 2, which is not durable
        Ready ready = follower.raft.ready();
        assertThat(ready.messages()).isEmpty();
        assertThat(only(AppendEntriesResponse.class, ready.messagesAfterPersist()))
                .singleElement()
                .satisfies(answer -> assertThat(answer.index()).isEqualTo(2));
    }

    @Test
    void aLeaderWhoseWritesFailHandsLeadershipToItsMostUpToDateFollowerAndStepsDown() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.propose(1, "a", "b");
        cluster.deliverAll();
        cluster.cut(1, 3); // n3 falls behind
        cluster.propose(1, "c");
        cluster.deliverAll();

        cluster.node(1).storageFailing(true);
        cluster.processReadies();

        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(only(TimeoutNow.class, cluster.pending()))
                .singleElement()
                .satisfies(timeout -> assertThat(timeout.to()).isEqualTo(id(2)));
        cluster.heal();
        cluster.deliverAll();
        assertThat(cluster.node(2).role()).isEqualTo(Role.LEADER);
        assertThat(cluster.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).leader()).contains(id(2));
    }

    @Test
    void aNodeWhoseWritesFailNeitherCampaignsNorTakesOverUntilTheyPass() {
        DrivenNode node = DrivenNode.fresh(1, 3, RAFT);
        node.raft.storageFailing(true);
        for (int i = 0; i < 10 * RAFT.electionTicks(); i++) {
            Ready ready = node.tick();
            assertThat(only(VoteRequest.class, ready.messagesAfterPersist())).isEmpty();
        }
        assertThat(node.raft.role()).isEqualTo(Role.FOLLOWER);
        node.step(new TimeoutNow(id(2), id(1), 0));
        assertThat(node.raft.role()).isEqualTo(Role.FOLLOWER);

        node.raft.storageFailing(false);
        node.tickUntil(raft -> raft.role() == Role.CANDIDATE, 3 * RAFT.electionTicks());
    }

    @Test
    void aCandidateWhoseWritesFailAbandonsTheElection() {
        DrivenNode node = DrivenNode.fresh(1, 3, RAFT);
        node.tickUntil(raft -> raft.role() == Role.CANDIDATE, 3 * RAFT.electionTicks());
        node.raft.storageFailing(true);
        assertThat(node.raft.role()).isEqualTo(Role.FOLLOWER);
        assertThat(node.raft.isStorageFailing()).isTrue();
    }

    @Test
    void aFollowerThatRefusesAHeartbeatAtItsMatchIndexIsProbedAgainFromBelowIt() {
        // Its copy of an acknowledged entry went bad: it can no longer match that entry, and a
        // leader that took the refusal for a stale one would never send the entry again.
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.propose(1, "a", "b", "c");
        cluster.deliverAll();
        long match = cluster.node(1).status().matchIndex().get(id(2));
        assertThat(match).isEqualTo(4);

        cluster.node(1)
                .step(new AppendEntriesResponse(id(2), id(1), cluster.node(1).term(), false, match, match - 1, 1));
        cluster.node(1).propose(java.util.List.of(io.raftlog.api.Bytes.ofUtf8("d")));
        cluster.processReadies();

        assertThat(only(io.raftlog.api.message.AppendEntriesRequest.class, cluster.pending()))
                .filteredOn(request -> request.to().equals(id(2)))
                .isNotEmpty()
                .allSatisfy(request -> assertThat(request.prevLogIndex()).isLessThan(match));
        assertThat(cluster.node(1).status().matchIndex().get(id(2))).isLessThan(match);
    }

    @Test
    void aFollowerProbedAtItsMatchIndexThatRefusesIsProbedFromBelowIt() {
        // The same refusal while the leader probes the follower (it stopped answering for an
        // election timeout): the probe is anchored at the match index, and a leader that kept its
        // next index above the match would send that same probe forever (found by seed 14021).
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.propose(1, "a", "b", "c");
        cluster.deliverAll();
        long match = cluster.node(1).status().matchIndex().get(id(2));
        assertThat(match).isEqualTo(4);
        cluster.dropIf(message -> message.to().equals(id(2)));
        cluster.node(1).propose(java.util.List.of(io.raftlog.api.Bytes.ofUtf8("d")));
        for (int i = 0; i < RAFT.electionTicks() + 1; i++) {
            cluster.node(1).tick(); // n2 answers nothing: the leader falls back to probing it
            cluster.deliverAll();
        }
        cluster.heal();

        cluster.node(1)
                .step(new AppendEntriesResponse(id(2), id(1), cluster.node(1).term(), false, match, match - 1, 1));
        cluster.node(1).tick();
        cluster.processReadies();

        assertThat(only(io.raftlog.api.message.AppendEntriesRequest.class, cluster.pending()))
                .filteredOn(request -> request.to().equals(id(2)))
                .isNotEmpty()
                .allSatisfy(request -> assertThat(request.prevLogIndex()).isLessThan(match));
        cluster.deliverAll();
        assertThat(cluster.node(1).status().matchIndex().get(id(2))).isEqualTo(5);
    }
}
