package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13, item 4, as a new user meets it: three real {@code raftlog node} processes whose peer
 * links run through a {@link PeerLinkProxy}; the leader is cut off from its peers (clients still
 * reach it) after 1,000 records, and the other two commit 1,500 more. Then
 *
 * <ul>
 *   <li>{@code raftlog consume --from 1} (no {@code --follow}) prints exactly the 2,500 committed
 *       records, in order, and exits 0, with the cut-off node listed first, in the middle or last
 *       in {@code --servers} (every order);</li>
 *   <li>a linearizable read addressed to the cut-off old leader never returns a stale page: it
 *       fails with {@code NotLeaderException}, both while the node still believes it leads and
 *       after the others moved on; a linearizable read routed by the client is served elsewhere;</li>
 *   <li>{@code --local} still prints the cut-off node's own committed prefix, and
 *       {@code --consistency committed} does not stop at it;</li>
 *   <li>a consume that can only ask the cut-off node exits 1 saying what the node said.</li>
 * </ul>
 */
class CutOffNodeReadIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BEFORE_CUT = 1000;
    private static final int TOTAL = 2500;

    @TempDir
    Path data;

    @Test
    void consumeReadsUpToTheHighWatermarkAtItsStartAndALinearizableReadIsNeverStale() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3);
                PeerLinkProxy links = new PeerLinkProxy(cluster.addresses)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.startWithPeers(id, links.peersOf(id), "--bootstrap");
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(20)))) {
                Map<Long, String> acknowledged = new TreeMap<>();
                append(client, acknowledged, 0, BEFORE_CUT);
                long lastBeforeCut = last(acknowledged);
                String cutOff = leaderOf(client, cluster);
                InetSocketAddress cutOffAddress = cluster.addresses.get(cutOff);
                awaitReadable(client, cutOffAddress, lastBeforeCut);

                links.cut(cutOff);
                // Asked at once, while the old leader still believes it leads.
                CompletableFuture<List<CommittedRecord>> whileItBelievesItLeads =
                        client.read(cutOffAddress, lastBeforeCut, 10, Duration.ZERO, ReadConsistency.LINEARIZABLE);
                awaitLeaderOtherThan(client, cluster, cutOff);
                Awaitility.await()
                        .atMost(WAIT)
                        .ignoreExceptions()
                        .until(() -> client.status(cutOffAddress)
                                        .get(5, TimeUnit.SECONDS)
                                        .role()
                                != Role.LEADER);
                append(client, acknowledged, BEFORE_CUT, TOTAL);
                long firstAfterCut = acknowledged.keySet().stream()
                        .filter(offset -> offset > lastBeforeCut)
                        .findFirst()
                        .orElseThrow();

                assertThat(failureOf(whileItBelievesItLeads))
                        .as("rule: a partitioned old leader never confirms a linearizable read")
                        .isInstanceOf(NotLeaderException.class);
                for (int i = 0; i < 3; i++) {
                    assertNeverStale(
                            client.read(cutOffAddress, firstAfterCut, 10, Duration.ZERO, ReadConsistency.LINEARIZABLE),
                            firstAfterCut);
                }
                try (RaftClient cutOffFirst =
                        new RaftClient(RaftClientConfig.of("raftlog", seedsWithFirst(cluster, cutOff))
                                .withRequestTimeout(Duration.ofSeconds(20)))) {
                    assertThat(cutOffFirst
                                    .read(firstAfterCut, 10, Duration.ZERO)
                                    .get(30, TimeUnit.SECONDS))
                            .as("a routed linearizable read is served by a node a leader confirms")
                            .first()
                            .extracting(CommittedRecord::offset)
                            .isEqualTo(firstAfterCut);
                }

                String everything = printed(acknowledged, Long.MAX_VALUE);
                for (List<String> order : orders(List.copyOf(cluster.addresses.keySet()))) {
                    String servers = order.stream()
                            .map(id -> NodeProcesses.hostPort(cluster.addresses.get(id)))
                            .collect(Collectors.joining(","));
                    NodeProcesses.Run consume = cluster.run("consume", "--servers", servers, "--from", "1");
                    assertThat(consume.exitCode())
                            .as("consume --servers %s (cut off: %s): %s", order, cutOff, consume.stderr())
                            .isZero();
                    assertThat(consume.stdout())
                            .as(
                                    "rule: consume --servers %s (%s cut off) prints every record committed before it"
                                            + " started",
                                    order, cutOff)
                            .isEqualTo(everything);
                }

                String servers = seedsWithFirst(cluster, cutOff).stream()
                        .map(NodeProcesses::hostPort)
                        .collect(Collectors.joining(","));
                NodeProcesses.Run committed =
                        cluster.run("consume", "--servers", servers, "--from", "1", "--consistency", "committed");
                assertThat(committed.exitCode()).as(committed.stderr()).isZero();
                assertThat(committed.stdout())
                        .as("committed pages from the cut-off node: its end is not taken for the end")
                        .isEqualTo(everything);
                NodeProcesses.Run local = cluster.run("consume", "--servers", servers, "--from", "1", "--local");
                assertThat(local.exitCode()).as(local.stderr()).isZero();
                assertThat(local.stdout())
                        .as("--local: the cut-off node's own committed prefix")
                        .isEqualTo(printed(acknowledged, lastBeforeCut));

                String alone = NodeProcesses.hostPort(cutOffAddress);
                NodeProcesses.Run onlyTheCutOffNode =
                        cluster.run("consume", "--servers", alone, "--from", "1", "--timeout", "2");
                assertThat(onlyTheCutOffNode.exitCode())
                        .as("rule: a consume that cannot reach the high watermark fails, never ends early in silence")
                        .isNotZero();
                assertThat(onlyTheCutOffNode.stdout()).isEmpty();
                assertThat(onlyTheCutOffNode.stderr().strip())
                        .as("says which node said what")
                        .startsWith("error: could not find the high watermark to read up to")
                        .contains("--servers " + alone)
                        .contains(alone + " (" + cutOff + "): node " + cutOff + " could not confirm a leader")
                        .doesNotContain("\n");
            }
        }
    }

    /** A linearizable read on the cut-off node fails, or holds {@code firstAfterCut}: never a stale page. */
    private static void assertNeverStale(CompletableFuture<List<CommittedRecord>> read, long firstAfterCut)
            throws Exception {
        List<CommittedRecord> page;
        try {
            page = read.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause())
                    .as("a linearizable read on the cut-off node fails with NotLeader")
                    .isInstanceOf(NotLeaderException.class);
            return;
        }
        assertThat(page)
                .as("rule: a linearizable read is never stale: it holds the record acknowledged before it")
                .isNotEmpty()
                .first()
                .extracting(CommittedRecord::offset)
                .isEqualTo(firstAfterCut);
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            Object result = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Appends record-FROM … record-(TO-1) in batches of 100, noting each one's offset. */
    private static void append(RaftClient client, Map<Long, String> acknowledged, int from, int to) throws Exception {
        for (int i = from; i < to; i += 100) {
            List<Bytes> batch = new ArrayList<>();
            List<String> records = new ArrayList<>();
            for (int j = i; j < Math.min(to, i + 100); j++) {
                records.add("record-" + j);
                batch.add(Bytes.ofUtf8("record-" + j));
            }
            List<Long> offsets = client.appendAll(batch).get(60, TimeUnit.SECONDS);
            for (int k = 0; k < offsets.size(); k++) {
                acknowledged.put(offsets.get(k), records.get(k));
            }
        }
    }

    /** What consume prints of {@code acknowledged} up to {@code upTo}: OFFSET<TAB>RECORD lines, in order. */
    private static String printed(Map<Long, String> acknowledged, long upTo) {
        StringBuilder text = new StringBuilder();
        acknowledged.forEach((offset, record) -> {
            if (offset <= upTo) {
                text.append(offset).append('\t').append(record).append('\n');
            }
        });
        return text.toString();
    }

    private static long last(Map<Long, String> acknowledged) {
        return ((TreeMap<Long, String>) acknowledged).lastKey();
    }

    /** Every order of {@code ids}: the cut-off node comes first, in the middle and last in some. */
    private static List<List<String>> orders(List<String> ids) {
        if (ids.size() <= 1) {
            return List.of(ids);
        }
        List<List<String>> orders = new ArrayList<>();
        for (String first : ids) {
            List<String> rest = new ArrayList<>(ids);
            rest.remove(first);
            for (List<String> tail : orders(rest)) {
                List<String> order = new ArrayList<>();
                order.add(first);
                order.addAll(tail);
                orders.add(order);
            }
        }
        return orders;
    }

    private static List<InetSocketAddress> seedsWithFirst(NodeProcesses cluster, String first) {
        List<InetSocketAddress> seeds = new ArrayList<>();
        seeds.add(cluster.addresses.get(first));
        cluster.addresses.forEach((id, address) -> {
            if (!id.equals(first)) {
                seeds.add(address);
            }
        });
        return seeds;
    }

    /** The node that says it leads. */
    private static String leaderOf(RaftClient client, NodeProcesses cluster) {
        return awaitLeaderOtherThan(client, cluster, null);
    }

    private static String awaitLeaderOtherThan(RaftClient client, NodeProcesses cluster, String old) {
        String[] found = new String[1];
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
            for (Map.Entry<String, InetSocketAddress> node : cluster.addresses.entrySet()) {
                if (!node.getKey().equals(old)
                        && client.status(node.getValue())
                                        .get(5, TimeUnit.SECONDS)
                                        .role()
                                == Role.LEADER) {
                    found[0] = node.getKey();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until {@code node} serves {@code offset} from its own committed prefix. */
    private static void awaitReadable(RaftClient client, InetSocketAddress node, long offset) {
        Awaitility.await()
                .atMost(WAIT)
                .ignoreExceptions()
                .until(() -> !client.read(node, offset, 1, Duration.ZERO)
                        .get(5, TimeUnit.SECONDS)
                        .isEmpty());
    }
}
