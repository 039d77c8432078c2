package io.raftlog.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.core.InMemoryStorageModule;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.testkit.LoopbackPorts;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.NettyTransportModule;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A real 3-node cluster (Netty on loopback, in-memory storage) in this JVM, wired with Guice the way
 * an embedding application does, exports the metrics the README promises.
 */
class PrometheusNodeMetricsTest {
    @Test
    void aClusterExportsRoleTermIndexesLatenciesAndTraffic() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        PrometheusNodeMetrics.Collectors collectors = new PrometheusNodeMetrics.Collectors(registry);
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            addresses.put(NodeId.of("n" + i), new InetSocketAddress("127.0.0.1", LoopbackPorts.next()));
        }
        List<ReplicatedLog> nodes = new ArrayList<>();
        try {
            for (Map.Entry<NodeId, InetSocketAddress> member : addresses.entrySet()) {
                NodeConfig config = NodeConfig.of(member.getKey(), List.copyOf(addresses.keySet()))
                        .withTickInterval(Duration.ofMillis(10));
                nodes.add(Guice.createInjector(
                                new RaftModule(config),
                                new InMemoryStorageModule(),
                                new NettyTransportModule(
                                        NettyTransportConfig.of("metrics", member.getValue(), addresses)),
                                new PrometheusMetricsModule(collectors))
                        .getInstance(ReplicatedLog.class));
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> nodes.stream().anyMatch(node -> node.status().role() == Role.LEADER));
            ReplicatedLog leader = nodes.stream()
                    .filter(node -> node.status().role() == Role.LEADER)
                    .findFirst()
                    .orElseThrow();
            for (int i = 0; i < 20; i++) {
                leader.append(Bytes.ofUtf8("m" + i)).get(10, TimeUnit.SECONDS);
            }
            String id = leader.status().id().value();
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                String text = scrape(registry);
                assertThat(text)
                        .contains("raftlog_role{node=\"" + id + "\",} 3.0")
                        .contains("raftlog_leader_changes_total{node=\"" + id + "\",} 1.0")
                        .contains("raftlog_append_latency_seconds_count{node=\"" + id + "\",} 20.0")
                        .contains("raftlog_commit_latency_seconds_count{node=\"" + id + "\",}")
                        .contains("raftlog_fsync_latency_seconds_count{node=\"" + id + "\",}")
                        .contains("raftlog_batch_records_count{node=\"" + id + "\",}")
                        .contains("raftlog_elections_started_total{node=\"" + id + "\",}")
                        .contains("raftlog_follower_lag_entries{node=\"" + id + "\",")
                        .contains("raftlog_peer_messages_sent_total{node=\"" + id + "\",")
                        .contains("raftlog_peer_bytes_received_total{node=\"" + id + "\",")
                        .contains("raftlog_peer_messages_dropped_total{node=\"" + id + "\",")
                        .contains("raftlog_log_start_offset{node=\"" + id + "\",} 1.0")
                        .contains("raftlog_snapshot_index{node=\"" + id + "\",}")
                        .contains("raftlog_snapshots_sent_total{node=\"" + id + "\",}")
                        .contains("raftlog_snapshots_received_total{node=\"" + id + "\",}");
                assertThat(value(text, "raftlog_log_size_bytes{node=\"" + id + "\",}"))
                        .isGreaterThan(0);
                assertThat(value(text, "raftlog_commit_index{node=\"" + id + "\",}"))
                        .isGreaterThanOrEqualTo(21);
                assertThat(value(text, "raftlog_peer_messages_sent_total{node=\"" + id + "\",peer=\"n1\",}")
                                + value(text, "raftlog_peer_messages_sent_total{node=\"" + id + "\",peer=\"n2\",}")
                                + value(text, "raftlog_peer_messages_sent_total{node=\"" + id + "\",peer=\"n3\",}"))
                        .isGreaterThan(0);
            });
        } finally {
            nodes.forEach(ReplicatedLog::close);
        }
    }

    @Test
    void theLogAndItsSnapshotsAreExportedAsLastReported() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        PrometheusNodeMetrics.Collectors collectors = new PrometheusNodeMetrics.Collectors(registry);
        NodeId n1 = NodeId.of("n1");
        PrometheusNodeMetrics metrics = new PrometheusNodeMetrics(collectors, n1);
        new PrometheusNodeMetrics(collectors, NodeId.of("n2")); // reports nothing yet

        assertThat(scrape(registry)).doesNotContain("raftlog_log_start_offset{");

        metrics.status(status(n1, new NodeStatus.Log(5, 4096, 40, 1234, 1_700_000_000_123L, 2, 3)));
        String text = scrape(registry);
        assertThat(text)
                .contains("# HELP raftlog_log_start_offset ")
                .contains("# TYPE raftlog_log_start_offset gauge")
                .contains("# HELP raftlog_log_size_bytes ")
                .contains("# TYPE raftlog_log_size_bytes gauge")
                .contains("# HELP raftlog_snapshot_index ")
                .contains("# TYPE raftlog_snapshot_index gauge")
                .contains("# HELP raftlog_snapshot_size_bytes ")
                .contains("# TYPE raftlog_snapshot_size_bytes gauge")
                .contains("# HELP raftlog_last_snapshot_timestamp_seconds ")
                .contains("# TYPE raftlog_last_snapshot_timestamp_seconds gauge")
                .contains("# HELP raftlog_snapshots_sent_total ")
                .contains("# TYPE raftlog_snapshots_sent_total counter")
                .contains("# HELP raftlog_snapshots_received_total ")
                .contains("# TYPE raftlog_snapshots_received_total counter")
                .doesNotContain("{node=\"n2\",}");
        assertThat(value(text, "raftlog_log_start_offset{node=\"n1\",}")).isEqualTo(5);
        assertThat(value(text, "raftlog_log_size_bytes{node=\"n1\",}")).isEqualTo(4096);
        assertThat(value(text, "raftlog_snapshot_index{node=\"n1\",}")).isEqualTo(40);
        assertThat(value(text, "raftlog_snapshot_size_bytes{node=\"n1\",}")).isEqualTo(1234);
        assertThat(value(text, "raftlog_last_snapshot_timestamp_seconds{node=\"n1\",}"))
                .isEqualTo(1_700_000_000.123);
        assertThat(value(text, "raftlog_snapshots_sent_total{node=\"n1\",}")).isEqualTo(2);
        assertThat(value(text, "raftlog_snapshots_received_total{node=\"n1\",}"))
                .isEqualTo(3);

        metrics.status(status(n1, new NodeStatus.Log(41, 100, 60, 2000, 1_700_000_060_000L, 7, 3)));
        text = scrape(registry);
        assertThat(value(text, "raftlog_log_start_offset{node=\"n1\",}")).isEqualTo(41);
        assertThat(value(text, "raftlog_log_size_bytes{node=\"n1\",}")).isEqualTo(100);
        assertThat(value(text, "raftlog_snapshot_index{node=\"n1\",}")).isEqualTo(60);
        assertThat(value(text, "raftlog_snapshot_size_bytes{node=\"n1\",}")).isEqualTo(2000);
        assertThat(value(text, "raftlog_last_snapshot_timestamp_seconds{node=\"n1\",}"))
                .isEqualTo(1_700_000_060.0);
        assertThat(value(text, "raftlog_snapshots_sent_total{node=\"n1\",}")).isEqualTo(7);
        assertThat(value(text, "raftlog_snapshots_received_total{node=\"n1\",}"))
                .isEqualTo(3);

        // A node started again in this JVM gets new metrics under the same id: one series, its values.
        PrometheusNodeMetrics restarted = new PrometheusNodeMetrics(collectors, n1);
        restarted.status(status(n1, NodeStatus.Log.WHOLE));
        text = scrape(registry);
        assertThat(text.lines().filter(line -> line.startsWith("raftlog_snapshots_sent_total{node=\"n1\",}")))
                .hasSize(1);
        assertThat(value(text, "raftlog_snapshots_sent_total{node=\"n1\",}")).isEqualTo(0);
        assertThat(value(text, "raftlog_log_start_offset{node=\"n1\",}")).isEqualTo(1);
    }

    private static NodeStatus status(NodeId id, NodeStatus.Log log) {
        return new NodeStatus(
                id,
                Role.FOLLOWER,
                3,
                Optional.empty(),
                50,
                60,
                Map.of(),
                NodeStatus.Health.HEALTHY,
                Optional.empty(),
                log);
    }

    @Test
    void aWatchedTransportsOwnCountersAreExportedAtScrapeTime() throws Exception {
        CollectorRegistry registry = new CollectorRegistry();
        PrometheusNodeMetrics.Collectors collectors = new PrometheusNodeMetrics.Collectors(registry);
        java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong(3);
        collectors.watch(NodeId.of("n1"), new io.raftlog.api.spi.transport.Transport() {
            @Override
            public void start(NodeId self, io.raftlog.api.spi.transport.MessageHandler handler) {}

            @Override
            public void send(io.raftlog.api.message.RaftMessage message) {}

            @Override
            public java.util.Map<String, Long> counters() {
                return java.util.Map.of(
                        "tls_refusals", refusals.get(), "tls_certificate_expiry_seconds", 1_900_000_000L);
            }

            @Override
            public void close() {}
        });

        String text = scrape(registry);
        assertThat(text)
                .contains("# TYPE raftlog_transport_tls_refusals_total counter")
                .contains("# TYPE raftlog_transport_tls_certificate_expiry_seconds gauge");
        assertThat(value(text, "raftlog_transport_tls_refusals_total{node=\"n1\",}"))
                .isEqualTo(3);
        assertThat(value(text, "raftlog_transport_tls_certificate_expiry_seconds{node=\"n1\",}"))
                .isEqualTo(1_900_000_000);
        refusals.set(5);
        assertThat(value(scrape(registry), "raftlog_transport_tls_refusals_total{node=\"n1\",}"))
                .isEqualTo(5);
    }

    private static String scrape(CollectorRegistry registry) throws Exception {
        StringWriter out = new StringWriter();
        TextFormat.write004(out, registry.metricFamilySamples());
        return out.toString();
    }

    private static double value(String text, String series) {
        return text.lines()
                .filter(line -> line.startsWith(series))
                .mapToDouble(line ->
                        Double.parseDouble(line.substring(series.length()).trim()))
                .findFirst()
                .orElse(-1);
    }
}
