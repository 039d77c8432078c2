package io.raftlog.bench;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.StateMachine;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.transport.InMemoryNetwork;
import io.raftlog.storage.files.FileSnapshotStore;
import io.raftlog.storage.lmdb.LmdbLogStore;
import io.raftlog.storage.lmdb.LmdbStorageModule;
import io.raftlog.storage.lmdb.LmdbStoreConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
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
 * The restart target: "a node whose log holds 10,000,000 records of 256 B, with snapshots on by
 * default, accepts its first append within 2 s of process start".
 *
 * <p><b>The data.</b> Once per trial, a one-member cluster ({@link RaftNode} on an
 * {@link LmdbLogStore} in {@link io.raftlog.storage.lmdb.SyncMode#SYNC SYNC} mode, the default —
 * 10 M records load in 13 to 23 s that way on a busy 2-core machine, so no faster mode is needed —
 * with a {@link FileSnapshotStore} in {@code <dir>/snapshots} as {@link LmdbStorageModule} lays
 * it out, the in-memory transport and {@link io.raftlog.core.LogConfig#defaults() default}
 * snapshots: every 100,000 entries or 64 MiB) takes {@code records} records of 256 B through
 * {@link RaftNode#appendAll} ({@link LogLoader}: batches of 4096, 16 in flight), and is closed;
 * 10 M records make a data directory of about 3.2 GB. Nothing moves the log start, so the log
 * holds every record; a restart restores the newest snapshot and replays only the committed
 * entries after it: up to one snapshot interval, depending on where the load ended (the node logs
 * "applied entries A to B after its snapshot in N ms", and each shot prints the snapshot index).
 * {@code -p dataDir=DIR} keeps the directory to reuse: loaded there if it holds no store yet,
 * used as it is otherwise.
 *
 * <p><b>One invocation</b> (a single shot, in ms):
 * <ul>
 *   <li>{@code restartInProcess}: from before the LMDB store is opened to the completion of one
 *       {@code append} (committed, so synced) — open the store and the snapshot store, build the
 *       node (restores the snapshot), start it (replays the tail), wait until it leads (a
 *       one-member cluster elects itself at its first tick, 10 ms; an append before that is
 *       refused with {@code NotLeaderException}, which a client retries), append one record of
 *       256 B. It runs in the benchmark's JVM, whose load phase already loaded and warmed the
 *       classes: JVM start, class loading and JIT warm-up are not in it, so it must not be
 *       compared with "within 2 s of process start" as it is;</li>
 *   <li>{@code restartNewProcess}: the target as stated — from before a new JVM is launched
 *       ({@code java} of this JVM, the two lmdbjava {@code --add-opens}, default heap and GC, the
 *       benchmark jar on the class path; {@link RestartProcess}) to the moment it prints that its
 *       first append completed. JVM start, class loading and an unwarmed JIT are all in it; so is
 *       lmdbjava's first use in a JVM (jnr-ffi generating its native bindings), which makes the
 *       first LMDB open cost some 0.3 to 0.9 s on a busy 2-core machine against a few ms later.</li>
 * </ul>
 * Each shot prints its parts. The node is closed after each shot, outside the measurement. The
 * page cache is warm (the data was just written, or read by the previous shot): a restart after a
 * reboot also reads the tail and the B-tree's upper pages from disk.
 *
 * <pre>
 * java -Draftlog.bench.dir=/tmp/raftlog-bench -jar raft-bench/target/benchmarks.jar RestartBenchmark
 * java -jar raft-bench/target/benchmarks.jar RestartBenchmark -p records=1000000   # a quick run
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xmx4g",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            RestartBenchmark.REPLAY_LOG_LEVEL
        })
public class RestartBenchmark {
    static final NodeId NODE = NodeId.of("n1");
    /** Shows the node's "applied entries A to B after its snapshot in N ms" line (INFO). */
    static final String REPLAY_LOG_LEVEL = "-Dorg.slf4j.simpleLogger.log.io.raftlog.core.RaftNode=info";

    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Bytes RECORD = LogLoader.record();

    /** Records in the log before the first restart. */
    @Param("10000000")
    public long records;

    /** A data directory to keep and reuse (loaded if it holds no store yet); empty: a scratch one. */
    @Param("")
    public String dataDir;

    private Path directory;
    private boolean scratch;
    private RaftNode node;
    private Process child;
    private BufferedReader childOutput;

    @Setup(Level.Trial)
    public void load() {
        if (dataDir.isEmpty()) {
            directory = BenchDirectories.createDeletedAtExit("restart");
            scratch = true;
        } else {
            directory = Path.of(dataDir).toAbsolutePath();
            if (Files.exists(directory.resolve("data.mdb"))) {
                System.out.printf("%nreusing %s: %,d bytes%n", directory, BenchDirectories.sizeBytes(directory));
                return;
            }
        }
        System.out.printf("%nloading %,d records of %d B into %s%n", records, LogLoader.RECORD_BYTES, directory);
        long started = System.nanoTime();
        LmdbLogStore store = LmdbLogStore.open(LmdbStoreConfig.of(directory));
        RaftNode loader = new RaftNode(
                config(),
                store,
                FileSnapshotStore.open(directory.resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY)),
                StateMachine.NONE,
                new InMemoryNetwork().newTransport(),
                NodeMetrics.NONE,
                1);
        try {
            loader.start();
            LogLoader.awaitLeader(loader, Duration.ofSeconds(10));
            LogLoader.load(() -> loader, records);
            System.out.printf("  status before closing: %s%n", loader.status());
        } finally {
            loader.close();
        }
        System.out.printf(
                "data directory %s: %,d bytes, %d snapshot file(s), written in %.1f s%n",
                directory, BenchDirectories.sizeBytes(directory), snapshotFiles(directory), LogLoader.seconds(started));
    }

    @TearDown(Level.Trial)
    public void deleteScratch() {
        if (scratch) {
            BenchDirectories.delete(directory);
        }
    }

    @Benchmark
    public long restartInProcess() {
        Restart restart = restart(directory);
        node = restart.node();
        System.out.printf("%n  in process: %s%n", restart);
        return restart.offset();
    }

    @Benchmark
    public long restartNewProcess() throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                REPLAY_LOG_LEVEL,
                "-cp",
                System.getProperty("java.class.path"),
                RestartProcess.class.getName(),
                directory.toString());
        long started = System.nanoTime();
        child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        childOutput = child.inputReader();
        String line;
        while ((line = childOutput.readLine()) != null && !line.startsWith(RestartProcess.DONE)) {
            System.out.println("  child: " + line);
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        if (line == null) {
            throw new IllegalStateException("the child process ended without appending: " + command);
        }
        String[] words = line.split(" ", 4);
        System.out.printf(
                "%n  new process: launch to first append %d ms (%s ms after its JVM's own start time); %s%n",
                elapsedMillis, words[2], words[3]);
        return Long.parseLong(words[1]);
    }

    @TearDown(Level.Invocation)
    public void close() throws IOException, InterruptedException {
        if (node != null) {
            node.close();
            node = null;
        }
        if (child != null) {
            String line;
            while ((line = childOutput.readLine()) != null) {
                System.out.println("  child: " + line);
            }
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("the child process did not exit after its append");
            }
            int exit = child.exitValue();
            child = null;
            if (exit != 0) {
                throw new IllegalStateException("the child process exited with " + exit);
            }
        }
    }

    /** The one-member cluster's configuration: defaults, snapshots included. */
    static NodeConfig config() {
        return NodeConfig.of(NODE, List.of(NODE));
    }

    /**
     * A node restarted on {@code directory} and the timing of each step up to its first append.
     *
     * @param snapshotIndex the snapshot it restored (0 if none)
     */
    record Restart(
            RaftNode node,
            long offset,
            long snapshotIndex,
            long storeNanos,
            long buildNanos,
            long startNanos,
            long electionNanos,
            long appendNanos) {
        long totalNanos() {
            return storeNanos + buildNanos + startNanos + electionNanos + appendNanos;
        }

        @Override
        public String toString() {
            return String.format(
                    "%.1f ms = open store %.1f + build node (restore snapshot %,d) %.1f + start (replay tail) %.1f"
                            + " + lead %.1f + first append (offset %,d) %.1f",
                    totalNanos() / 1e6,
                    storeNanos / 1e6,
                    snapshotIndex,
                    buildNanos / 1e6,
                    startNanos / 1e6,
                    electionNanos / 1e6,
                    offset,
                    appendNanos / 1e6);
        }
    }

    /** Opens, starts and appends once to the node in {@code directory}; the caller closes it. */
    static Restart restart(Path directory) {
        long started = System.nanoTime();
        LmdbLogStore store = LmdbLogStore.open(LmdbStoreConfig.of(directory));
        FileSnapshotStore snapshots = FileSnapshotStore.open(directory.resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY));
        long opened = System.nanoTime();
        RaftNode restarted = new RaftNode(
                config(),
                store,
                snapshots,
                StateMachine.NONE,
                new InMemoryNetwork().newTransport(),
                NodeMetrics.NONE,
                1);
        long built = System.nanoTime();
        try {
            restarted.start();
            long running = System.nanoTime();
            // A one-member cluster elects itself at its first tick; an append before that is refused.
            LogLoader.awaitLeader(restarted, APPEND_TIMEOUT);
            long leading = System.nanoTime();
            long offset = appendOnce(restarted);
            long appended = System.nanoTime();
            return new Restart(
                    restarted,
                    offset,
                    restarted.status().log().snapshotIndex(),
                    opened - started,
                    built - opened,
                    running - built,
                    leading - running,
                    appended - leading);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            restarted.close();
            throw new IllegalStateException("the restarted node did not take its first append: " + e, e);
        } catch (InterruptedException e) {
            restarted.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Appends one record, again if the node lost its leadership meanwhile (it cannot, alone). */
    private static long appendOnce(RaftNode restarted)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + APPEND_TIMEOUT.toNanos();
        while (true) {
            try {
                return restarted.append(RECORD).get(APPEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException refused) {
                if (!(refused.getCause() instanceof NotLeaderException) || System.nanoTime() > deadline) {
                    throw refused;
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    private static long snapshotFiles(Path directory) {
        try (var files = Files.list(directory.resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY))) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
