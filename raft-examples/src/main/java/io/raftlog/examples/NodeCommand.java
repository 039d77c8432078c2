package io.raftlog.examples;

import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import io.raftlog.api.NodeId;
import io.raftlog.core.LogConfig;
import io.raftlog.transport.netty.NettyTransportConfig;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

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
            names = "--join",
            description = "A new node joining a running cluster: start on an empty data directory, with --peers"
                    + " listing existing members; it takes no part until an operator adds it"
                    + " (raftlog admin add-learner, then promote).")
    boolean join;

    @Option(
            names = "--tick-ms",
            defaultValue = "10",
            description = "Milliseconds per protocol tick (default: ${DEFAULT-VALUE}).")
    int tickMillis;

    @Mixin
    LogOptions log;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Option(
            names = "--client-access",
            paramLabel = "RULES",
            description = "What each client may do, by the principal its TLS certificate names"
                    + " (urn:raftlog:client:<name>): NAME=PERMS,... with PERMS produce, consume, administer joined"
                    + " by + (or none), and * for every other client, e.g. app=produce+consume,audit=consume,*=none."
                    + " Default: every client may do everything.")
    String clientAccess;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "The most client connections the node holds at once; more are refused at once"
                    + " (default: 1024).")
    Integer maxConnections;

    @Option(
            names = "--client-idle-timeout",
            paramLabel = "DURATION",
            converter = LogOptions.DurationConverter.class,
            description = "Close a client connection that sends nothing for this long, e.g. 5m, 90s (default: 5m).")
    Duration clientIdleTimeout;

    @Option(
            names = "--max-frame-size",
            paramLabel = "SIZE",
            converter = LogOptions.BytesConverter.class,
            description = "The largest frame accepted from a peer or client, and sent: bytes, or with a unit, e.g."
                    + " 16MiB (default: 16 MiB). The same on every node and client.")
    Long maxFrameBytes;

    @Option(
            names = "--max-requests-in-flight",
            paramLabel = "N",
            description = "The most requests one client connection may have unanswered; more are refused with"
                    + " OverloadedException (default: 1024).")
    Integer maxRequestsInFlight;

    /**
     * {@code kill -HUP <pid>} checks the TLS files at once (they are also checked every 30 s).
     * Where the JVM offers no such signal (not a POSIX platform), the periodic check remains.
     */
    private static void reloadTlsOnHangUp(ClusterNode node) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                LOG.info("SIGHUP: checking the TLS files now");
                node.transport.reloadTls();
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a signal its parent ignored (nohup) ignored: say so, once.
                LOG.warn("SIGHUP is ignored in this process (started with nohup?): the TLS files are checked"
                        + " every 30 s only, not on kill -HUP");
            }
        } catch (IllegalArgumentException unsupported) {
            LOG.debug("no SIGHUP here: TLS files are checked every reload interval only");
        }
    }

    /** The transport's settings from the flags: TLS, client access and the limits given. */
    NettyTransportConfig transport(NettyTransportConfig base) {
        NettyTransportConfig config = base.withTls(tls.node())
                .withClientAccess(
                        clientAccess == null
                                ? io.raftlog.transport.netty.ClientAccess.OPEN
                                : io.raftlog.transport.netty.ClientAccess.parse(clientAccess));
        if (maxConnections != null) {
            config = config.withMaxConnections(maxConnections);
        }
        if (clientIdleTimeout != null) {
            config = config.withClientIdleTimeout(clientIdleTimeout);
        }
        if (maxFrameBytes != null) {
            if (maxFrameBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--max-frame-size must be below 2 GiB, was " + maxFrameBytes);
            }
            config = config.withMaxFrameBytes(maxFrameBytes.intValue());
        }
        if (maxRequestsInFlight != null) {
            config = config.withMaxClientRequestsInFlight(maxRequestsInFlight);
        }
        return config;
    }

    @Override
    public Integer call() throws Exception {
        NodeId nodeId = NodeId.of(id);
        InetSocketAddress listenAddress = Addresses.parse("--listen", listen);
        var peerAddresses = Addresses.parsePeers("--peers", peers);
        if (tickMillis < 1) {
            throw new IllegalArgumentException("--tick-ms must be positive, got " + tickMillis);
        }
        if ((bootstrap ? 1 : 0) + (rejoin ? 1 : 0) + (join ? 1 : 0) > 1) {
            throw new IllegalArgumentException("--bootstrap, --rejoin and --join exclude each other: --bootstrap is for"
                    + " the first start of a new cluster, --rejoin for a member that lost its data, --join for a new"
                    + " node added to a running cluster");
        }
        io.raftlog.core.NodeConfig.StartMode startMode = bootstrap
                ? io.raftlog.core.NodeConfig.StartMode.BOOTSTRAP
                : rejoin
                        ? io.raftlog.core.NodeConfig.StartMode.REJOIN
                        : join
                                ? io.raftlog.core.NodeConfig.StartMode.JOIN
                                : io.raftlog.core.NodeConfig.StartMode.EXISTING;
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
                log.logConfig(),
                log.store,
                this::transport,
                ClusterNode.defaultCollectors())) {
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(
                    () -> {
                        node.close();
                        stopped.countDown();
                    },
                    "raftlog-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (tls.enabled()) {
                reloadTlsOnHangUp(node);
            }
            LOG.info(
                    "node {} listening on {}, data in {}{}",
                    nodeId,
                    node.transport.localAddress(),
                    data,
                    metrics == null
                            ? ""
                            : ", metrics on http://" + listenAddress.getHostString() + ":" + metrics.getPort()
                                    + "/metrics");
            NodeHealth.watch(node, join);
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

    /**
     * How a node keeps its log ({@link LogConfig}): retention by size and age, and how often it
     * snapshots. {@code raftlog node} and {@code raftlog demo} take these options.
     */
    static final class LogOptions {
        private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
        private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
        private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

        @Option(
                names = "--retention-bytes",
                defaultValue = "0",
                paramLabel = "SIZE",
                converter = BytesConverter.class,
                description = "Keep about this much of the log and remove older records: bytes, or with a unit"
                        + " (KB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: of 1024), e.g. 512MiB;"
                        + " 0 = no limit (default: ${DEFAULT-VALUE}).")
        long retentionBytes;

        @Option(
                names = "--retention-time",
                defaultValue = "0",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description = "Remove records committed longer ago than this, e.g. 30m, 12h, 7d, 1h30m (units ms,"
                        + " s, m, h, d) or ISO-8601 PT1H; 0 = no limit (default: ${DEFAULT-VALUE}).")
        Duration retentionTime;

        @Option(
                names = "--snapshot-every",
                paramLabel = "ENTRIES",
                converter = EntriesConverter.class,
                description = "Snapshot after this many entries applied (or "
                        + "64 MiB of them), so that a restart replays only the tail and retention can free the"
                        + " disk below the snapshot (default: ${DEFAULT-VALUE}).")
        long snapshotEveryEntries = LogConfig.defaults().snapshotEveryEntries();

        @Option(
                names = "--store",
                defaultValue = "segment",
                paramLabel = "STORE",
                converter = StoreConverter.class,
                description = "The durable log store: segment (append-only segment files, one fdatasync per"
                        + " batch) or lmdb (LMDB). A data directory keeps the store that created it"
                        + " (default: ${DEFAULT-VALUE}).")
        StoreKind store = StoreKind.DEFAULT;

        /** {@link LogConfig#defaults()} with these options. */
        LogConfig logConfig() {
            LogConfig defaults = LogConfig.defaults();
            return defaults.withRetentionBytes(retentionBytes)
                    .withRetentionTime(retentionTime)
                    .withSnapshotEvery(snapshotEveryEntries, defaults.snapshotEveryBytes());
        }

        /**
         * A size in bytes: a whole number, or a number (a fraction too) with a unit, in any case:
         * {@code B}, {@code KB}/{@code MB}/{@code GB}/{@code TB} (powers of 1000, as disks count)
         * or {@code KiB}/{@code MiB}/{@code GiB}/{@code TiB} (powers of 1024). A bare {@code K} or
         * {@code M} is refused: it could mean either.
         */
        static long parseBytes(String text) {
            Matcher size = SIZE.matcher(text.strip());
            long unit = size.matches() ? unitBytes(size.group(2)) : -1;
            if (unit < 0) {
                throw new IllegalArgumentException("expected a size in bytes such as 1073741824, 512MiB, 1GiB or"
                        + " 10MB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; 0: no limit), got '" + text + "'");
            }
            BigDecimal bytes = new BigDecimal(size.group(1)).multiply(BigDecimal.valueOf(unit));
            if (bytes.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
            }
            try {
                return bytes.longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is more than " + Long.MAX_VALUE + " bytes", e);
            }
        }

        private static long unitBytes(String unit) {
            return switch (unit.toLowerCase(Locale.ROOT)) {
                case "", "b" -> 1;
                case "kb" -> 1000L;
                case "mb" -> 1000L * 1000;
                case "gb" -> 1000L * 1000 * 1000;
                case "tb" -> 1000L * 1000 * 1000 * 1000;
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                case "tib" -> 1L << 40;
                default -> -1;
            };
        }

        /**
         * A duration: {@code 0}, whole numbers with units ({@code 500ms}, {@code 30s}, {@code 30m},
         * {@code 12h}, {@code 7d}, combined as in {@code 1h30m}), or ISO-8601 ({@code PT1H},
         * {@code P7D}). A number without a unit is refused but for 0: seconds or milliseconds?
         */
        static Duration parseDuration(String text) {
            String trimmed = text.strip().toLowerCase(Locale.ROOT);
            Duration duration;
            try {
                if (trimmed.equals("0")) {
                    duration = Duration.ZERO;
                } else if (trimmed.matches("[-+]?p.*")) {
                    duration = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
                } else if (DURATION.matcher(trimmed).matches()) {
                    duration = Duration.ZERO;
                    Matcher part = DURATION_PART.matcher(trimmed);
                    while (part.find()) {
                        duration = duration.plus(unitDuration(Long.parseLong(part.group(1)), part.group(2)));
                    }
                } else {
                    duration = null;
                }
            } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
                duration = null; // not ISO-8601, or too long for a Duration
            }
            if (duration == null || duration.isNegative()) {
                throw new IllegalArgumentException("expected a duration such as 30m, 12h, 7d or PT1H (units ms, s,"
                        + " m, h, d; 0: no limit), got '" + text + "'");
            }
            return duration;
        }

        private static Duration unitDuration(long amount, String unit) {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unit " + unit);
            };
        }

        /** A count of entries, at least 1. */
        static long parseEntries(String text) {
            long entries;
            try {
                entries = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                entries = 0;
            }
            if (entries < 1) {
                throw new IllegalArgumentException("expected a number of entries >= 1, got '" + text + "'");
            }
            return entries;
        }

        /** Turns a parser's refusal into picocli's usage error (exit status 2), as StartOffset does. */
        private static <T> T convert(Function<String, T> parser, String value) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }

        static final class BytesConverter implements ITypeConverter<Long> {
            @Override
            public Long convert(String value) {
                return LogOptions.convert(LogOptions::parseBytes, value);
            }
        }

        static final class DurationConverter implements ITypeConverter<Duration> {
            @Override
            public Duration convert(String value) {
                return LogOptions.convert(LogOptions::parseDuration, value);
            }
        }

        static final class StoreConverter implements ITypeConverter<StoreKind> {
            @Override
            public StoreKind convert(String value) {
                return LogOptions.convert(StoreKind::parse, value);
            }
        }

        static final class EntriesConverter implements ITypeConverter<Long> {
            @Override
            public Long convert(String value) {
                return LogOptions.convert(LogOptions::parseEntries, value);
            }
        }
    }
}
