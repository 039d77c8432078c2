package io.raftlog.examples;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.metrics.prometheus.PrometheusNodeMetrics;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code raftlog demo}: a 3-node cluster on localhost (Netty, the {@code --store} under {@code --data}), a
 * producer and a consumer, and a progress line every second. Ctrl-C stops it cleanly.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run a local 3-node cluster, produce to it and consume from it.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            defaultValue = "data",
            paramLabel = "DIR",
            description = "Where the nodes keep their logs (default: ./${DEFAULT-VALUE}).")
    Path data;

    @Option(
            names = "--records",
            defaultValue = "0",
            paramLabel = "N",
            description = "Stop after N records (default: run until Ctrl-C).")
    long records;

    @Option(
            names = "--metrics-port",
            defaultValue = "9400",
            paramLabel = "P",
            description =
                    "Serve Prometheus metrics on http://127.0.0.1:P/metrics (default: ${DEFAULT-VALUE}; 0 = off).")
    int metricsPort;

    @Option(
            names = "--record-bytes",
            defaultValue = "256",
            description = "Size of each record (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Mixin
    NodeCommand.LogOptions log;

    @Option(
            names = "--tls",
            description = "Secure the cluster: make a throw-away CA and a certificate for each node (in DIR/tls), and"
                    + " run peers with mutual TLS and the demo's clients with TLS.")
    boolean tls;

    /** The CA and node certificates of a --tls demo, or null. */
    private Path tlsDirectory;

    private final AtomicBoolean stopping = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        if (records < 0 || recordBytes < 1) {
            throw new IllegalArgumentException("--records must be >= 0 and --record-bytes >= 1");
        }
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            addresses.put(NodeId.of("n" + i), new InetSocketAddress("127.0.0.1", freePort()));
        }
        PrometheusNodeMetrics.Collectors collectors =
                new PrometheusNodeMetrics.Collectors(CollectorRegistry.defaultRegistry);
        List<ClusterNode> nodes = new ArrayList<>();
        HTTPServer metrics = metricsPort == 0
                ? null
                : new HTTPServer(
                        new InetSocketAddress("127.0.0.1", metricsPort), CollectorRegistry.defaultRegistry, true);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    stopping.set(true);
                    try {
                        done.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "raftlog-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            io.raftlog.testkit.tls.CertificateAuthority ca = null;
            if (tls) {
                tlsDirectory = data.resolve("tls");
                ca = io.raftlog.testkit.tls.CertificateAuthority.create("raftlog demo CA");
            }
            for (Map.Entry<NodeId, InetSocketAddress> member : addresses.entrySet()) {
                Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>(addresses);
                peers.remove(member.getKey());
                nodes.add(ClusterNode.start(
                        ClusterNode.DEFAULT_CLUSTER_ID,
                        member.getKey(),
                        member.getValue(),
                        peers,
                        data.resolve(member.getKey().value()),
                        Duration.ofMillis(10),
                        io.raftlog.core.NodeConfig.StartMode.BOOTSTRAP, // the demo makes its own cluster
                        log.logConfig(),
                        log.store,
                        withTls(ca == null ? null : nodeTls(ca, member.getKey())),
                        collectors));
            }
            System.out.printf(
                    "raftlog demo: 3 nodes on %s, logs in %s%s%s. Ctrl-C stops.%n",
                    addresses.values(),
                    data.toAbsolutePath(),
                    metrics == null ? "" : ", metrics on http://127.0.0.1:" + metrics.getPort() + "/metrics",
                    tlsDirectory == null
                            ? ""
                            : ", mutual TLS between the nodes (CA and certificates in "
                                    + tlsDirectory.toAbsolutePath() + "; clients: --tls-ca "
                                    + tlsDirectory.resolve("ca.crt").toAbsolutePath() + ")");
            run(new ArrayList<>(addresses.values()), nodes);
            return 0;
        } finally {
            nodes.forEach(ClusterNode::close);
            if (metrics != null) {
                metrics.close();
            }
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for us
            }
        }
    }

    private void run(List<InetSocketAddress> seeds, List<ClusterNode> nodes) throws Exception {
        AtomicLong produced = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        io.raftlog.transport.netty.TlsConfig clientTls = tlsDirectory == null
                ? null
                : io.raftlog.transport.netty.TlsConfig.trusting(tlsDirectory.resolve("ca.crt"));
        RaftClientConfig clientConfig =
                RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, seeds).withTls(clientTls);
        try (RaftClient producer = new RaftClient(clientConfig);
                RaftClient consumer = new RaftClient(clientConfig)) {
            Thread consuming = new Thread(() -> consume(consumer, consumed), "raftlog-demo-consumer");
            consuming.setDaemon(true);
            consuming.start();
            Semaphore window = new Semaphore(4096);
            byte[] body = new byte[recordBytes];
            long started = System.nanoTime();
            long lastReport = started;
            long lastProduced = 0;
            long sent = 0;
            while (!stopping.get() && (records == 0 || produced.get() + failed.get() < records)) {
                if ((records == 0 || sent < records) && window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    sent++;
                    producer.append(Bytes.copyOf(body)).whenComplete((offset, error) -> {
                        if (error != null && failed.getAndIncrement() == 0) {
                            System.out.println("first failed append: " + RaftlogCommand.describe(error));
                        } else if (error == null) {
                            produced.incrementAndGet();
                        }
                        window.release();
                    });
                }
                long now = System.nanoTime();
                if (now - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                    long total = produced.get();
                    System.out.printf(
                            "%6.1fs  produced %,d (%,.0f/s)  consumed %,d  failed %d  %s%n",
                            (now - started) / 1e9,
                            total,
                            (total - lastProduced) / ((now - lastReport) / 1e9),
                            consumed.get(),
                            failed.get(),
                            leaderLine(nodes));
                    lastReport = now;
                    lastProduced = total;
                }
            }
            window.tryAcquire(4096, 30, TimeUnit.SECONDS);
            long target = produced.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumed.get() < target && System.nanoTime() < deadline && !stopping.get()) {
                consuming.join(100);
            }
            stopping.set(true);
            System.out.printf(
                    "done: produced %,d, consumed %,d, failed %d  %s%n",
                    produced.get(), consumed.get(), failed.get(), leaderLine(nodes));
        }
    }

    private void consume(RaftClient consumer, AtomicLong consumed) {
        long next = 1;
        while (!stopping.get()) {
            try {
                List<CommittedRecord> batch =
                        consumer.read(next, 1000, Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
                if (!batch.isEmpty()) {
                    consumed.addAndGet(batch.size());
                    next = batch.get(batch.size() - 1).offset() + 1;
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof OffsetOutOfRangeException outOfRange) {
                    // Retention removed records before the consumer read them: go on with the oldest kept.
                    System.out.println("consumer: " + StartOffset.Reset.EARLIEST.resuming(outOfRange));
                    next = outOfRange.logStartOffset();
                } else if (!stopping.get()) {
                    System.out.println("consumer: " + RaftlogCommand.describe(e) + "; retrying");
                }
            } catch (Exception e) {
                if (!stopping.get()) {
                    System.out.println("consumer: " + RaftlogCommand.describe(e) + "; retrying");
                }
            }
        }
    }

    private static String leaderLine(List<ClusterNode> nodes) {
        for (ClusterNode node : nodes) {
            NodeStatus status = node.node.status();
            if (status.role() == io.raftlog.api.Role.LEADER) {
                return "leader " + status.id() + " (term " + status.term() + ", commit offset " + status.commitIndex()
                        + ", log start " + status.log().startOffset() + ")";
            }
        }
        return "no leader";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Issues {@code id}'s certificate from the demo's CA into the TLS directory. */
    private io.raftlog.transport.netty.TlsConfig nodeTls(io.raftlog.testkit.tls.CertificateAuthority ca, NodeId id) {
        io.raftlog.testkit.tls.CertificateAuthority.PemFiles files =
                ca.issueNode(id.value()).write(tlsDirectory, id.value());
        return io.raftlog.transport.netty.TlsConfig.of(files.certificate(), files.privateKey(), files.ca());
    }

    private static java.util.function.UnaryOperator<io.raftlog.transport.netty.NettyTransportConfig> withTls(
            io.raftlog.transport.netty.TlsConfig tls) {
        return transport -> transport.withTls(tls);
    }
}
