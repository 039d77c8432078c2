package io.raftlog.bench;

import com.google.inject.Guice;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.core.InMemoryStorageModule;
import io.raftlog.core.InMemoryTransportModule;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.core.transport.InMemoryNetwork;
import io.raftlog.storage.lmdb.LmdbStorageModule;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.NettyTransportModule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole cluster, as a user embeds it: three nodes in this JVM wired with Guice exactly as the
 * README's "Embedding a node" shows ({@link RaftModule} with {@link NodeConfig} defaults,
 * {@link LmdbStorageModule} with {@code SyncMode.SYNC} — every batch fsynced on every node — and
 * {@link NettyTransportModule} on 127.0.0.1), or with {@code store=memory} the in-memory store and
 * transport (no disk, no sockets: the protocol and runtime alone). Appends go to the leader's
 * {@link ReplicatedLog#append}; an append ends when a majority has it and the leader applied it.
 *
 * <p><b>{@link #append}</b> (throughput, records/s): a closed loop with at most
 * {@code outstanding} appends in flight — the op takes a permit, submits, and the commit returns
 * the permit. Every iteration ends by waiting for its appends, so the count is of committed
 * records. Each append's latency (submit to commit) goes into an HdrHistogram printed after every
 * iteration and for the whole trial: that is the latency <em>at</em> that load.
 *
 * <p><b>{@link #commitLatency}</b> (sample time): one append, waited for, while a background
 * thread keeps {@code outstanding - 1} others in flight: JMH's own percentiles of a record's
 * commit latency at that load.
 *
 * <p>A failed append (a leader change during the run, an overload) fails the iteration with the
 * cause, rather than being counted: the defaults must hold leadership under this load.
 *
 * <pre>
 * java -jar raft-bench/target/benchmarks.jar ClusterAppend                     # the full matrix
 * java -jar raft-bench/target/benchmarks.jar 'ClusterAppend.append$' -p store=lmdb -p size=256 \
 *      -p outstanding=1024 -wi 2 -w 5s -i 3 -r 5s                              # one cell, quickly
 * </pre>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xmx4g",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dio.netty.leakDetectionLevel=disabled"
        })
public class ClusterAppendBenchmark {
    private static final long TIMEOUT_MS = 60_000;

    /**
     * {@code lmdb}: LMDB SYNC and Netty on loopback; {@code segment}: the segment-file store (one
     * fsync per batch) and Netty; {@code segment-tls}: the same with mutual TLS 1.3 between the
     * nodes; {@code memory}: in-memory store and transport.
     */
    @Param({"lmdb", "segment", "segment-tls", "memory"})
    public String store;

    /** Bytes per record. */
    @Param({"256", "4096"})
    public int size;

    /** Appends in flight at once. */
    @Param({"1", "64", "1024"})
    public int outstanding;

    private final List<ReplicatedLog> nodes = new ArrayList<>();
    private Path data;
    private ReplicatedLog leader;
    private long leaderTerm;
    private Bytes record;
    private Semaphore window;
    private int windowPermits;
    private final Recorder latencies = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final Histogram trial = new Histogram(3);
    private Histogram iteration;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    @Setup(Level.Trial)
    public void startCluster() throws Exception {
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        if (store.equals("memory")) {
            InMemoryNetwork network = new InMemoryNetwork();
            for (NodeId id : ids) {
                nodes.add(Guice.createInjector(
                                new RaftModule(NodeConfig.of(id, ids)),
                                new InMemoryStorageModule(),
                                new InMemoryTransportModule(network))
                        .getInstance(ReplicatedLog.class));
            }
        } else if (store.equals("lmdb") || store.startsWith("segment")) {
            BenchTls tls = store.equals("segment-tls") ? new BenchTls() : null;
            data = BenchDirectories.createDeletedAtExit("cluster-append-");
            Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
            for (NodeId id : ids) {
                members.put(id, Loopback.freeAddress());
            }
            for (NodeId id : ids) {
                nodes.add(Guice.createInjector(
                                new RaftModule(NodeConfig.of(id, ids)),
                                store.equals("lmdb")
                                        ? new LmdbStorageModule(data.resolve(id.value()))
                                        : new io.raftlog.storage.segment.SegmentStorageModule(data.resolve(id.value())),
                                new NettyTransportModule(NettyTransportConfig.of("bench", members.get(id), members)
                                        .withTls(tls == null ? null : tls.node(id))))
                        .getInstance(ReplicatedLog.class));
            }
        } else {
            throw new IllegalArgumentException("store must be lmdb, segment, segment-tls or memory, was " + store);
        }
        await("a leader", () -> leaderOrNull() != null);
        leader = leaderOrNull();
        leaderTerm = leader.status().term();
        leader.append(Bytes.wrap(new byte[8])).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        record = Bytes.wrap(new byte[size]); // never changed: one buffer serves every append
        windowPermits = outstanding;
        window = new Semaphore(windowPermits);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public void append() throws InterruptedException {
        window.acquire();
        submit();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Long commitLatency(BackgroundLoad load) throws Exception {
        return leader.append(record).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void submit() {
        long sent = System.nanoTime();
        leader.append(record).whenComplete((offset, error) -> {
            if (error == null) {
                latencies.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
            } else {
                firstFailure.compareAndSet(null, error);
                failed.incrementAndGet();
            }
            window.release();
        });
    }

    /** Ends every iteration with its appends committed, and prints their latencies. */
    @TearDown(Level.Iteration)
    public void drain() throws Exception {
        if (!window.tryAcquire(windowPermits, TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(windowPermits - window.availablePermits()
                    + " appends still outstanding after " + TIMEOUT_MS + " ms");
        }
        window.release(windowPermits);
        iteration = latencies.getIntervalHistogram(iteration);
        if (iteration.getTotalCount() > 0) {
            trial.add(iteration);
            System.out.println(percentiles("iteration", iteration));
        }
        long term = leader.status().term();
        if (failed.get() > 0 || term != leaderTerm || leader.status().role() != Role.LEADER) {
            throw new IllegalStateException(failed.get() + " appends failed; the leader's term went from " + leaderTerm
                    + " to " + term + "; first failure: " + firstFailure.get());
        }
    }

    @TearDown(Level.Trial)
    public void stopCluster() {
        if (trial.getTotalCount() > 0) {
            System.out.println(percentiles("trial", trial));
        }
        for (ReplicatedLog node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                System.out.println("closing a node: " + e);
            }
        }
        BenchDirectories.delete(data);
    }

    private String percentiles(String what, Histogram h) {
        return String.format(
                java.util.Locale.ROOT,
                "%n  commit latency, %s (%,d appends, %d outstanding): p50 %,d us  p99 %,d us  p99.9 %,d us  max %,d us",
                what,
                h.getTotalCount(),
                outstanding,
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue());
    }

    /** For {@link #commitLatency}: {@code outstanding - 1} appends kept in flight by another thread. */
    @State(Scope.Benchmark)
    public static class BackgroundLoad {
        private Thread driver;
        private volatile boolean running;

        @Setup(Level.Trial)
        public void start(ClusterAppendBenchmark cluster) {
            if (cluster.outstanding <= 1) {
                return;
            }
            // The background appends take outstanding - 1 of the window's permits at most.
            cluster.windowPermits = cluster.outstanding - 1;
            cluster.window = new Semaphore(cluster.windowPermits);
            running = true;
            driver = new Thread(
                    () -> {
                        try {
                            while (running) {
                                if (cluster.window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                                    cluster.submit();
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "background-load");
            driver.setDaemon(true);
            driver.start();
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            if (driver != null) {
                driver.join();
            }
        }
    }

    private ReplicatedLog leaderOrNull() {
        for (ReplicatedLog node : nodes) {
            NodeStatus status = node.status();
            if (status.role() == Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + TIMEOUT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }
}
