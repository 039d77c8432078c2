package io.raftlog.examples;

import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import io.raftlog.api.NodeId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raftlog node}: runs one cluster member until SIGTERM or SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one node until SIGTERM/SIGINT.")
final class NodeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);
    /** The exit status when the node stopped on a fatal error (a supervisor should restart it). */
    static final int EXIT_NODE_FAILED = 4;

    @Option(names = "--id", required = true, description = "This node's id, e.g. n1.")
    String id;

    @Option(
            names = "--listen",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Where this node accepts peers and clients.")
    String listen;

    @Option(
            names = "--peers",
            required = true,
            paramLabel = "ID=HOST:PORT[,ID=HOST:PORT...]",
            description = "The other members and where to reach them.")
    String peers;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory (created if missing).")
    Path data;

    @Option(
            names = "--metrics-port",
            paramLabel = "P",
            description = "Serve Prometheus metrics on http://HOST:P/metrics; 0 picks a free port (printed at start).")
    Integer metricsPort;

    @Option(
            names = "--cluster-id",
            defaultValue = ClusterNode.DEFAULT_CLUSTER_ID,
            description =
                    "Name of the cluster; peers and clients of another cluster are refused (default: ${DEFAULT-VALUE}).")
    String clusterId;

    @Option(
            names = "--bootstrap",
            description = "First start of a new cluster: an empty data directory becomes this member's."
                    + " Without it (or --rejoin) a node refuses an empty data directory.")
    boolean bootstrap;

    @Option(
            names = "--rejoin",
            description = "This member lost its data: start on an empty data directory, catch up from the"
                    + " others and vote only once that is safe (every other member must answer once).")
    boolean rejoin;

    @Option(
            names = "--tick-ms",
            defaultValue = "10",
            description = "Milliseconds per protocol tick (default: ${DEFAULT-VALUE}).")
    int tickMillis;

    @Override
    public Integer call() throws Exception {
        NodeId nodeId = NodeId.of(id);
        InetSocketAddress listenAddress = Addresses.parse("--listen", listen);
        var peerAddresses = Addresses.parsePeers("--peers", peers);
        if (tickMillis < 1) {
            throw new IllegalArgumentException("--tick-ms must be positive, got " + tickMillis);
        }
        if (bootstrap && rejoin) {
            throw new IllegalArgumentException("--bootstrap and --rejoin exclude each other: --bootstrap is for the"
                    + " first start of a new cluster, --rejoin for a member that lost its data");
        }
        io.raftlog.core.NodeConfig.StartMode startMode = bootstrap
                ? io.raftlog.core.NodeConfig.StartMode.BOOTSTRAP
                : rejoin ? io.raftlog.core.NodeConfig.StartMode.REJOIN : io.raftlog.core.NodeConfig.StartMode.EXISTING;
        HTTPServer metrics = null;
        if (metricsPort != null) {
            DefaultExports.initialize();
            metrics = new HTTPServer(
                    new InetSocketAddress(listenAddress.getAddress(), metricsPort),
                    io.prometheus.client.CollectorRegistry.defaultRegistry,
                    true);
        }
        try (ClusterNode node = ClusterNode.start(
                clusterId,
                nodeId,
                listenAddress,
                peerAddresses,
                data,
                Duration.ofMillis(tickMillis),
                startMode,
                ClusterNode.defaultCollectors())) {
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(
                    () -> {
                        node.close();
                        stopped.countDown();
                    },
                    "raftlog-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            LOG.info(
                    "node {} listening on {}, data in {}{}",
                    nodeId,
                    node.transport.localAddress(),
                    data,
                    metrics == null
                            ? ""
                            : ", metrics on http://" + listenAddress.getHostString() + ":" + metrics.getPort()
                                    + "/metrics");
            NodeHealth.watch(node, peerAddresses.size());
            // Ends on SIGTERM/SIGINT (the hook closes the node) or when the node stops itself.
            node.node.terminated().whenComplete((ignored, error) -> stopped.countDown());
            stopped.await();
            Throwable cause =
                    node.node.terminated().handle((ignored, error) -> error).join();
            if (cause != null) {
                if (cause instanceof java.util.concurrent.CompletionException wrapped && wrapped.getCause() != null) {
                    cause = wrapped.getCause();
                }
                // One line for the operator and the supervisor; the full trace is in the log.
                System.err.println("error: node " + nodeId + " stopped: " + cause.getMessage());
                return EXIT_NODE_FAILED;
            }
            return 0;
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }
}
