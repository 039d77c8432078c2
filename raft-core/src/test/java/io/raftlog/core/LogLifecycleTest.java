package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The log over time on real nodes: records removed on request and by retention at the same
 * position everywhere, snapshots taken and restored, the log compacted below them, and a follower
 * whose log ends before the leader's starts caught up through a snapshot.
 */
class LogLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static NodeConfig snapshotOften(NodeConfig config) {
        return config.withLog(
                LogConfig.defaults().withSnapshotEvery(50, 1L << 30).withSnapshotChunks(1024, 2));
    }

    /**
     * Restarts every node of {@code cluster} on a {@link CountingSnapshotStore} (put in {@code
     * stores}) whose snapshot writes wait for {@code writesWait}.
     */
    private static void restartOnCountingSnapshotStores(
            LocalCluster cluster,
            Map<NodeId, CountingSnapshotStore> stores,
            java.util.concurrent.CountDownLatch writesWait) {
        cluster.snapshotStores = (id, store) -> {
            CountingSnapshotStore counting = new CountingSnapshotStore(store);
            counting.writesWait = writesWait;
            stores.put(id, counting);
            return counting;
        };
        cluster.ids.forEach(id -> {
            cluster.stop(id);
            cluster.start(id);
        });
    }

    private static List<Long> appendMany(RaftNode leader, int count) throws Exception {
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            offsets.addAll(
                    leader.appendAll(List.of(Bytes.ofUtf8("record-" + i))).get(10, TimeUnit.SECONDS));
        }
        return offsets;
    }

    /**
     * Chunks are sized for the longest ids allowed, not the start's: a member added later, or this
     * node when it joined, may have a longer id, and its chunks must still fit (review F1).
     */
    @Test
    void aSnapshotChunkFitsTheTransportsLargestMessageBetweenMembersWithTheLongestIds() {
        int maxMessageBytes = 4096;
        LogConfig log = LogConfig.defaults().withSnapshotChunks(1 << 20, 2);
        int chunk = Snapshots.chunkBytes(log, maxMessageBytes);

        NodeId longest = NodeId.of("x".repeat(NodeId.MAX_LENGTH));
        NodeId other = NodeId.of("y".repeat(NodeId.MAX_LENGTH));
        int size = io.raftlog.api.message.MessageCodec.encodedSize(new io.raftlog.api.message.InstallSnapshotRequest(
                longest, other, 7, 100, 7, 1L << 30, 0, Bytes.copyOf(new byte[chunk]), false));
        assertThat(size).isEqualTo(maxMessageBytes);
        assertThat(Snapshots.chunkBytes(LogConfig.defaults().withSnapshotChunks(1024, 2), maxMessageBytes))
                .as("a configured size that fits is kept")
                .isEqualTo(1024);
        assertThatThrownBy(() -> Snapshots.chunkBytes(log, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaves room for snapshot chunks of only");
    }

    @Test
    void deleteRecordsBeforeMovesTheLogStartOnEveryNodeAndReadsBelowItFailWithTheRange() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<Long> offsets = appendMany(leader, 20);
            long cut = offsets.get(10);

            long start = leader.deleteRecordsBefore(cut).get(10, TimeUnit.SECONDS);

            assertThat(start).isEqualTo(cut);
            for (RaftNode node : cluster.nodes.values()) {
                Awaitility.await().atMost(WAIT).until(() -> node.logStartOffset() == cut);
                ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                        ExecutionException.class,
                        () -> node.read(cut - 1, 10, Duration.ZERO).get());
                assertThat(refused.getCause()).isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                    assertThat(e.logStartOffset()).isEqualTo(cut);
                    assertThat(e.offset()).isEqualTo(cut - 1);
                    assertThat(e.getMessage()).contains("log start offset " + cut);
                });
                assertThat(node.read(cut, 100, Duration.ofSeconds(5))
                                .get()
                                .get(0)
                                .offset())
                        .isEqualTo(cut);
            }
            assertThat(leader.deleteRecordsBefore(2).get())
                    .as("below the start: no change")
                    .isEqualTo(cut);
            assertThatThrownBy(() -> leader.deleteRecordsBefore(leader.commitOffset() + 2)
                            .get())
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void retentionByBytesKeepsTheLogBoundedOnEveryNode() throws Exception {
        long retain = 256 * 1024;
        try (LocalCluster cluster = new LocalCluster(
                3,
                config -> config.withLog(
                        LogConfig.defaults().withRetentionBytes(retain).withSnapshotEvery(200, 1L << 30)))) {
            RaftNode leader = cluster.awaitLeader();
            Bytes record = Bytes.wrap(new byte[1000]);
            List<Bytes> batch = java.util.Collections.nCopies(50, record);
            for (int i = 0; i < 40; i++) {
                leader.appendAll(batch).get(10, TimeUnit.SECONDS); // 2 MB in all
            }
            for (RaftNode node : cluster.nodes.values()) {
                Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(node.logStartOffset()).isGreaterThan(1);
                    assertThat(node.status().log().sizeBytes()).isLessThanOrEqualTo(retain + retain / 8);
                });
            }
            long start = leader.logStartOffset();
            for (NodeId id : cluster.ids) {
                Awaitility.await()
                        .atMost(WAIT)
                        .untilAsserted(() -> assertThat(cluster.stores.get(id).firstIndex())
                                .as("compacted below a snapshot on %s", id)
                                .isGreaterThan(1)
                                .isLessThanOrEqualTo(cluster.nodes.get(id).logStartOffset()));
            }
            assertThat(start).isGreaterThan(1);
        }
    }

    @Test
    void aRestartedNodeRestoresItsSnapshotKnowsItsCommitOffsetAtOnceAndKeepsItsProducers() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            RaftNode leader = cluster.awaitLeader();
            long producer = 0x5eed;
            List<Long> first = leader.appendAll(producer, 0, List.of(Bytes.ofUtf8("p0"), Bytes.ofUtf8("p1")))
                    .get(10, TimeUnit.SECONDS);
            appendMany(leader, 120);
            NodeId id = cluster.ids.stream()
                    .filter(member -> !member.equals(leader.status().id()))
                    .findFirst()
                    .orElseThrow();
            // A snapshot is taken once 50 entries were applied since the last: where depends on how
            // the follower's applies were batched, so only that one exists is certain.
            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                assertThat(cluster.nodes.get(id).commitOffset())
                        .as("the follower's commit offset")
                        .isEqualTo(leader.commitOffset());
                assertThat(cluster.nodes.get(id).status().log().snapshotIndex())
                        .as(
                                "the follower's newest snapshot, with %s applied",
                                cluster.nodes.get(id).status())
                        .isGreaterThanOrEqualTo(50);
            });
            long committedBefore = cluster.nodes.get(id).commitOffset();
            cluster.stop(id);
            cluster.ids.forEach(other -> cluster.network.cut(id, other));

            RaftNode restarted = cluster.start(id);

            assertThat(restarted.commitOffset())
                    .as("known committed before it hears a leader")
                    .isEqualTo(committedBefore);
            assertThat(restarted.read(committedBefore, 1, Duration.ZERO).get()).isNotEmpty();
            cluster.network.heal();
            // The restored de-duplication table: a retry of the first batch gets its original offsets.
            cluster.stop(leader.status().id());
            RaftNode next = cluster.awaitLeader();
            Awaitility.await()
                    .atMost(WAIT)
                    .untilAsserted(() -> assertThat(
                                    next.appendAll(producer, 0, List.of(Bytes.ofUtf8("p0"), Bytes.ofUtf8("p1")))
                                            .get(10, TimeUnit.SECONDS))
                            .isEqualTo(first));
        }
    }

    @Test
    void aDamagedSnapshotIsPassedOverAtRestartAndALogNoSnapshotCoversIsRefusedWithWhatToDo() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            RaftNode leader = cluster.awaitLeader();
            appendMany(leader, 130);
            long cut = leader.commitOffset() - 10;
            leader.deleteRecordsBefore(cut).get(10, TimeUnit.SECONDS);
            appendMany(leader, 120);
            NodeId id = cluster.ids.stream()
                    .filter(member -> !member.equals(leader.status().id()))
                    .findFirst()
                    .orElseThrow();
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> cluster.stores.get(id).firstIndex() > 1
                            && cluster.volumes.get(id).snapshots().size() >= 2);
            long committed = cluster.nodes.get(id).commitOffset();
            long last = cluster.stores.get(id).lastIndex();
            cluster.stop(id);
            var held = cluster.volumes.get(id).snapshots();
            cluster.volumes.get(id).damageSnapshot(held.get(held.size() - 1).index());
            // The entry the older snapshot ends at rotted too: that must not make the node drop the
            // log after it (which holds entries it acknowledged); the entry is repaired later.
            cluster.corruptOnStart.put(
                    id, java.util.Set.of(held.get(held.size() - 2).index()));

            RaftNode restarted = cluster.start(id);

            assertThat(cluster.stores.get(id).lastIndex()).as("the log is kept").isGreaterThanOrEqualTo(last);
            cluster.corruptOnStart.remove(id);

            assertThat(restarted.commitOffset())
                    .as("restored from the older snapshot")
                    .isEqualTo(committed);
            long damaged = held.get(held.size() - 1).index();
            assertThat(cluster.volumes.get(id).snapshots())
                    .as("the damaged one is deleted (or taken again, intact, at the same index)")
                    .allSatisfy(snapshot -> assertThat(snapshot.index() != damaged
                                    || restarted.status().log().snapshotIndex() == damaged)
                            .isTrue());

            cluster.stop(id);
            for (var snapshot : cluster.volumes.get(id).snapshots()) {
                cluster.volumes.get(id).damageSnapshot(snapshot.index());
            }
            assertThatThrownBy(() -> cluster.start(id))
                    .isInstanceOf(io.raftlog.api.StorageException.class)
                    .hasMessageContaining("no intact snapshot")
                    .hasMessageContaining("--rejoin");
        }
    }

    @Test
    void aLeaderWhoseSnapshotRottedSendsItsNewestIntactOneAndTheFollowerStillCatchesUp() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            RaftNode leader = cluster.awaitLeader();
            NodeId leaderId = leader.status().id();
            NodeId lagging = cluster.ids.stream()
                    .filter(member -> !member.equals(leaderId))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(lagging);
            appendMany(leader, 150);
            leader.deleteRecordsBefore(leader.commitOffset() - 20).get(10, TimeUnit.SECONDS);
            appendMany(leader, 120);
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> cluster.stores.get(leaderId).firstIndex() > 2);
            long floor = cluster.stores.get(leaderId).firstIndex() - 1;
            cluster.volumes.get(leaderId).damageSnapshot(floor);

            RaftNode follower = cluster.start(lagging);

            Awaitility.await().atMost(WAIT).until(() -> follower.commitOffset() >= leader.commitOffset());
            assertThat(follower.status().log().snapshotsReceived()).isGreaterThanOrEqualTo(1);
            assertThat(follower.status().log().snapshotIndex()).isGreaterThan(floor);
        }
    }

    /** State whose snapshot is large next to a transfer's window of chunks (2 x 1 KiB here). */
    static final class Ballast implements StateMachine {
        static final int SIZE = 256 * 1024;

        @Override
        public void apply(CommittedRecord record) {}

        @Override
        public Snapshot snapshot() {
            return out -> out.write(new byte[SIZE]);
        }

        @Override
        public void restore(InputStream in) throws IOException {
            if (in.readAllBytes().length != SIZE) {
                throw new IOException("ballast of the wrong size");
            }
        }
    }

    /**
     * A snapshot that falls due while the one before is still being written is taken when that one
     * is done, not at the next entry applied: an idle log would otherwise keep its whole tail
     * unsnapshotted until someone appends again.
     */
    @Test
    void aSnapshotDueWhileTheOneBeforeIsWrittenIsTakenWhenThatOneIsDone() throws Exception {
        Map<NodeId, CountingSnapshotStore> snapshotStores = new ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch slowDisk = new java.util.concurrent.CountDownLatch(1);
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            restartOnCountingSnapshotStores(cluster, snapshotStores, slowDisk);
            RaftNode leader = cluster.awaitLeader();
            appendMany(leader, 60); // the first snapshot falls due, and waits on the disk
            appendMany(leader, 60); // the second falls due while the first is written
            long last = leader.commitOffset();

            slowDisk.countDown();

            for (NodeId id : cluster.ids) {
                Awaitility.await()
                        .atMost(WAIT)
                        .untilAsserted(() -> assertThat(
                                        cluster.nodes.get(id).status().log().snapshotIndex())
                                .as("the newest snapshot on %s, with entries applied to %d", id, last)
                                .isGreaterThan(last - 50));
            }
        }
    }

    @Test
    void aTransferToAFollowerThatIsDownIsKeptAndItsSnapshotCheckedOnceNotAtEveryRetry() throws Exception {
        Map<NodeId, CountingSnapshotStore> snapshotStores = new ConcurrentHashMap<>();
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            cluster.applications = id -> new Ballast();
            restartOnCountingSnapshotStores(cluster, snapshotStores, new java.util.concurrent.CountDownLatch(0));
            RaftNode leader = cluster.awaitLeader();
            NodeId leaderId = leader.status().id();
            NodeId lagging = cluster.ids.stream()
                    .filter(member -> !member.equals(leaderId))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(lagging);
            appendMany(leader, 150);
            leader.deleteRecordsBefore(leader.commitOffset() - 20).get(10, TimeUnit.SECONDS);
            appendMany(leader, 60);
            Awaitility.await().atMost(WAIT).until(() -> leader.status().log().snapshotsSent() >= 1);

            // The follower stays down for ten election timeouts; each one the leader retries.
            // Checking the snapshot (a whole read) at every retry would read it ten times over.
            CountingSnapshotStore leaderSnapshots = snapshotStores.get(leaderId);
            long before = leaderSnapshots.bytesRead.get();
            NodeConfig config = snapshotOften(NodeConfig.of(leaderId, cluster.ids));
            Duration down =
                    config.tickInterval().multipliedBy(10L * config.protocol().electionTicks());
            Awaitility.await()
                    .during(down)
                    .atMost(down.multipliedBy(3))
                    .until(() -> leaderSnapshots.bytesRead.get() - before < Ballast.SIZE);

            RaftNode follower = cluster.start(lagging);
            Awaitility.await().atMost(WAIT).until(() -> follower.commitOffset() >= leader.commitOffset());
            assertThat(follower.status().log().snapshotsReceived())
                    .as("snapshots the follower installed")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    /** Counts records per key; its snapshot is the map. */
    static final class Counts implements StateMachine {
        final Map<String, Long> counts = new ConcurrentHashMap<>();
        long applied;

        @Override
        public void apply(CommittedRecord record) {
            counts.merge(record.payload().toUtf8().split("-")[0], 1L, Long::sum);
            applied = record.offset();
        }

        @Override
        public Snapshot snapshot() {
            Map<String, Long> copy = Map.copyOf(counts);
            return out -> {
                DataOutputStream data = new DataOutputStream(out);
                data.writeInt(copy.size());
                for (Map.Entry<String, Long> entry : copy.entrySet()) {
                    data.writeUTF(entry.getKey());
                    data.writeLong(entry.getValue());
                }
                data.flush();
            };
        }

        @Override
        public void restore(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            counts.clear();
            for (int n = data.readInt(); n > 0; n--) {
                counts.put(data.readUTF(), data.readLong());
            }
        }
    }

    @Test
    void aFollowerBehindTheLeadersLogStartCatchesUpThroughASnapshotWithItsApplicationState() throws Exception {
        Map<NodeId, Counts> states = new ConcurrentHashMap<>();
        try (LocalCluster cluster = new LocalCluster(3, LogLifecycleTest::snapshotOften)) {
            cluster.applications = id -> states.computeIfAbsent(id, any -> new Counts());
            cluster.ids.forEach(id -> {
                cluster.stop(id);
                cluster.start(id);
            });
            RaftNode leader = cluster.awaitLeader();
            NodeId lagging = cluster.ids.stream()
                    .filter(member -> !member.equals(leader.status().id()))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(lagging);
            states.remove(lagging);

            appendMany(leader, 150);
            long cut = leader.commitOffset() - 20;
            leader.deleteRecordsBefore(cut).get(10, TimeUnit.SECONDS);
            appendMany(leader, 60); // snapshots past the cut: the log is compacted below it
            Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> cluster.stores.get(leader.status().id()).firstIndex() > 2);
            long leaderFirst = cluster.stores.get(leader.status().id()).firstIndex();

            RaftNode follower = cluster.start(lagging);

            Awaitility.await().atMost(WAIT).until(() -> follower.commitOffset() >= leader.commitOffset());
            assertThat(follower.status().log().snapshotsReceived()).isGreaterThanOrEqualTo(1);
            assertThat(leader.status().log().snapshotsSent()).isGreaterThanOrEqualTo(1);
            assertThat(cluster.stores.get(lagging).firstIndex()).isGreaterThanOrEqualTo(leaderFirst);
            Awaitility.await()
                    .atMost(WAIT)
                    .untilAsserted(() -> assertThat(states.get(lagging).counts)
                            .isEqualTo(states.get(leader.status().id()).counts));
            assertThat(states.get(lagging).counts.get("record")).isEqualTo(210L);
            Awaitility.await().atMost(WAIT).until(() -> follower.logStartOffset() == leader.logStartOffset());
            // Every retained record is on the follower too.
            List<CommittedRecord> onLeader = readAll(leader, leader.logStartOffset());
            List<CommittedRecord> onFollower = readAll(follower, follower.logStartOffset());
            assertThat(onFollower).isEqualTo(onLeader);
        }
    }

    private static List<CommittedRecord> readAll(RaftNode node, long from) throws Exception {
        List<CommittedRecord> all = new ArrayList<>();
        long next = from;
        while (next <= node.commitOffset()) {
            List<CommittedRecord> records =
                    node.read(next, 1000, Duration.ofSeconds(1)).get();
            if (records.isEmpty()) {
                break;
            }
            all.addAll(records);
            next = records.get(records.size() - 1).offset() + 1;
        }
        return all;
    }
}
