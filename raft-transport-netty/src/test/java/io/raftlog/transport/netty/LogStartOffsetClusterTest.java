package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log start offset end to end: RaftClient over loopback Netty to a real 3-node cluster of
 * RaftNodes, deleting records on the leader, then reading below and at the new log start from every
 * node, and seeing it in every node's status.
 */
class LogStartOffsetClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private LoopbackRaftCluster cluster;
    private RaftClient client;

    @BeforeEach
    void start() {
        cluster = new LoopbackRaftCluster(3);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        cluster.close();
    }

    @Test
    void recordsDeletedThroughTheClientAreGoneOnEveryNodeAndTheRestReadsFromTheNewLogStart() throws Exception {
        NodeId leader = cluster.awaitLeader(WAIT);
        // Seeded with a follower only: the client finds the leader by the redirects.
        client = new RaftClient(RaftClientConfig.of(
                        Loopback.CLUSTER,
                        List.of(cluster.addresses.get(cluster.followers(leader).get(0))))
                .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(200)));

        Map<Long, Bytes> appended = appendThirtyRecords();
        assertThat(appended).as("offset 15 holds a record").containsKey(15L);

        long lastAppended =
                appended.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();

        assertThat(client.deleteRecordsBefore(15).get(20, TimeUnit.SECONDS)).isEqualTo(15L);

        for (NodeId id : cluster.members) {
            InetSocketAddress node = cluster.addresses.get(id);
            // A follower applies the removal when it learns it committed: wait for each.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(Futures.failure(client.read(node, 10, 100, Duration.ZERO)))
                            .as("a read from 10 on %s", id)
                            .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                                assertThat(e.offset()).isEqualTo(10);
                                assertThat(e.logStartOffset()).isEqualTo(15);
                                assertThat(e.highWatermark()).isGreaterThanOrEqualTo(lastAppended);
                            }));
            List<CommittedRecord> fromStart =
                    client.read(node, 15, 100, Duration.ZERO).get(10, TimeUnit.SECONDS);
            assertThat(fromStart).as("a read from 15 on %s", id).isNotEmpty();
            assertThat(fromStart.get(0)).isEqualTo(new CommittedRecord(15, appended.get(15L)));
            assertThat(fromStart)
                    .extracting(CommittedRecord::offset)
                    .containsAll(appended.keySet().stream()
                            .filter(offset -> offset >= 15)
                            .toList());
            assertThat(client.status(node).get(10, TimeUnit.SECONDS).log().startOffset())
                    .as("the status of %s", id)
                    .isEqualTo(15);
        }

        // The same through the leader, as a client that picks no node reads.
        assertThat(Futures.failure(client.read(10, 100, Duration.ZERO)))
                .isInstanceOfSatisfying(
                        OffsetOutOfRangeException.class,
                        e -> assertThat(e.logStartOffset()).isEqualTo(15));
        assertThat(client.read(15, 1, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .containsExactly(new CommittedRecord(15, appended.get(15L)));
        assertThat(client.logStartOffset().get(10, TimeUnit.SECONDS)).isEqualTo(15L);

        long commit = client.status().get(10, TimeUnit.SECONDS).commitIndex();
        assertThat(Futures.failure(client.deleteRecordsBefore(commit + 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deleteRecordsBefore(" + (commit + 5) + ")");
        assertThat(client.status().get(10, TimeUnit.SECONDS).log().startOffset())
                .as("the refused deletion removed nothing")
                .isEqualTo(15);
    }

    /** The thirty records by offset. */
    private Map<Long, Bytes> appendThirtyRecords() throws Exception {
        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            offsets.add(client.append(Bytes.ofUtf8("record-" + i)));
        }
        Map<Long, Bytes> appended = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            appended.put(offsets.get(i).get(20, TimeUnit.SECONDS), Bytes.ofUtf8("record-" + i));
        }
        return appended;
    }
}
