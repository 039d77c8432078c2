package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Raft §7: a follower that needs entries the leader has compacted into a snapshot receives the
 * snapshot, its log restarts after it, and replication continues from there.
 */
class SnapshotInstallTest {
    private static final ProtocolConfig RAFT = ProtocolConfig.defaults();

    /** n1 leads; n3 misses entries 2..21, which n1 then compacts up to {@code compactTo}. */
    private static TestCluster clusterWithN3Behind(long compactTo) {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.isolate(3);
        for (int i = 0; i < 20; i++) {
            cluster.propose(1, "r" + i);
        }
        cluster.deliverAll();
        assertThat(cluster.node(1).commitIndex()).isEqualTo(21);
        cluster.compact(1, compactTo);
        cluster.heal();
        return cluster;
    }

    @Test
    void aFollowerBehindTheLeadersLogStartInstallsTheSnapshotAndCatchesUpFromIt() {
        TestCluster cluster = clusterWithN3Behind(15);
        cluster.tickAll(RAFT.heartbeatTicks() * 3);

        assertThat(cluster.snapshotsSent).hasSize(1);
        assertThat(cluster.snapshotsSent.get(0).peer()).isEqualTo(id(3));
        assertThat(cluster.snapshotsSent.get(0).index()).isEqualTo(15);
        RaftProtocol n3 = cluster.node(3);
        assertThat(n3.firstIndex()).as("n3's log starts after the snapshot").isEqualTo(16);
        assertThat(n3.lastIndex()).isEqualTo(21);
        assertThat(n3.commitIndex()).isEqualTo(21);
        assertThat(cluster.log(3))
                .isEqualTo(cluster.log(1).subList(15 - 15, cluster.log(1).size()));
        assertThat(cluster.stores.get(id(3)).firstIndex()).isEqualTo(16);

        cluster.propose(1, "after");
        cluster.deliverAll();
        assertThat(cluster.node(1).status().matchIndex().get(id(3))).isEqualTo(22);
        assertThat(cluster.log(3).get(cluster.log(3).size() - 1).payload()).isEqualTo(Bytes.ofUtf8("after"));
    }

    @Test
    void aLostSnapshotIsSentAgainAfterAnElectionTimeoutWithoutAnswer() {
        TestCluster cluster = clusterWithN3Behind(15);
        cluster.dropIf(message -> message instanceof InstallSnapshotRequest);
        cluster.tickAll(RAFT.heartbeatTicks() * 2);
        assertThat(cluster.snapshotsSent).hasSize(1);
        assertThat(cluster.node(3).lastIndex()).isEqualTo(1);

        cluster.tickAll(RAFT.electionTicks() + RAFT.heartbeatTicks());
        assertThat(cluster.snapshotsSent).as("the transfer starts over").hasSizeGreaterThanOrEqualTo(2);
        assertThat(cluster.node(1).role()).isEqualTo(Role.LEADER);

        cluster.heal();
        cluster.tickAll(RAFT.electionTicks() + RAFT.heartbeatTicks());
        assertThat(cluster.node(3).commitIndex()).isEqualTo(21);
    }

    /**
     * n3's refusal of an append at the snapshot's index, sent before it installed the snapshot,
     * arrives after its answer to the install (whole-node seed 951). The leader cannot tell it
     * from a follower that lost that entry: it asks its driver for the snapshot again, which its
     * driver must send even though n3 confirmed every byte, and n3's answer to the chunk (it holds
     * the snapshot's entries) brings it back to receiving entries.
     */
    @Test
    void aLateRefusalAfterTheInstallMakesTheLeaderAskForTheSnapshotAgainAndN3StillCatchesUp() {
        TestCluster cluster = clusterWithN3Behind(15);
        cluster.holdIf(message ->
                message instanceof AppendEntriesResponse && message.from().equals(id(3)));
        cluster.tickAll(RAFT.heartbeatTicks() * 2);
        assertThat(cluster.snapshotsSent).hasSize(1);
        RaftProtocol n1 = cluster.node(1);
        AppendEntriesResponse installed = new AppendEntriesResponse(id(3), id(1), n1.term(), true, 15, 0, 0);
        assertThat(cluster.held()).contains(installed);
        cluster.holdIf(message -> false);
        cluster.release(message -> true);

        cluster.deliver(installed);
        cluster.deliver(new AppendEntriesResponse(id(3), id(1), n1.term(), false, 15, 1, 1, 0));

        assertThat(cluster.snapshotsSent).as("asked again").hasSize(2);
        assertThat(cluster.snapshotsSent.get(1).index()).isEqualTo(15);
        cluster.deliverAll();
        cluster.tickAll(RAFT.heartbeatTicks());
        assertThat(n1.status().matchIndex().get(id(3))).isEqualTo(21);
        assertThat(cluster.node(3).commitIndex()).isEqualTo(21);
    }

