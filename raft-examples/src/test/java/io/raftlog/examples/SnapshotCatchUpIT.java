package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code raftlog node} processes on the default store: a follower is killed, the leader's log start moves
 * past everything the follower holds and the log is compacted below a snapshot; restarted, the
 * follower installs the leader's snapshot, catches up from the log, and every retained
 * acknowledged record is then on all three nodes. A reader below the log start is told where the
 * log starts.
 *
 * <p>Nodes run with a metrics port, so the test can see the leader drop what it had queued for the
 * stopped follower before it switched to sending the snapshot.
 */
class SnapshotCatchUpIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path data;

    @Test
    void aFollowerBehindTheLogStartInstallsASnapshotAndEveryRetainedRecordIsOnAllNodes() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            Map<String, Integer> metricsPorts = new LinkedHashMap<>();
            for (String id : cluster.addresses.keySet()) {
                metricsPorts.put(id, io.raftlog.testkit.LoopbackPorts.next());
                cluster.start(
                        id, "--bootstrap", "--snapshot-every", "200", "--metrics-port", "" + metricsPorts.get(id));
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)))) {
                Map<Long, String> acknowledged = new LinkedHashMap<>();
                append(client, acknowledged, 0, 300);
                String leader = leaderOf(client, cluster);
                String follower = cluster.addresses.keySet().stream()
                        .filter(id -> !id.equals(leader))
                        .findFirst()
                        .orElseThrow();
                long followerHeld = awaitApplied(client, cluster.addresses.get(follower), 300);
                cluster.kill(follower);

                append(client, acknowledged, 300, 900);
                long cut = client.status().get(10, TimeUnit.SECONDS).commitIndex() - 150;
                assertThat(cut).isGreaterThan(followerHeld + 200);
                assertThat(client.deleteRecordsBefore(cut).get(30, TimeUnit.SECONDS))
                        .isEqualTo(cut);
                append(client, acknowledged, 900, 1300); // snapshots past the cut: the log is compacted
                for (Map.Entry<String, InetSocketAddress> node : cluster.addresses.entrySet()) {
                    if (!node.getKey().equals(follower)) {
                        Awaitility.await()
                                .atMost(WAIT)
                                .ignoreExceptions()
                                .until(() -> client.status(node.getValue())
                                                .get(5, TimeUnit.SECONDS)
                                                .log()
                                                .snapshotIndex()
                                        > cut);
                    }
                }
                // The leader now sends the follower its snapshot. What it queued for the follower
                // before that (appends from the follower's old end) is dropped at its next failed
                // connection attempt; delivered on reconnection instead, those messages alone would
                // bring the follower up to date from the log.
                InetSocketAddress leaderAddress = cluster.addresses.get(leader);
                Awaitility.await()
                        .atMost(WAIT)
                        .ignoreExceptions()
                        .until(() -> client.status(leaderAddress)
                                        .get(5, TimeUnit.SECONDS)
                                        .log()
                                        .snapshotsSent()
                                >= 1);
                long droppedBefore = droppedTo(metricsPorts.get(leader), follower);
                Awaitility.await()
                        .atMost(WAIT)
                        .ignoreExceptions()
                        .until(() -> droppedTo(metricsPorts.get(leader), follower) > droppedBefore);
                long last = acknowledged.keySet().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();

                cluster.start(follower, "--snapshot-every", "200");

                InetSocketAddress followerAddress = cluster.addresses.get(follower);
                NodeStatus caughtUp = awaitHealthyAt(client, followerAddress, last);
                assertThat(caughtUp.log().snapshotsReceived())
                        .as("snapshots %s received", follower)
                        .isGreaterThanOrEqualTo(1);
                assertThat(cluster.output(follower)).contains("installed snapshot");
                // The snapshot it installed was taken before the cut; the log start moves to the cut
                // when the follower applies the entry that moved it, as every replica did.
                Awaitility.await()
                        .atMost(WAIT)
                        .ignoreExceptions()
                        .until(() -> client.status(followerAddress)
                                        .get(5, TimeUnit.SECONDS)
                                        .log()
                                        .startOffset()
                                == cut);
                try (Stream<Path> files = Files.list(data.resolve(follower).resolve("snapshots"))) {
                    assertThat(files.map(path -> path.getFileName().toString()))
                            .anyMatch(name -> name.endsWith(".snap"));
                }

                Map<Long, String> retained = new LinkedHashMap<>();
                acknowledged.forEach((offset, record) -> {
                    if (offset >= cut) {
                        retained.put(offset, record);
                    }
                });
                for (Map.Entry<String, InetSocketAddress> node : cluster.addresses.entrySet()) {
                    awaitHealthyAt(client, node.getValue(), last);
                    assertThat(readAll(client, node.getValue(), cut, last))
                            .as("records retained on %s", node.getKey())
                            .containsAllEntriesOf(retained);
                    ExecutionException below = org.junit.jupiter.api.Assertions.assertThrows(
                            ExecutionException.class,
                            () -> client.read(node.getValue(), cut - 10, 10, Duration.ZERO)
                                    .get(10, TimeUnit.SECONDS));
                    assertThat(below.getCause())
                            .as("a read below the log start on %s", node.getKey())
                            .isInstanceOfSatisfying(
                                    OffsetOutOfRangeException.class,
                                    e -> assertThat(e.logStartOffset()).isEqualTo(cut));
                }
                assertThat(client.logStartOffset().get(10, TimeUnit.SECONDS)).isEqualTo(cut);
            }
        }
    }

    /** The node that says it leads (the client's status() may answer from any node). */
    private static String leaderOf(RaftClient client, NodeProcesses cluster) {
        String[] found = new String[1];
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
            for (Map.Entry<String, InetSocketAddress> node : cluster.addresses.entrySet()) {
                if (client.status(node.getValue()).get(5, TimeUnit.SECONDS).role() == io.raftlog.api.Role.LEADER) {
                    found[0] = node.getKey();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Messages the node whose metrics are on {@code port} dropped on their way to {@code peer}. */
    private static long droppedTo(int port, String peer) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body()
                .lines()
                .filter(line ->
                        line.startsWith("raftlog_peer_messages_dropped") && line.contains("peer=\"" + peer + "\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .max()
                .orElseThrow();
    }

    private static void append(RaftClient client, Map<Long, String> acknowledged, int from, int to) throws Exception {
        for (int i = from; i < to; i += 50) {
            List<Bytes> batch = new ArrayList<>();
            List<String> records = new ArrayList<>();
            for (int j = i; j < Math.min(to, i + 50); j++) {
                String record = "record-" + j + "-" + "x".repeat(200);
                records.add(record);
                batch.add(Bytes.ofUtf8(record));
            }
            List<Long> offsets = client.appendAll(batch).get(60, TimeUnit.SECONDS);
            for (int k = 0; k < offsets.size(); k++) {
                acknowledged.put(offsets.get(k), records.get(k));
            }
        }
    }

    private static long awaitApplied(RaftClient client, InetSocketAddress node, long atLeast) {
        long[] applied = new long[1];
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
            applied[0] = client.status(node).get(5, TimeUnit.SECONDS).commitIndex();
            return applied[0] >= atLeast;
        });
        return applied[0];
    }

    private static NodeStatus awaitHealthyAt(RaftClient client, InetSocketAddress node, long last) {
        NodeStatus[] seen = new NodeStatus[1];
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
            seen[0] = client.status(node).get(5, TimeUnit.SECONDS);
            return seen[0].health() == NodeStatus.Health.HEALTHY && seen[0].commitIndex() >= last;
        });
        return seen[0];
    }

    private static Map<Long, String> readAll(RaftClient client, InetSocketAddress node, long from, long last) {
        List<CommittedRecord> log = Collections.synchronizedList(new ArrayList<>());
        Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> {
                    long next = log.isEmpty() ? from : log.get(log.size() - 1).offset() + 1;
                    log.addAll(client.read(node, next, 1000, Duration.ofMillis(200))
                            .get(10, TimeUnit.SECONDS));
                    return !log.isEmpty() && log.get(log.size() - 1).offset() >= last;
                });
        Map<Long, String> found = new LinkedHashMap<>();
        for (CommittedRecord record : log) {
            found.put(record.offset(), record.payload().toUtf8());
        }
        return found;
    }
}
