package io.raftlog.examples;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.prometheus.client.CollectorRegistry;
import io.raftlog.api.NodeId;
import io.raftlog.core.LogConfig;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.core.RaftNode;
import io.raftlog.metrics.prometheus.PrometheusMetricsModule;
import io.raftlog.metrics.prometheus.PrometheusNodeMetrics;
import io.raftlog.transport.netty.NettyTransport;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.NettyTransportModule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One raftlog node as the command line runs it: a {@link RaftNode} on a durable store
 * ({@link StoreKind}) and Netty, wired with Guice, reporting to Prometheus. This is also the smallest complete embedding of raftlog.
 */
final class ClusterNode implements AutoCloseable {
    static final String DEFAULT_CLUSTER_ID = "raftlog";

    final RaftNode node;
    final NettyTransport transport;

    private ClusterNode(RaftNode node, NettyTransport transport) {
        this.node = node;
        this.transport = transport;
    }

    /** Starts a node on the default store that keeps its whole log ({@link LogConfig#defaults()}). */
    static ClusterNode start(
            String clusterId,
            NodeId id,
            InetSocketAddress listen,
            Map<NodeId, InetSocketAddress> peers,
            Path dataDirectory,
            Duration tickInterval,
            NodeConfig.StartMode startMode,
            PrometheusNodeMetrics.Collectors collectors) {
        return start(
                clusterId,
                id,
                listen,
                peers,
                dataDirectory,
                tickInterval,
                startMode,
                LogConfig.defaults(),
                StoreKind.DEFAULT,
                transport -> transport,
                collectors);
    }

    /**
     * Starts a node.
     *
     * @param peers the other members and where to reach them
     * @param log   retention and snapshots
     * @param store the durable store in {@code dataDirectory}
     * @param transport the transport's settings beyond the addresses (TLS, client access, limits)
     */
    static ClusterNode start(
            String clusterId,
            NodeId id,
            InetSocketAddress listen,
            Map<NodeId, InetSocketAddress> peers,
            Path dataDirectory,
            Duration tickInterval,
            NodeConfig.StartMode startMode,
            LogConfig log,
            StoreKind store,
            java.util.function.UnaryOperator<NettyTransportConfig> transport,
            PrometheusNodeMetrics.Collectors collectors) {
        if (peers.containsKey(id)) {
            throw new IllegalArgumentException(
                    "--peers lists this node (" + id + ") itself; list only the other members");
        }
        List<NodeId> members = new ArrayList<>();
        members.add(id);
        members.addAll(peers.keySet());
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>(peers);
        addresses.put(id, listen);
        NodeConfig config = (startMode == NodeConfig.StartMode.JOIN
                        ? NodeConfig.joining(id, List.copyOf(peers.keySet()))
                        : NodeConfig.of(id, members))
                .withTickInterval(tickInterval)
                .withClusterId(clusterId)
                .withStartMode(startMode)
                .withLog(log);
        List<Module> modules = new ArrayList<>(List.of(
                new RaftModule(config),
                store.module(dataDirectory),
                new NettyTransportModule(transport.apply(NettyTransportConfig.of(clusterId, listen, addresses)))));
        if (collectors != null) {
            modules.add(new PrometheusMetricsModule(collectors));
        }
        Injector injector = Guice.createInjector(modules);
        try {
            return new ClusterNode(injector.getInstance(RaftNode.class), injector.getInstance(NettyTransport.class));
        } catch (com.google.inject.ProvisionException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof io.raftlog.api.StorageException)) {
                cause = cause.getCause();
            }
            if (cause instanceof io.raftlog.api.StorageException refused
                    && !refused.getMessage().contains(dataDirectory.toString())) {
                // The store refused to start (its identity): name the directory for the operator.
                throw new io.raftlog.api.StorageException(
                        "data directory " + dataDirectory + ": " + refused.getMessage(), refused);
            }
            throw e;
        }
    }

    static PrometheusNodeMetrics.Collectors defaultCollectors() {
        return new PrometheusNodeMetrics.Collectors(CollectorRegistry.defaultRegistry);
    }

    @Override
    public void close() {
        node.close();
    }
}