    @Test
    void chunkAnswersCountAsSignsOfLifeForCheckQuorum() {
        for (boolean answered : new boolean[] {true, false}) {
            TestCluster cluster = clusterWithN3Behind(15);
            cluster.isolate(2);
            cluster.isolate(3); // n1 hears from n3 only the answers to chunks, crafted below
            RaftProtocol n1 = cluster.node(1);
            for (int i = 0; i < 3 * RAFT.electionTicks() && n1.role() == Role.LEADER; i++) {
                n1.tick();
                if (answered) {
                    cluster.deliver(new InstallSnapshotResponse(id(3), id(1), n1.term(), 15, 1024L * i, false));
                }
                cluster.deliverAll();
            }
            assertThat(n1.role())
                    .as(answered ? "n3 answers chunks: a quorum is active" : "nobody answers: n1 steps down")
                    .isEqualTo(answered ? Role.LEADER : Role.FOLLOWER);
        }
    }

    @Test
    void aFollowerThatAlreadyHoldsTheSnapshotsEntriesAnswersAsToAnAppendAndWantsNoChunk() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.propose(1, "a", "b");
        cluster.deliverAll();
        RaftProtocol n2 = cluster.node(2);
        long committed = n2.commitIndex();
        InstallSnapshotRequest chunk = new InstallSnapshotRequest(
                id(1),
                id(2),
                cluster.node(1).term(),
                committed,
                cluster.node(1).term(),
                4,
                0,
                Bytes.ofUtf8("abcd"),
                true);

        cluster.holdIf(message -> message.from().equals(id(2)));
        cluster.deliver(chunk);

        assertThat(n2.wantsSnapshot(chunk)).isFalse();
        List<RaftMessage> answers = cluster.release(message -> true);
        assertThat(answers)
                .anySatisfy(answer -> assertThat(answer)
                        .isEqualTo(new AppendEntriesResponse(id(2), id(1), n2.term(), true, committed, 0, 0)));
        assertThat(answers).noneMatch(answer -> answer instanceof InstallSnapshotResponse);
    }

    @Test
    void aChunkFromAStaleLeaderIsRefusedWithTheNewerTerm() {
        InMemoryLogStore store = new InMemoryLogStore();
        store.saveHardState(new io.raftlog.api.spi.storage.HardState(5, java.util.Optional.empty()));
        RaftProtocol n2 = new RaftProtocol(id(2), List.of(id(1), id(2), id(3)), RAFT, store, new SplittableRandom(1));

        InstallSnapshotRequest stale = new InstallSnapshotRequest(id(3), id(2), 3, 7, 2, 0, 0, Bytes.EMPTY, true);
        n2.step(stale);

        assertThat(n2.wantsSnapshot(stale)).isFalse();
        assertThat(n2.ready().messages()).containsExactly(new InstallSnapshotResponse(id(2), id(3), 5, 7, 0, true));
        assertThat(n2.term()).isEqualTo(5);
    }

    @Test
    void installingASnapshotWhoseLastEntryTheLogHoldsKeepsTheEntriesAfterIt() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        cluster.isolate(1);
        // n2 holds entries 2..4 that n1 sent but whose commitment it has not heard of.
        cluster.heal();
        cluster.propose(1, "a", "b", "c");
        cluster.holdIf(message -> message instanceof io.raftlog.api.message.AppendEntriesRequest append
                && append.to().equals(id(2))
                && append.entries().isEmpty());
        cluster.deliverAll();
        RaftProtocol n2 = cluster.node(2);
        long last = n2.lastIndex();
        long term = n2.termAt(last);
        assertThat(n2.commitIndex()).isLessThan(last);

        boolean replaced = n2.installSnapshot(last - 1, n2.termAt(last - 1));

        assertThat(replaced).isFalse();
        assertThat(n2.commitIndex()).isEqualTo(last - 1);
        assertThat(n2.lastIndex()).isEqualTo(last);
        assertThat(n2.termAt(last)).isEqualTo(term);
    }

    @Test
    void aNodeRestartedWithASavedCommitIndexReportsItAtOnce() {
        InMemoryLogStore store = new InMemoryLogStore();
        store.append(List.of(TestCluster.entry(1, 1), TestCluster.entry(2, 1), TestCluster.entry(3, 1)));
        RaftProtocol raft =
                new RaftProtocol(id(1), List.of(id(1), id(2), id(3)), RAFT, store, new SplittableRandom(1), 2);
        assertThat(raft.commitIndex()).isEqualTo(2);
        assertThat(raft.ready().commitIndex())
                .as("nothing new to apply: the driver restored it")
                .isEqualTo(2);
    }
}
