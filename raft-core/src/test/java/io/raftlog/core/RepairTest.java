package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Committed entries whose stored copy fails its integrity check are repaired from a peer: never
 * served, applied or replicated damaged, never fatal while an intact copy exists somewhere; and a
 * node stops, naming the entry, only when none does.
 */
class RepairTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void aFollowerRepairsCorruptCommittedEntriesFromItsPeersAndServesEveryRecordIntact() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 40);
            NodeId follower = someFollower(cluster);
            cluster.stop(follower);
            cluster.corruptOnStart.put(follower, Set.of(offsets.get(5), offsets.get(17), offsets.get(30)));

            RaftNode node = cluster.start(follower);

            long last = offsets.get(offsets.size() - 1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> node.commitOffset() >= last && node.status().health() == Health.HEALTHY);
            assertRecords(node, offsets);
            assertThat(cluster.stores.get(follower).corrupt).isEmpty();
        }
    }

    @Test
    void aReadThatMeetsADamagedEntryFailsTypedAndTheEntryIsRepairedForTheNextRead() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 10);
            NodeId follower = someFollower(cluster);
            RaftNode node = cluster.nodes.get(follower);
            long damaged = offsets.get(4);
            cluster.stores.get(follower).corrupt.add(damaged); // rots after it was applied

            assertThat(node.read(damaged, 1, Duration.ZERO))
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(CorruptLogException.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.stores.get(follower).corrupt.isEmpty()
                            && node.status().health() == Health.HEALTHY);
            assertRecords(node, offsets);
        }
    }

    @Test
    void theSameEntryCorruptOnTwoOfThreeNodesIsRepairedFromTheThird() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 30);
            long damaged = offsets.get(12);
            for (NodeId id : List.of(N1, N2, N3)) {
                cluster.stop(id);
            }
            cluster.corruptOnStart.put(N1, Set.of(damaged));
            cluster.corruptOnStart.put(N2, Set.of(damaged));
            for (NodeId id : List.of(N1, N2, N3)) {
                cluster.start(id);
            }
            long last = offsets.get(offsets.size() - 1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.nodes.values().stream()
                            .allMatch(node ->
                                    node.commitOffset() >= last && node.status().health() == Health.HEALTHY));
            for (RaftNode node : cluster.nodes.values()) {
                assertRecords(node, offsets);
            }
        }
    }

    @Test
    void aLeaderThatMeetsACorruptEntryHandsOverAndRepairsIt() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 30);
            RaftNode leader = cluster.awaitLeader();
            NodeId lagging = someFollower(cluster);
            // The leader's copy of an early entry goes bad; a follower that lost its data needs it.
            cluster.stores.get(leader.id()).corrupt.add(offsets.get(3));
            cluster.stop(lagging);
            cluster.wipe(lagging);
            RaftNode rejoined = cluster.start(lagging, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));

            long last = offsets.get(offsets.size() - 1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> rejoined.commitOffset() >= last
                            && rejoined.status().health() == Health.HEALTHY
                            && leader.status().health() == Health.HEALTHY);
            assertThat(cluster.stores.get(leader.id()).corrupt).isEmpty();
            assertRecords(rejoined, offsets);
            assertRecords(leader, offsets);
        }
    }

    @Test
    void withNoIntactCopyAnywhereTheNodesStopNamingTheEntry() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 20);
            long damaged = offsets.get(7);
            for (NodeId id : List.of(N1, N2, N3)) {
                cluster.stop(id);
                cluster.corruptOnStart.put(id, Set.of(damaged));
            }
            List<RaftNode> started = new ArrayList<>();
            for (NodeId id : List.of(N1, N2, N3)) {
                started.add(cluster.start(id));
            }
            // Each that meets the entry learns from its peers that their copies fail too, and stops;
            // the last one may find the others gone before they could tell it, and waits.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started.stream()
                                    .filter(node -> node.terminated().isDone())
                                    .count()
                            >= 2);
            for (RaftNode node : started) {
                if (node.terminated().isDone()) {
                    Throwable stopped =
                            node.terminated().handle((value, error) -> error).get(1, TimeUnit.SECONDS);
                    assertThat(stopped.getCause())
                            .isInstanceOf(CorruptLogException.class)
                            .hasMessageContaining("corrupt log entry at index " + damaged)
                            .hasMessageContaining("no peer holds an intact committed copy");
                } else {
                    // Alone now: it may not even have met the entry; it never applies past it.
                    assertThat(node.status().health()).isIn(Health.REPAIRING, Health.HEALTHY);
                    assertThat(node.commitOffset()).isLessThan(damaged);
                }
            }
        }
    }

    @Test
    void aLeaderWhoseOwnUncommittedEntryRotsStepsDownAndTakesTheNextLeadersLog() throws Exception {
        // The entry is on the leader alone, so nobody can send it back; it was never committed,
        // so nobody was promised it. The leader must neither replicate bad bytes nor stop: it
        // steps down, and the next leader's log replaces the damaged entry like any conflict.
        // No log cache: with it the leader replicates its sound copy from memory (the next test).
        try (LocalCluster cluster = new LocalCluster(
                3, config -> config.withProtocol(config.protocol().withLogCacheBytes(0)))) {
            List<Long> offsets = produce(cluster, 10);
            RaftNode leader = cluster.awaitLeader();
            NodeId id = leader.id();
            isolate(cluster, id);
            long before = leader.status().lastIndex();
            var lost = leader.append(Bytes.ofUtf8("only on the leader"));
            long damaged = rotTheLastEntryOnceStored(cluster, id, before);

            cluster.network.heal();

            long next = cluster.awaitLeader().append(Bytes.ofUtf8("after")).get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            leader.commitOffset() >= next && leader.status().health() == Health.HEALTHY);
            assertThat(leader.terminated()).isNotDone();
            assertThat(cluster.stores.get(id).corrupt).isEmpty();
            assertThat(lost).failsWithin(Duration.ofSeconds(20));
            assertRecords(leader, offsets);
            assertThat(leader.read(next, 1, Duration.ZERO).get(5, TimeUnit.SECONDS))
                    .singleElement()
                    .satisfies(record -> assertThat(record.payload().toUtf8()).isEqualTo("after"));
            for (RaftNode node : cluster.nodes.values()) {
                assertThat(node.read(damaged, 1, Duration.ZERO).get(5, TimeUnit.SECONDS))
                        .as("entry %d on %s", damaged, node.id())
                        .isEqualTo(leader.read(damaged, 1, Duration.ZERO).get(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void anEntryThatRotsOnTheLeadersDiskAfterItsWriteIsReplicatedFromMemoryAndRepairedOnRead() throws Exception {
        // With the log cache the leader holds each entry in memory until it is applied: damage on
        // its disk after the write never reaches a follower or the leader's own apply. The first
        // read from the disk meets it, fails typed, and the entry is repaired from a peer.
        try (LocalCluster cluster = new LocalCluster(3)) {
            List<Long> offsets = produce(cluster, 10);
            RaftNode leader = cluster.awaitLeader();
            NodeId id = leader.id();
            isolate(cluster, id);
            long before = leader.status().lastIndex();
            var kept = leader.append(Bytes.ofUtf8("sound in memory"));
            long damaged = rotTheLastEntryOnceStored(cluster, id, before);
            cluster.network.heal();

            // Whether it still leads when the network heals is a race: if it does, the entry is
            // sent from memory and commits; if a peer won an election meanwhile, that peer's log
            // replaces it. Either way no node holds damaged bytes and the leader stays up.
            long next = cluster.awaitLeader().append(Bytes.ofUtf8("after")).get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.nodes.values().stream().allMatch(node -> node.commitOffset() >= next));
            boolean committed = kept.handle((offset, error) -> error == null).get(20, TimeUnit.SECONDS);
            if (committed) {
                assertThat(kept.get()).isEqualTo(damaged);
            }
            // Reads are served from memory while the window still holds the entry, then from the
            // disk: the first disk read meets the damage, fails typed and starts the repair. No read
            // ever returns damaged bytes.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    List<CommittedRecord> read =
                            leader.read(damaged, 1, Duration.ZERO).get(5, TimeUnit.SECONDS);
                    if (committed) {
                        assertThat(read)
                                .singleElement()
                                .satisfies(record ->
                                        assertThat(record.payload().toUtf8()).isEqualTo("sound in memory"));
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(CorruptLogException.class);
                }
                return cluster.stores.get(id).corrupt.isEmpty()
                        && leader.status().health() == Health.HEALTHY;
            });
            assertThat(leader.terminated()).isNotDone();
            assertRecords(leader, offsets);
            List<CommittedRecord> expected =
                    leader.read(damaged, 1, Duration.ZERO).get(5, TimeUnit.SECONDS);
            if (committed) {
                assertThat(expected)
                        .singleElement()
                        .satisfies(
                                record -> assertThat(record.payload().toUtf8()).isEqualTo("sound in memory"));
            }
            for (RaftNode node : cluster.nodes.values()) {
                assertThat(node.read(damaged, 1, Duration.ZERO).get(5, TimeUnit.SECONDS))
                        .as("entry %d on %s", damaged, node.id())
                        .isEqualTo(expected);
            }
        }
    }

    /**
     * A membership change retried on a leader whose own pending configuration entry rots: the
     * corruption is repaired like any other (the leader steps down, the next leader's log replaces
     * the entry), and the retry fails as a change on a node that no longer leads. Before, the
     * retry's caller got the corruption and the loop never heard of it (whole-node simulator, seed
     * 8440: the operator's ADD failed with a CorruptLogException).
     */
    @Test
    void aMembershipChangeThatMeetsADamagedEntryLeavesItToTheRepairAndFailsTyped() throws Exception {
        NodeId n4 = NodeId.of("n4");
        // No log cache: the leader reads its durable pending entry back from the store, where it
        // rotted (with the cache it would use its sound copy in memory and meet the damage later).
        try (LocalCluster cluster = new LocalCluster(
                3, config -> config.withProtocol(config.protocol().withLogCacheBytes(0)))) {
            List<Long> offsets = produce(cluster, 3);
            RaftNode leader = cluster.awaitLeader();
            NodeId id = leader.id();
            isolate(cluster, id);
            long before = leader.status().lastIndex();
            var first = leader.addLearner(n4, "");
            rotTheLastEntryOnceStored(cluster, id, before);

            var retry = leader.addLearner(n4, "");
            assertThat(retry)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(io.raftlog.api.NotLeaderException.class);

            cluster.network.heal();
            long next = cluster.awaitLeader().append(Bytes.ofUtf8("after")).get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            leader.commitOffset() >= next && leader.status().health() == Health.HEALTHY);
            assertThat(cluster.stores.get(id).corrupt).isEmpty();
            assertThat(first).failsWithin(Duration.ofSeconds(20));
            assertRecords(leader, offsets);
        }
    }

    /** Cuts {@code id} off from the other two nodes, both ways. */
    private static void isolate(LocalCluster cluster, NodeId id) {
        for (NodeId other : List.of(N1, N2, N3)) {
            if (!other.equals(id)) {
                cluster.network.cut(id, other);
            }
        }
    }

    /** Waits until {@code id} stored an entry after {@code before}, then damages its last one; returns its index. */
    private static long rotTheLastEntryOnceStored(LocalCluster cluster, NodeId id, long before) {
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.stores.get(id).lastIndex() > before);
        long damaged = cluster.stores.get(id).lastIndex();
        cluster.stores.get(id).corrupt.add(damaged);
        return damaged;
    }

    private static List<Long> produce(LocalCluster cluster, int count) throws Exception {
        RaftNode leader = cluster.awaitLeader();
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            offsets.add(leader.append(Bytes.ofUtf8("record-" + i)).get());
        }
        long last = offsets.get(count - 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.nodes.values().stream().allMatch(node -> node.commitOffset() >= last));
        return offsets;
    }

    private static NodeId someFollower(LocalCluster cluster) {
        RaftNode leader = cluster.awaitLeader();
        return cluster.ids.stream()
                .filter(id -> !id.equals(leader.id()))
                .findFirst()
                .orElseThrow();
    }

    private static void assertRecords(RaftNode node, List<Long> offsets) throws Exception {
        for (int i = 0; i < offsets.size(); i++) {
            String expected = "record-" + i;
            List<CommittedRecord> read =
                    node.read(offsets.get(i), 1, Duration.ZERO).get();
            assertThat(read)
                    .as("%s at %d", node.id(), offsets.get(i))
                    .singleElement()
                    .satisfies(record -> assertThat(record.payload().toUtf8()).isEqualTo(expected));
        }
    }
}
