package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A snapshot transfer on real nodes when a message on the way is lost. */
class SnapshotTransferTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final NodeId LEARNER = NodeId.of("n4");

    private static NodeConfig snapshotOften(NodeConfig config) {
        return config.withLog(
                LogConfig.defaults().withSnapshotEvery(50, 1L << 30).withSnapshotChunks(1024, 2));
    }

    private static void appendMany(RaftNode leader, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            leader.append(Bytes.ofUtf8("record-" + i)).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The learner receives every chunk and installs the snapshot, but its answer saying so is
     * lost. The leader, still waiting for it, asks its driver for the snapshot again; the transfer
     * the follower confirmed whole must start over, not resume past its end and send nothing (the
     * learner then never heard from the leader again and was never promoted: whole-node seed 951,
     * where a late refusal made the leader doubt the install instead).
     */
    @Test
    void aLearnerWhoseInstallAnswerIsLostStillCatchesUpAndIsPromoted() throws Exception {
        AtomicReference<DroppingTransport> learnerTransport = new AtomicReference<>();
        try (LocalCluster cluster = new LocalCluster(3, SnapshotTransferTest::snapshotOften)) {
            cluster.transports = (id, transport) -> {
                if (!id.equals(LEARNER)) {
                    return transport;
                }
                // Its first success answers the install: before it, its log (empty) matches nothing.
                DroppingTransport dropping = new DroppingTransport(
                        transport, message -> message instanceof AppendEntriesResponse answer && answer.success(), 1);
                learnerTransport.set(dropping);
                return dropping;
            };
            RaftNode leader = cluster.awaitLeader();
            appendMany(leader, 150);
            leader.deleteRecordsBefore(leader.commitOffset() - 20).get(10, TimeUnit.SECONDS);
            appendMany(leader, 60); // snapshots past the cut: the log is compacted below it
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> cluster.stores.get(leader.id()).firstIndex() > 2);

            RaftNode learner = cluster.startJoining(LEARNER);
            leader.addLearner(LEARNER, "").get(10, TimeUnit.SECONDS);

            Awaitility.await()
                    .atMost(WAIT)
                    .alias("the learner catches up although the answer to its install was lost")
                    .until(() -> learner.commitOffset() >= leader.commitOffset());
            assertThat(learnerTransport.get().dropped.get()).as("answers lost").isEqualTo(1);
            assertThat(learner.status().log().snapshotsReceived()).isGreaterThanOrEqualTo(1);
            Awaitility.await()
                    .atMost(WAIT)
                    .ignoreExceptions()
                    .until(() ->
                            leader.promote(LEARNER).get(10, TimeUnit.SECONDS).isVoter(LEARNER));
        }
    }

    /**
     * A compaction deletes the snapshot the log started after at once, while the truncation of the
     * log it decided is still queued; a crash then loses the truncation, and the log starts after a
     * snapshot the store no longer holds. At the next start the node finishes the truncation: as a
     * leader it could otherwise bring no follower behind its log's start up to date, sending the
     * snapshot its log starts after (found by the whole-node simulator, seed 15832: no leader could
     * stay, each losing its quorum to followers it could not serve).
     */
    @Test
    void aLogStartingAfterASnapshotLostInACrashIsCompactedToTheNextOneAtStart() throws Exception {
        NodeId only = NodeId.of("n1");
        try (LocalCluster cluster = new LocalCluster(1, SnapshotTransferTest::snapshotOften)) {
            RaftNode leader = cluster.awaitLeader();
            appendMany(leader, 150);
            leader.deleteRecordsBefore(leader.commitOffset() - 20).get(10, TimeUnit.SECONDS);
            appendMany(leader, 60); // snapshots past the cut: the log is compacted below it
            Awaitility.await().atMost(WAIT).until(() -> cluster.stores.get(only).firstIndex() > 2);
            cluster.stop(only);
            // What the crash leaves: the snapshot the log starts after is gone, newer ones remain.
            try (InMemoryLogStore log = new InMemoryLogStore(cluster.volumes.get(only));
                    InMemorySnapshotStore snapshots = new InMemorySnapshotStore(cluster.volumes.get(only))) {
                snapshots.delete(log.firstIndex() - 1);
                assertThat(snapshots.list())
                        .as("snapshots past the log's start")
                        .isNotEmpty();
            }

            RaftNode restarted = cluster.start(only);
            RaftNode current = cluster.awaitLeader();
            assertThat(current).isSameAs(restarted);
            long last = current.append(Bytes.ofUtf8("after the restart")).get(10, TimeUnit.SECONDS);
            RaftNode learner = cluster.startJoining(LEARNER);
            current.addLearner(LEARNER, "").get(10, TimeUnit.SECONDS);

            Awaitility.await()
                    .atMost(WAIT)
                    .alias("a learner with an empty log catches up from a snapshot the leader holds")
                    .until(() -> learner.commitOffset() >= last);
            assertThat(learner.status().log().snapshotsReceived()).isGreaterThanOrEqualTo(1);
        }
    }
}
