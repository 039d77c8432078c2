package io.raftlog.bench;

import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.RaftException;
import io.raftlog.api.Role;
import io.raftlog.api.StateMachine;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.protocol.ProtocolConfig;
import io.raftlog.storage.files.FileSnapshotStore;
import io.raftlog.storage.lmdb.LmdbLogStore;
import io.raftlog.storage.lmdb.LmdbStorageModule;
import io.raftlog.storage.lmdb.LmdbStoreConfig;
import io.raftlog.transport.netty.NettyTransport;
import io.raftlog.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * The catch-up target: "a follower 5,000,000 records behind a leader whose log start has passed
 * it catches up through InstallSnapshot plus log at ≥ 100 MB/s on loopback".
 *
 * <p><b>The cluster</b>, once per trial: three {@link RaftNode}s in this JVM over
 * {@link NettyTransport} on 127.0.0.1, each on its own {@link LmdbLogStore}
 * ({@link io.raftlog.storage.lmdb.SyncMode#SYNC SYNC}) and {@link FileSnapshotStore}
 * ({@code <dir>/snapshots}), default {@link io.raftlog.core.LogConfig} (a snapshot every 100,000
 * entries or 64 MiB; snapshots sent in 1 MiB chunks, 4 in flight) and default node timing. Once a
 * leader is elected one follower (the <em>lagging</em> node) is closed; the leader takes
 * {@code records} records of 256 B ({@link LogLoader}), then
 * {@code deleteRecordsBefore(commitOffset - 1000)} and {@code recordsAfterCut} more records, and the
 * setup checks that its store was compacted (its first index moved past 1). On a busy machine
 * the leader of two live members may lose an election timeout's worth of heartbeats: the load
 * goes on with whichever node leads then, and each shot measures against the leader of its
 * start (and says so if leadership moved during it). Transports reconnect
 * with a back-off of 10 to 100 ms (the default is 50 ms to 2 s): after minutes down the leader's
 * link to the lagging node would otherwise wait up to 2 s to redial, which is not transfer.
 *
 * <p><b>One invocation</b> (a single shot, in ms): the lagging node's data directory is wiped and
 * it is built on a blank store with {@link NodeConfig.StartMode#REJOIN} (a member that lost its
 * data: the one start mode that lets a blank store back in; it holds its votes until caught up,
 * but receives entries and snapshots at once — the shot prints when the snapshot was installed,
 * which bounds the time spent connecting and being accepted). Measured: from {@code start()} until
 * its commit offset reaches the leader's (the leader takes no appends meanwhile). After the shot,
 * outside the measurement, it fails unless the node installed a snapshot, and prints the figure
 * the target is about: (bytes of the entries after the snapshot, as the node counts them — 256 B
 * payload plus 24 B header — plus the snapshot's bytes) / time, in MB/s (10^6 B); the same for
 * the entries alone after the snapshot was installed; the bytes the node's transport received
 * from its peers (whole frames: heartbeats, and entries the leader sent more than once) and the
 * MB/s of those; and what the leader sent it. The snapshot of a log with no application state is
 * small (the node's own state, some 32 KB at 5 M records); most of the bytes are the entries
 * between it and the leader's last, about 300,000 to 400,000 whatever {@code records} is (the
 * {@code recordsAfterCut}, the 1000 below the cut, and those between the snapshot the log starts
 * after and the cut).
 *
 * <pre>
 * java -Draftlog.bench.dir=/tmp/raftlog-bench -jar raft-bench/target/benchmarks.jar CatchUpBenchmark
 * java -jar raft-bench/target/benchmarks.jar CatchUpBenchmark -p records=500000   # a quick run
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
            "-Dio.netty.leakDetectionLevel=disabled"
        })
public class CatchUpBenchmark {
    private static final String CLUSTER = "catch-up";
    private static final long ENTRY_BYTES = LogEntry.sizeInBytes(LogLoader.RECORD_BYTES);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

    /** Records written while the lagging node is down, before the log start moves past it. */
    @Param("5000000")
    public long records;

    /** Records written after the log start moved, so that snapshots are taken past the cut. */
    @Param("300000")
    public long recordsAfterCut;

    /**
     * Election timeout in ticks of 10 ms: 10 is the default ({@link ProtocolConfig#defaults()}).
     * Also how long a leader waits for an acknowledgement before it resends from the match index
     * ({@code LeaderState.detectStalls}), so raising it shows what those resends cost.
     */
    @Param("10")
    public int electionTicks;

    private final List<NodeId> members = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private final Map<NodeId, RaftNode> running = new LinkedHashMap<>();
    private final Map<NodeId, NettyTransport> transports = new LinkedHashMap<>();
    private final Map<NodeId, LmdbLogStore> stores = new LinkedHashMap<>();
    private final Map<NodeId, FileSnapshotStore> snapshotStores = new LinkedHashMap<>();
    private Map<NodeId, InetSocketAddress> addresses;
    private Path root;
    private NodeId lagging;

    // One invocation's.
    private RaftNode rejoining;
    private NettyTransport rejoiningTransport;
    private RaftNode leader;
    private long target;
    private long elapsedNanos;
    private long installedNanos;
    private long droppedBefore;
    private PeerTraffic sentBefore;

    @Setup(Level.Trial)
    public void setUpCluster() throws Exception {
        root = BenchDirectories.createDeletedAtExit("catch-up");
        addresses = new LinkedHashMap<>();
        for (NodeId member : members) {
            addresses.put(member, Loopback.freeAddress());
        }
        for (NodeId member : members) {
            stores.put(member, LmdbLogStore.open(LmdbStoreConfig.of(directory(member))));
            snapshotStores.put(member, FileSnapshotStore.open(snapshotDirectory(member)));
            transports.put(member, transport(member));
            running.put(
                    member,
                    node(
                            member,
                            NodeConfig.StartMode.BOOTSTRAP,
                            stores.get(member),
                            snapshotStores.get(member),
                            transports.get(member)));
        }
        running.values().forEach(RaftNode::start);
        NodeId first = leader().id();
        lagging = members.stream()
                .filter(member -> !member.equals(first))
                .reduce((one, other) -> other)
                .orElseThrow();
        running.remove(lagging).close();
        stores.remove(lagging);
        snapshotStores.remove(lagging);
        System.out.printf(
                "%nleader %s; %s closed; loading %,d records of %d B%n",
                first, lagging, records, LogLoader.RECORD_BYTES);

        long started = System.nanoTime();
        LogLoader.load(this::leader, records);
        long start = deleteRecordsBefore();
        System.out.printf("  log start moved to %,d%n", start);
        LogLoader.load(this::leader, recordsAfterCut);
        LogLoader.await(
                () -> stores.get(leader().id()).firstIndex() > 1,
                Duration.ofSeconds(60),
                () -> "leader's store to be compacted: " + leader().status());
        RaftNode now = leader();
        System.out.printf(
                "cluster ready in %.1f s: leader %s; its store holds %,d to %,d; snapshots %s%n",
                LogLoader.seconds(started),
                now.status(),
                stores.get(now.id()).firstIndex(),
                stores.get(now.id()).lastIndex(),
                snapshotStores.get(now.id()).list());
        for (NodeId member : members) {
            System.out.printf(
                    "  data directory of %s: %,d bytes%n", member, BenchDirectories.sizeBytes(directory(member)));
        }
    }

    /** Moves the log start to 1000 records below the commit offset, on whichever node leads. */
    private long deleteRecordsBefore() throws Exception {
        for (int attempt = 1; ; attempt++) {
            RaftNode current = leader();
            try {
                return current.deleteRecordsBefore(current.commitOffset() - 1000)
                        .get(60, TimeUnit.SECONDS);
            } catch (ExecutionException moved) {
                if (attempt == 5 || !(moved.getCause() instanceof RaftException)) {
                    throw moved;
                }
                System.out.printf("  deleteRecordsBefore failed (%s); again%n", moved.getCause());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDownCluster() {
        running.values().forEach(RaftNode::close);
        running.clear();
        BenchDirectories.delete(root);
    }

    @Setup(Level.Invocation)
    public void wipeLaggingNode() {
        BenchDirectories.delete(directory(lagging));
        rejoiningTransport = transport(lagging);
        rejoining = node(
                lagging,
                NodeConfig.StartMode.REJOIN,
                LmdbLogStore.open(LmdbStoreConfig.of(directory(lagging))),
                FileSnapshotStore.open(snapshotDirectory(lagging)),
                rejoiningTransport);
        leader = leader();
        target = leader.commitOffset();
        droppedBefore = transports.get(leader.id()).droppedMessages(lagging);
        sentBefore = sentByLeader();
    }

    @Benchmark
    public long catchUp() {
        long started = System.nanoTime();
        long deadline = started + CATCH_UP_TIMEOUT.toNanos();
        installedNanos = 0;
        rejoining.start();
        while (rejoining.commitOffset() < target) {
            if (installedNanos == 0 && rejoining.status().log().snapshotsReceived() > 0) {
                installedNanos = System.nanoTime() - started;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the rejoining node did not catch up in " + CATCH_UP_TIMEOUT + ": "
                        + rejoining.status() + "; leader " + leader.status());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        elapsedNanos = System.nanoTime() - started;
        return rejoining.commitOffset();
    }

    @TearDown(Level.Invocation)
    public void report() {
        try {
            NodeStatus status = rejoining.status();
            if (status.log().snapshotsReceived() < 1) {
                throw new IllegalStateException("the rejoining node caught up without a snapshot: this benchmark"
                        + " measures the InstallSnapshot path; " + status);
            }
            if (leader.status().role() != Role.LEADER) {
                System.out.printf("  leadership moved during the shot: %s%n", leader().status());
            }
            SnapshotInfo sent = snapshotBelow(stores.get(leader.id()).firstIndex());
            long entries = target - sent.index();
            long logicalBytes = entries * ENTRY_BYTES + sent.sizeBytes();
            long wireBytes = rejoiningTransport.traffic().values().stream()
                    .mapToLong(PeerTraffic::bytesReceived)
                    .sum();
            double seconds = elapsedNanos / 1e9;
            System.out.printf(
                    "%n  caught up to %,d in %.0f ms (snapshot installed at %.0f ms): snapshot %,d (%,d B) + %,d entries"
                            + " (%,d B) = %,d B -> %.1f MB/s (after the snapshot: %.1f MB/s); received %,d B -> %.1f MB/s"
                            + " on the wire%n",
                    target,
                    elapsedNanos / 1e6,
                    installedNanos / 1e6,
                    sent.index(),
                    sent.sizeBytes(),
                    entries,
                    entries * ENTRY_BYTES,
                    logicalBytes,
                    logicalBytes / seconds / 1e6,
                    entries * ENTRY_BYTES / ((elapsedNanos - installedNanos) / 1e9) / 1e6,
                    wireBytes,
                    wireBytes / seconds / 1e6);
            PeerTraffic sentNow = sentByLeader();
            System.out.printf(
                    "  leader %s sent %,d messages (%,d B) to %s and dropped %,d; %d snapshot(s) received%n",
                    leader.id(),
                    sentNow.messagesSent() - sentBefore.messagesSent(),
                    sentNow.bytesSent() - sentBefore.bytesSent(),
                    lagging,
                    transports.get(leader.id()).droppedMessages(lagging) - droppedBefore,
                    status.log().snapshotsReceived());
        } finally {
            rejoining.close();
            rejoining = null;
        }
    }

    /** The node all running members agree leads, once they do (30 s at most). */
    private RaftNode leader() {
        RaftNode[] agreed = new RaftNode[1];
        LogLoader.await(
                () -> (agreed[0] = agreedLeader()) != null,
                Duration.ofSeconds(30),
                () -> "cluster to agree on a leader");
        return agreed[0];
    }

    private PeerTraffic sentByLeader() {
        return transports.get(leader.id()).traffic().getOrDefault(lagging, new PeerTraffic(0, 0, 0, 0, 0));
    }

    /** The leader's snapshot its log starts after: the one it sends to a follower behind its log. */
    private SnapshotInfo snapshotBelow(long firstIndex) {
        FileSnapshotStore snapshots = snapshotStores.get(leader.id());
        return snapshots.list().stream()
                .filter(info -> info.index() == firstIndex - 1)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "the leader holds no snapshot at " + (firstIndex - 1) + ": " + snapshots.list()));
    }

    private RaftNode node(
            NodeId id,
            NodeConfig.StartMode mode,
            LmdbLogStore store,
            FileSnapshotStore snapshots,
            NettyTransport transport) {
        NodeConfig config = NodeConfig.of(id, members)
                .withClusterId(CLUSTER)
                .withStartMode(mode)
                .withProtocol(ProtocolConfig.defaults().withElectionTicks(electionTicks));
        return new RaftNode(config, store, snapshots, StateMachine.NONE, transport, NodeMetrics.NONE, id.hashCode());
    }

    private NettyTransport transport(NodeId id) {
        return new NettyTransport(NettyTransportConfig.of(CLUSTER, addresses.get(id), addresses)
                .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    /** The running member that leads and that every running member follows, or null. */
    private RaftNode agreedLeader() {
        RaftNode leading = null;
        for (RaftNode node : running.values()) {
            if (node.status().role() == Role.LEADER) {
                leading = node;
            }
        }
        if (leading == null) {
            return null;
        }
        for (RaftNode node : running.values()) {
            if (!node.status().leader().equals(Optional.of(leading.id()))) {
                return null;
            }
        }
        return leading;
    }

    private Path directory(NodeId id) {
        return root.resolve(id.value());
    }

    private Path snapshotDirectory(NodeId id) {
        return directory(id).resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY);
    }
}
