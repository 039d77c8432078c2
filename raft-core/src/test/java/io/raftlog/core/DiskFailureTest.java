package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus.Health;
import io.raftlog.api.Role;
import io.raftlog.api.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Real nodes whose disks fail: a write that fails with a transient error (an I/O error, a full
 * disk) is retried with back-off while the node says so in its status, acknowledges nothing and
 * does not lead; once writes pass it catches up by itself. A fatal error stops the node, which
 * says why in its status and fails every call with that cause.
 */
class DiskFailureTest {
    private static final StorageException DISK_FULL =
            new StorageException("append failed in /data/n2: no space left on device (the disk is full: 0 bytes free)");

    @Test
    void aFollowerWhoseWritesFailSaysSoKeepsTheClusterGoingAndCatchesUpWhenTheyPass() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            NodeId sick = cluster.ids.stream()
                    .filter(id -> !id.equals(leader.id()))
                    .findFirst()
                    .orElseThrow();
            leader.append(Bytes.ofUtf8("before")).get();
            cluster.stores.get(sick).writeError = DISK_FULL;

            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                offsets.add(leader.append(Bytes.ofUtf8("during-" + i)).get()); // the other two commit
            }
            RaftNode follower = cluster.nodes.get(sick);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.status().health() == Health.STORAGE_FAILING);
            assertThat(follower.status().problem())
                    .hasValueSatisfying(problem -> assertThat(problem).contains("no space left on device"));
            assertThat(follower.commitOffset()).isLessThan(offsets.get(offsets.size() - 1));
            assertThat(leader.status().matchIndex().get(sick)).isLessThan(offsets.get(0));

            cluster.stores.get(sick).writeError = null;
            long last = offsets.get(offsets.size() - 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.commitOffset() >= last);
            assertThat(follower.status().health()).isEqualTo(Health.HEALTHY);
            assertThat(follower.status().problem()).isEmpty();
            List<CommittedRecord> read =
                    follower.read(offsets.get(0), 100, Duration.ZERO).get();
            assertThat(read).extracting(record -> record.payload().toUtf8()).startsWith("during-0", "during-1");
            assertThat(cluster.stores.get(sick).refusedWrites).isGreaterThan(0);
        }
    }

    @Test
    void aLeaderWhoseWritesFailHandsOverAndTheClusterGoesOn() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode old = cluster.awaitLeader();
            old.append(Bytes.ofUtf8("first")).get();
            cluster.stores.get(old.id()).writeError = DISK_FULL;
            var pending = old.append(Bytes.ofUtf8("on the sick leader"));

            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            old.status().role() != Role.LEADER && old.status().health() == Health.STORAGE_FAILING);
            RaftNode next = cluster.awaitLeader();
            assertThat(next.id()).isNotEqualTo(old.id());
            long offset = next.append(Bytes.ofUtf8("on the new leader")).get();

            cluster.stores.get(old.id()).writeError = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> old.commitOffset() >= offset);
            assertThat(old.status().health()).isEqualTo(Health.HEALTHY);
            // The append taken while the disk failed has a definite or indeterminate answer, never a hang.
            assertThat(pending.handle((value, error) -> true).get()).isTrue();
        }
    }

    @Test
    void aFatalStorageErrorStopsTheNodeWhichSaysWhyAndFailsEveryCallWithIt() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            NodeId broken = cluster.ids.stream()
                    .filter(id -> !id.equals(leader.id()))
                    .findFirst()
                    .orElseThrow();
            cluster.stores.get(broken).writeError =
                    new CorruptLogException(7, "/data/" + broken, "CRC32C mismatch (a test's corruption)");
            leader.append(Bytes.ofUtf8("x")).get();
            RaftNode node = cluster.nodes.get(broken);

            Throwable stopped =
                    node.terminated().handle((value, error) -> error).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stopped).isInstanceOf(CompletionException.class);
            assertThat(stopped.getCause())
                    .isInstanceOf(CorruptLogException.class)
                    .hasMessageContaining("index 7");
            assertThat(node.status().health()).isEqualTo(Health.FAILED);
            assertThat(node.status().problem())
                    .hasValueSatisfying(problem -> assertThat(problem).contains("corrupt log entry at index 7"));
            assertThat(node.append(Bytes.ofUtf8("y")))
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(NodeClosedException.class)
                    .withMessageContaining("index 7");
            // The others go on.
            assertThat(leader.append(Bytes.ofUtf8("z")).get()).isPositive();
        }
    }

    @Test
    void closingANodeCompletesItsTerminationNormally() throws Exception {
        try (LocalCluster cluster = new LocalCluster(1)) {
            RaftNode node = cluster.awaitLeader();
            var terminated = node.terminated();
            assertThat(terminated).isNotDone();
            node.close();
            assertThat(terminated).succeedsWithin(Duration.ofSeconds(5));
            assertThat(node.status().health()).isEqualTo(Health.CLOSED);
        }
    }

    @Test
    void aLeaderKeepsItsLeadershipWhileEveryFollowersDiskStallsForLongerThanAnElectionTimeout() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.append(Bytes.ofUtf8("before")).get();
            long term = leader.status().term();
            List<NodeId> followers =
                    cluster.ids.stream().filter(id -> !id.equals(leader.id())).toList();
            followers.forEach(id -> cluster.stores.get(id).stall());
            var stalled = leader.append(Bytes.ofUtf8("during the stall"));
            // Stalled far beyond the election timeout (10 ms ticks, 10 election ticks): a leader
            // whose heartbeat answers queued behind the followers' writes would lose its quorum
            // (CheckQuorum) and step down, and the followers would not elect another either.
            long electionTimeoutMillis =
                    2 * 10 * NodeConfig.of(leader.id(), cluster.ids).protocol().electionTicks();
            await().during(Duration.ofMillis(8 * electionTimeoutMillis))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> leader.status().role() == Role.LEADER
                            && leader.status().term() == term);
            assertThat(stalled).isNotDone(); // nothing durable on a majority, so nothing acknowledged
            assertThat(leader.status().role()).isEqualTo(Role.LEADER);
            assertThat(leader.status().term()).isEqualTo(term);

            followers.forEach(id -> cluster.stores.get(id).resume());
            assertThat(stalled.get()).isPositive();
            assertThat(leader.status().term()).isEqualTo(term);
            for (NodeId id : cluster.ids) {
                assertThat(cluster.nodes.get(id).status().term()).isEqualTo(term);
            }
        }
    }
}
