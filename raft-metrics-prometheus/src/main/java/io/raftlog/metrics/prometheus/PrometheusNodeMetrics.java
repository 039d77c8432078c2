package io.raftlog.metrics.prometheus;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.Gauge;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exports a node's {@link NodeMetrics} to Prometheus (simpleclient), and its transport's per-peer
 * traffic. Every series carries the node id as label {@code node}, so several nodes in one JVM
 * share one registry through one {@link Collectors}.
 *
 * <p>Without Guice: {@code new PrometheusNodeMetrics(collectors, id)} is the {@code NodeMetrics}
 * to hand the node, and {@link Collectors#watch} adds its transport. With Guice, install
 * {@link PrometheusMetricsModule}. Serving the registry over HTTP is the application's choice
 * (simpleclient_httpserver's {@code HTTPServer}, a servlet, a push gateway).
 *
 * <p>The log's extent and snapshots ({@link NodeStatus.Log}) are kept as the last reported value
 * and turned into series at scrape time, like the transport's traffic.
 */
public final class PrometheusNodeMetrics implements NodeMetrics {
    private static final double[] LATENCY_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    };

    /** The collectors, registered once per registry and shared by the nodes reporting to it. */
    public static final class Collectors {
        final Gauge role;
        final Gauge health;
        final Gauge term;
        final Gauge commitIndex;
        final Gauge lastIndex;
        final Gauge followerLag;
        final Counter elections;
        final Counter leaderChanges;
        final Histogram appendLatency;
        final Histogram commitLatency;
        final Histogram fsyncLatency;
        final Histogram batchSize;
        private final List<Map.Entry<String, Transport>> transports = new CopyOnWriteArrayList<>();
        /** The last {@link NodeStatus.Log} each node reported, by node id; the newest metrics of an id win. */
        private final ConcurrentMap<String, AtomicReference<NodeStatus.Log>> logs = new ConcurrentHashMap<>();

        /**
         * Also exports {@code transport}'s per-peer traffic ({@link Transport#traffic()}, read at
         * scrape time) under the label {@code node}.
         */
        public void watch(NodeId node, Transport transport) {
            transports.add(Map.entry(node.value(), transport));
        }

        /**
         * Registers raftlog's collectors with {@code registry}; create one per registry and share
         * it between the nodes that report to it (a second one on the same registry fails, as
         * simpleclient refuses duplicate names).
         */
        public Collectors(CollectorRegistry registry) {
            TrafficCollector traffic = new TrafficCollector();
            traffic.owner = this;
            traffic.register(registry);
            LogCollector log = new LogCollector();
            log.owner = this;
            log.register(registry);
            role = Gauge.build("raftlog_role", "Role of the node: 0 follower, 1 pre-candidate, 2 candidate, 3 leader")
                    .labelNames("node")
                    .register(registry);
            health = Gauge.build(
                            "raftlog_health",
                            "Health of the node: 0 healthy, 1 storage failing (retrying), 2 failed, 3 closed, 4 rejoining, 5 repairing")
                    .labelNames("node")
                    .register(registry);
            term = Gauge.build("raftlog_term", "Current term")
                    .labelNames("node")
                    .register(registry);
            commitIndex = Gauge.build("raftlog_commit_index", "Highest committed index (the high watermark)")
                    .labelNames("node")
                    .register(registry);
            lastIndex = Gauge.build("raftlog_last_index", "Highest index in the node's log")
                    .labelNames("node")
                    .register(registry);
            followerLag = Gauge.build(
                            "raftlog_follower_lag_entries",
                            "On a leader: entries in its log not yet acknowledged by each follower")
                    .labelNames("node", "follower")
                    .register(registry);
            elections = Counter.build("raftlog_elections_started_total", "Elections (pre-votes or votes) started")
                    .labelNames("node")
                    .register(registry);
            leaderChanges = Counter.build("raftlog_leader_changes_total", "Times this node became leader")
                    .labelNames("node")
                    .register(registry);
            appendLatency = Histogram.build(
                            "raftlog_append_latency_seconds", "From an append's submission to its answer")
                    .buckets(LATENCY_BUCKETS)
                    .labelNames("node")
                    .register(registry);
            commitLatency = Histogram.build(
                            "raftlog_commit_latency_seconds", "From the leader's append of a batch to its commit")
                    .buckets(LATENCY_BUCKETS)
                    .labelNames("node")
                    .register(registry);
            fsyncLatency = Histogram.build("raftlog_fsync_latency_seconds", "Durable writes of the log")
                    .buckets(LATENCY_BUCKETS)
                    .labelNames("node")
                    .register(registry);
            batchSize = Histogram.build("raftlog_batch_records", "Records proposed per batch")
                    .buckets(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
                    .labelNames("node")
                    .register(registry);
        }
    }

    /** Reads the transports' counters at scrape time, so the hot path pays nothing extra. */
    private static final class TrafficCollector extends Collector {
        private Collectors owner;

        @Override
        public List<MetricFamilySamples> collect() {
            List<String> labels = List.of("node", "peer");
            CounterMetricFamily messagesSent =
                    new CounterMetricFamily("raftlog_peer_messages_sent", "Raft messages sent to each peer", labels);
            CounterMetricFamily bytesSent =
                    new CounterMetricFamily("raftlog_peer_bytes_sent", "Bytes sent to each peer", labels);
            CounterMetricFamily messagesReceived = new CounterMetricFamily(
                    "raftlog_peer_messages_received", "Raft messages received from each peer", labels);
            CounterMetricFamily bytesReceived =
                    new CounterMetricFamily("raftlog_peer_bytes_received", "Bytes received from each peer", labels);
            CounterMetricFamily dropped = new CounterMetricFamily(
                    "raftlog_peer_messages_dropped",
                    "Messages to each peer dropped (queue full, connection failed, too large, shutting down)",
                    labels);
            Map<String, MetricFamilySamples> own = new java.util.TreeMap<>();
            if (owner != null) {
                for (Map.Entry<String, Transport> watched : owner.transports) {
                    for (Map.Entry<String, Long> counter :
                            watched.getValue().counters().entrySet()) {
                        String name = "raftlog_transport_" + counter.getKey();
                        MetricFamilySamples family = own.computeIfAbsent(
                                name,
                                unused -> name.endsWith("_seconds")
                                        ? new GaugeMetricFamily(
                                                name,
                                                "The transport's "
                                                        + counter.getKey().replace('_', ' '),
                                                List.of("node"))
                                        : new CounterMetricFamily(
                                                name,
                                                "The transport's "
                                                        + counter.getKey().replace('_', ' '),
                                                List.of("node")));
                        if (family instanceof GaugeMetricFamily gauge) {
                            gauge.addMetric(List.of(watched.getKey()), counter.getValue());
                        } else {
                            ((CounterMetricFamily) family).addMetric(List.of(watched.getKey()), counter.getValue());
                        }
                    }
                    for (Map.Entry<NodeId, PeerTraffic> peer :
                            watched.getValue().traffic().entrySet()) {
                        List<String> values =
                                List.of(watched.getKey(), peer.getKey().value());
                        PeerTraffic traffic = peer.getValue();
                        messagesSent.addMetric(values, traffic.messagesSent());
                        bytesSent.addMetric(values, traffic.bytesSent());
                        messagesReceived.addMetric(values, traffic.messagesReceived());
                        bytesReceived.addMetric(values, traffic.bytesReceived());
                        dropped.addMetric(values, traffic.dropped());
                    }
                }
            }
            List<MetricFamilySamples> families = new java.util.ArrayList<>(
                    List.of(messagesSent, bytesSent, messagesReceived, bytesReceived, dropped));
            families.addAll(own.values());
            return families;
        }
    }

    /**
     * Turns each node's last {@link NodeStatus.Log} into series at scrape time: the hot path only
     * stores the record the node already built. The two snapshot transfer counts are the node's
     * own running totals, so they are exported as counters with that total as value (a node that
     * starts again counts from 0, which Prometheus takes as a counter reset).
     */
    private static final class LogCollector extends Collector {
        private Collectors owner;

        @Override
        public List<MetricFamilySamples> collect() {
            List<String> labels = List.of("node");
            GaugeMetricFamily startOffset = new GaugeMetricFamily(
                    "raftlog_log_start_offset",
                    "Log start offset: the lowest index still in the log (1 until retention removed records)",
                    labels);
            GaugeMetricFamily sizeBytes = new GaugeMetricFamily(
                    "raftlog_log_size_bytes",
                    "Bytes of the entries from the log start to the applied index (payload plus a fixed header each)",
                    labels);
            GaugeMetricFamily snapshotIndex = new GaugeMetricFamily(
                    "raftlog_snapshot_index", "Index of the newest snapshot on the node (0 if none)", labels);
            GaugeMetricFamily snapshotBytes = new GaugeMetricFamily(
                    "raftlog_snapshot_size_bytes", "Size of the newest snapshot on the node (0 if none)", labels);
            GaugeMetricFamily snapshotTime = new GaugeMetricFamily(
                    "raftlog_last_snapshot_timestamp_seconds",
                    "When the node last took a snapshot, in seconds since the epoch (0 if none yet)",
                    labels);
            CounterMetricFamily sent = new CounterMetricFamily(
                    "raftlog_snapshots_sent", "Snapshots the node started sending to followers", labels);
            CounterMetricFamily received = new CounterMetricFamily(
                    "raftlog_snapshots_received", "Snapshots the node received from leaders", labels);
            if (owner != null) {
                for (Map.Entry<String, AtomicReference<NodeStatus.Log>> reported : owner.logs.entrySet()) {
                    NodeStatus.Log log = reported.getValue().get();
                    if (log == null) {
                        continue; // no status yet
                    }
                    List<String> values = List.of(reported.getKey());
                    startOffset.addMetric(values, (double) log.startOffset());
                    sizeBytes.addMetric(values, (double) log.sizeBytes());
                    snapshotIndex.addMetric(values, (double) log.snapshotIndex());
                    snapshotBytes.addMetric(values, (double) log.snapshotBytes());
                    snapshotTime.addMetric(values, (double) log.snapshotMillis() / 1e3);
                    sent.addMetric(values, (double) log.snapshotsSent());
                    received.addMetric(values, (double) log.snapshotsReceived());
                }
            }
            return List.of(startOffset, sizeBytes, snapshotIndex, snapshotBytes, snapshotTime, sent, received);
        }
    }

    private final Collectors collectors;
    private final String node;
    private final AtomicReference<NodeStatus.Log> lastLog = new AtomicReference<>();

    public PrometheusNodeMetrics(Collectors collectors, NodeId node) {
        this.collectors = collectors;
        this.node = node.value();
        collectors.logs.put(this.node, lastLog);
    }

    @Override
    public void fsync(long nanos) {
        collectors.fsyncLatency.labels(node).observe(nanos / 1e9);
    }

    @Override
    public void batch(int records) {
        collectors.batchSize.labels(node).observe(records);
    }

    @Override
    public void appendLatency(long nanos) {
        collectors.appendLatency.labels(node).observe(nanos / 1e9);
    }

    @Override
    public void commitLatency(long nanos) {
        collectors.commitLatency.labels(node).observe(nanos / 1e9);
    }

    @Override
    public void electionStarted() {
        collectors.elections.labels(node).inc();
    }

    @Override
    public void becameLeader() {
        collectors.leaderChanges.labels(node).inc();
    }

    @Override
    public void status(NodeStatus status) {
        collectors.role.labels(node).set(roleCode(status.role()));
        collectors.health.labels(node).set(status.health().ordinal());
        collectors.term.labels(node).set(status.term());
        collectors.commitIndex.labels(node).set(status.commitIndex());
        collectors.lastIndex.labels(node).set(status.lastIndex());
        lastLog.set(status.log());
        for (Map.Entry<NodeId, Long> match : status.matchIndex().entrySet()) {
            if (!match.getKey().value().equals(node)) {
                collectors.followerLag.labels(node, match.getKey().value()).set(status.lastIndex() - match.getValue());
            }
        }
    }

    private static int roleCode(Role role) {
        return switch (role) {
            case FOLLOWER -> 0;
            case PRE_CANDIDATE -> 1;
            case CANDIDATE -> 2;
            case LEADER -> 3;
        };
    }
}
