package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real {@code raftlog node} processes on loopback with the default store; nodes die by SIGKILL. */
class ClusterIT {
    @TempDir
    Path data;

    @Test
    void everyAcknowledgedRecordSurvivesTheLeadersDeathExactlyOnceOnEveryNode() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(20)))) {
                Map<Long, String> acknowledged = new HashMap<>();
                produce(client, "before", 300, acknowledged);
                String leader = leaderId(client, cluster);

                // SIGKILL the leader while appends are in flight; keep producing through the new leader.
                List<CompletableFuture<Long>> inFlight = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    inFlight.add(client.append(Bytes.ofUtf8("during-" + i)));
                }
                cluster.kill(leader);
                for (int i = 0; i < inFlight.size(); i++) {
                    acknowledged.put(inFlight.get(i).get(60, TimeUnit.SECONDS), "during-" + i);
                }
                produce(client, "after", 300, acknowledged);

                cluster.start(leader);
                long last = acknowledged.keySet().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                for (InetSocketAddress node : cluster.seeds()) {
                    List<CommittedRecord> log = readLocal(client, node, last);
                    Map<String, Long> offsetOf = new HashMap<>();
                    for (CommittedRecord record : log) {
                        assertThat(offsetOf.put(record.payload().toUtf8(), record.offset()))
                                .as("record " + record.payload().toUtf8() + " appears twice on " + node)
                                .isNull();
                    }
                    acknowledged.forEach((offset, payload) -> assertThat(offsetOf.get(payload))
                            .as(payload + " on " + node)
                            .isEqualTo(offset));
                }
            }
        }
    }

    @Test
    void allNodesKilledAndRestartedKeepTheWholeLog() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            Map<Long, String> acknowledged = new HashMap<>();
            // Generous: the first appends wait for three JVMs to start and elect, which took over
            // the default 10 s on a loaded CI machine.
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(60)))) {
                produce(client, "kept", 500, acknowledged);
            }
            for (String id : cluster.addresses.keySet()) {
                cluster.kill(id);
            }
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(20)))) {
                long last = acknowledged.keySet().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                for (InetSocketAddress node : cluster.seeds()) {
                    List<CommittedRecord> log = readLocal(client, node, last);
                    Map<Long, String> found = new HashMap<>();
                    log.forEach(record ->
                            found.put(record.offset(), record.payload().toUtf8()));
                    assertThat(found).containsAllEntriesOf(acknowledged);
                }
            }
        }
    }

    private static void produce(RaftClient client, String prefix, int count, Map<Long, String> acknowledged)
            throws Exception {
        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            offsets.add(client.append(Bytes.ofUtf8(prefix + "-" + i)));
        }
        for (int i = 0; i < count; i++) {
            acknowledged.put(offsets.get(i).get(60, TimeUnit.SECONDS), prefix + "-" + i);
        }
    }

    private static String leaderId(RaftClient client, NodeProcesses cluster) throws Exception {
        NodeStatus status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.role()).isEqualTo(Role.LEADER);
        return status.id().value();
    }

    /** The node's own committed log up to {@code last}, waiting for it to catch up. */
    private static List<CommittedRecord> readLocal(RaftClient client, InetSocketAddress node, long last) {
        List<CommittedRecord> log = new ArrayList<>();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    long next = log.isEmpty() ? 1 : log.get(log.size() - 1).offset() + 1;
                    List<CommittedRecord> batch = client.read(node, next, 1000, Duration.ofMillis(200))
                            .get(10, TimeUnit.SECONDS);
                    log.addAll(batch);
                    return !log.isEmpty() && log.get(log.size() - 1).offset() >= last;
                });
        return log;
    }
}
