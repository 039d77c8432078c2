package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class RaftNodeTest {
    @Test
    void aClusterElectsALeaderAndCommitsAppendsInOrder() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<CompletableFuture<Long>> offsets = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                offsets.add(leader.append(Bytes.ofUtf8("record-" + i)));
            }
            List<Long> committed = new ArrayList<>();
            for (CompletableFuture<Long> offset : offsets) {
                committed.add(offset.get(10, TimeUnit.SECONDS));
            }
            assertThat(committed).isSorted().doesNotHaveDuplicates();
            assertThat(leader.commitOffset()).isGreaterThanOrEqualTo(committed.get(committed.size() - 1));

            // Every node, followers included, serves the same committed records in order.
            for (RaftNode node : cluster.nodes.values()) {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> node.commitOffset() >= committed.get(committed.size() - 1));
                List<CommittedRecord> records = readAll(node, committed.get(committed.size() - 1));
                assertThat(records).extracting(CommittedRecord::offset).containsExactlyElementsOf(committed);
                assertThat(records.get(7).payload().toUtf8()).isEqualTo("record-7");
            }
        }
    }

    /** An append timeout of centuries (beyond a long of nanoseconds) means none; it never throws. */
    @Test
    void anAppendTimeoutBeyondALongOfNanosecondsMeansNoTimeout() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, config -> config.withAppendTimeout(Duration.ofDays(365_000)))) {
            RaftNode leader = cluster.awaitLeader();
            assertThat(leader.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                    .isPositive();
        }
    }

    @Test
    void appendsOnAFollowerFailWithTheLeaderHint() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            RaftNode follower = cluster.nodes.values().stream()
                    .filter(node -> node != leader)
                    .findFirst()
                    .orElseThrow();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> follower.status().leader().isPresent());

            assertThatThrownBy(() -> follower.append(Bytes.ofUtf8("x")).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(NotLeaderException.class)
                    .satisfies(error -> assertThat(((NotLeaderException) error).leaderHint())
                            .contains(leader.id()));
        }
    }

    @Test
    void aNewLeaderTakesOverWhenTheLeaderStopsAndNothingAcknowledgedIsLost() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                acknowledged.add(leader.append(Bytes.ofUtf8("before-" + i)).get(5, TimeUnit.SECONDS));
            }
            cluster.stop(leader.id());

            RaftNode next = cluster.awaitLeader();
            assertThat(next.id()).isNotEqualTo(leader.id());
            long offset = next.append(Bytes.ofUtf8("after")).get(5, TimeUnit.SECONDS);
            assertThat(offset).isGreaterThan(acknowledged.get(acknowledged.size() - 1));
            List<CommittedRecord> records = readAll(next, offset);
            assertThat(records)
                    .extracting(CommittedRecord::offset)
                    .containsAll(acknowledged)
                    .contains(offset);

            // The stopped node comes back from its store and catches up.
            RaftNode restarted = cluster.start(leader.id());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> restarted.commitOffset() >= offset);
            assertThat(readAll(restarted, offset)).isEqualTo(records);
        }
    }

    @Test
    void closingFailsQueuedAndAcceptedAppendsWithClearErrors() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            // Cut the leader off so nothing commits, then close it with appends outstanding.
            for (RaftNode other : cluster.nodes.values()) {
                if (other != leader) {
                    cluster.network.cut(leader.id(), other.id());
                }
            }
            CompletableFuture<Long> pending = leader.append(Bytes.ofUtf8("never acknowledged"));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> leader.status().lastIndex() > leader.commitOffset()
                            || leader.status().role() != Role.LEADER);
            cluster.stop(leader.id());

            assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfAny(IndeterminateResultException.class, NotLeaderException.class);
            assertThatThrownBy(() -> leader.append(Bytes.ofUtf8("late")).get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(NodeClosedException.class);
        }
    }

    @Test
    void aReadWaitsForTheNextCommit() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long start = leader.commitOffset() + 1;
            CompletableFuture<List<CommittedRecord>> read = leader.read(start, 10, Duration.ofSeconds(10));
            assertThat(read).isNotDone();
            long offset = leader.append(Bytes.ofUtf8("wake up")).get(5, TimeUnit.SECONDS);
            List<CommittedRecord> records = read.get(5, TimeUnit.SECONDS);
            assertThat(records).extracting(CommittedRecord::offset).containsExactly(offset);
            assertThat(leader.read(offset + 1, 10, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS))
                    .isEmpty();
        }
    }

    @Test
    void readsNeverShowAnUncommittedRecord() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long committed = leader.append(Bytes.ofUtf8("committed")).get(5, TimeUnit.SECONDS);
            // Cut the leader off: what it appends now reaches its own log but no majority.
            for (RaftNode other : cluster.nodes.values()) {
                if (other != leader) {
                    cluster.network.cut(leader.id(), other.id());
                }
            }
            CompletableFuture<Long> stranded = leader.append(Bytes.ofUtf8("uncommitted"));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> leader.status().lastIndex() > committed);

            assertThat(leader.read(committed + 1, 10, Duration.ofMillis(200)).get(5, TimeUnit.SECONDS))
                    .isEmpty();
            assertThat(readAll(leader, committed))
                    .extracting(record -> record.payload().toUtf8())
                    .doesNotContain("uncommitted");
            assertThat(leader.commitOffset()).isEqualTo(committed);
            assertThat(stranded).isNotDone();
        }
    }

    @Test
    void aReaderPollsCommittedRecordsInOrderAndSkipsInternalEntries() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.appendAll(7, 0, List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b")))
                    .get(5, TimeUnit.SECONDS);
            leader.append(Bytes.ofUtf8("c")).get(5, TimeUnit.SECONDS);
            RaftNode follower = cluster.nodes.values().stream()
                    .filter(node -> node != leader)
                    .findFirst()
                    .orElseThrow();

            try (io.raftlog.api.LogReader reader = follower.reader(1)) {
                List<String> seen = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.size() < 3 && System.nanoTime() < deadline) {
                    for (CommittedRecord record : reader.poll(2, Duration.ofMillis(200))) {
                        seen.add(record.payload().toUtf8());
                    }
                }
                assertThat(seen).containsExactly("a", "b", "c"); // no-op and producer header skipped
                assertThat(reader.poll(10, Duration.ofMillis(50))).isEmpty();
                assertThat(reader.position()).isEqualTo(follower.commitOffset() + 1);
            }
        }
    }

    @Test
    void aRestartedNodeAppliesALongLogInChunksAndServesAllOfIt() throws Exception {
        try (LocalCluster cluster = new LocalCluster(1)) {
            RaftNode node = cluster.awaitLeader();
            List<Bytes> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(Bytes.ofUtf8("r" + i));
            }
            long last = 0;
            for (int round = 0; round < 40; round++) { // 40,000 records: more than two apply chunks
                List<Long> offsets = node.appendAll(batch).get(10, TimeUnit.SECONDS);
                last = offsets.get(offsets.size() - 1);
            }
            cluster.stop(node.id());

            RaftNode restarted = cluster.start(node.id());
            long lastOffset = last;
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> restarted.commitOffset() >= lastOffset);
            List<CommittedRecord> records = readAll(restarted, last);
            assertThat(records).hasSize(40_000);
            assertThat(records.get(39_999).offset()).isEqualTo(last);
        }
    }

    static List<CommittedRecord> readAll(RaftNode node, long upTo) throws Exception {
        List<CommittedRecord> records = new ArrayList<>();
        long next = 1;
        while (next <= upTo) {
            List<CommittedRecord> batch =
                    node.read(next, 1000, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            assertThat(batch).as("records from " + next).isNotEmpty();
            records.addAll(batch);
            next = batch.get(batch.size() - 1).offset() + 1;
        }
        return records;
    }
}
