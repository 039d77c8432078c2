package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code raftlog node} processes on the default store with bytes flipped inside committed records (the
 * node stopped, as a disk would rot at rest): each node repairs its entries from a peer and serves
 * every acknowledged record byte for byte — a follower, the leader, and the same entry on two of
 * three nodes at once.
 */
class RepairIT {
    private static final int RECORDS = 60;

    @TempDir
    Path data;

    @Test
    void corruptCommittedEntriesAreRepairedFromPeersOnFollowerLeaderAndTwoNodesAtOnce() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)))) {
                Map<Long, String> acknowledged = new LinkedHashMap<>();
                for (int i = 0; i < RECORDS; i++) {
                    String record = marker(i) + "p".repeat(48);
                    acknowledged.put(client.append(Bytes.ofUtf8(record)).get(60, TimeUnit.SECONDS), record);
                }
                long last = acknowledged.keySet().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                for (InetSocketAddress node : cluster.seeds()) {
                    assertServesEverything(client, node, acknowledged, last);
                }

                // A follower, three entries.
                String leader = client.status().get(10, TimeUnit.SECONDS).id().value();
                String follower = other(cluster, leader, null);
                corruptAndRestart(cluster, List.of(follower), 10, 20, 30);
                awaitHealthy(client, cluster, follower, last);
                assertServesEverything(client, cluster.addresses.get(follower), acknowledged, last);
                assertThat(cluster.output(follower)).contains("repaired with the copy from");

                // The leader, two entries.
                leader = client.status().get(10, TimeUnit.SECONDS).id().value();
                corruptAndRestart(cluster, List.of(leader), 40, 50);
                awaitHealthy(client, cluster, leader, last);
                assertServesEverything(client, cluster.addresses.get(leader), acknowledged, last);

                // The same entry on two of the three: both repair it from the third.
                String a = other(cluster, null, null);
                String b = other(cluster, a, null);
                corruptAndRestart(cluster, List.of(a, b), 5);
                for (String id : List.of(a, b)) {
                    awaitHealthy(client, cluster, id, last);
                    assertServesEverything(client, cluster.addresses.get(id), acknowledged, last);
                }
            }
        }
    }

    private static String marker(int record) {
        return "marker-record-" + record + "-";
    }

    private void corruptAndRestart(NodeProcesses cluster, List<String> nodes, int... records) throws Exception {
        for (String id : nodes) {
            cluster.kill(id);
        }
        for (String id : nodes) {
            for (int record : records) {
                FatalErrorExitIT.flipInEveryCopy(data.resolve(id), marker(record));
            }
        }
        for (String id : nodes) {
            cluster.start(id);
        }
    }

    private static String other(NodeProcesses cluster, String not, String norThis) {
        return cluster.addresses.keySet().stream()
                .filter(id -> !id.equals(not) && !id.equals(norThis))
                .findFirst()
                .orElseThrow();
    }

    private static void awaitHealthy(RaftClient client, NodeProcesses cluster, String id, long last) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            NodeStatus status = client.status(cluster.addresses.get(id)).get(5, TimeUnit.SECONDS);
            return status.health() == NodeStatus.Health.HEALTHY && status.commitIndex() >= last;
        });
    }

    private static void assertServesEverything(
            RaftClient client, InetSocketAddress node, Map<Long, String> acknowledged, long last) {
        List<CommittedRecord> log = new ArrayList<>();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    long next = log.isEmpty() ? 1 : log.get(log.size() - 1).offset() + 1;
                    log.addAll(client.read(node, next, 1000, Duration.ofMillis(200))
                            .get(10, TimeUnit.SECONDS));
                    return !log.isEmpty() && log.get(log.size() - 1).offset() >= last;
                });
        Map<Long, String> found = new LinkedHashMap<>();
        for (CommittedRecord record : log) {
            found.put(record.offset(), record.payload().toUtf8());
        }
        assertThat(found).as("records served by %s", node).containsAllEntriesOf(acknowledged);
    }
}
