package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.core.RaftNode;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import io.raftlog.transport.netty.internal.AppendRequest;
import io.raftlog.transport.netty.internal.DeleteRecordsRequest;
import io.raftlog.transport.netty.internal.Frame;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.RaftFrame;
import io.raftlog.transport.netty.internal.ReadIndexRequest;
import io.raftlog.transport.netty.internal.ReadRequest;
import io.raftlog.transport.netty.internal.StatusRequest;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Throws at least 10,000 random and mutated frames at the leader of a live 3-node cluster (RaftNode
 * over NettyTransport on loopback), on many connections at once — garbage before any hello, mutated
 * hellos, mutated client requests after a client hello, mutated raft messages after a peer hello —
 * then checks the cluster still elects, replicates and serves clients.
 *
 * <p>Raft messages thrown on a peer connection claim a sender that is not the peer that shook hands,
 * so any that still decode are dropped by the transport: Raft does not defend against a lying
 * member, and this test is about the transport's defences. The seed is printed, and
 * {@code -Draftlog.fuzz.seed=S} replays it.
 */
class FuzzTest {
    private static final int FRAMES = 10_000;
    private static final int THREADS = 4;
    private static final NodeId MALLORY = NodeId.of("mallory");

    private final long seed = Long.getLong("raftlog.fuzz.seed", System.nanoTime());
    private final AtomicLong thrown = new AtomicLong();
    private LoopbackRaftCluster cluster;
    private RaftClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theClusterStillReplicatesAfterTenThousandBadFrames() throws Exception {
        System.out.println("FuzzTest seed " + seed + " (replay with -Draftlog.fuzz.seed=" + seed + ")");
        cluster = new LoopbackRaftCluster(3);
        NodeId leader = cluster.awaitLeader(Duration.ofSeconds(20));
        client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.copyOf(cluster.addresses.values()))
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(100)));
        assertThat(client.append(Bytes.ofUtf8("before")).get(20, TimeUnit.SECONDS))
                .isPositive();

        InetSocketAddress target = cluster.addresses.get(leader);
        NodeId peer = cluster.followers(leader).get(0);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random random = new Random(seed + t);
                workers.add(pool.submit(() -> throwFrames(random, target, leader, peer)));
            }
            for (Future<?> worker : workers) {
                worker.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        String context = "seed " + seed;
        assertThat(thrown.get()).as(context).isGreaterThanOrEqualTo(FRAMES);
        assertThat(cluster.transports.get(leader).protocolErrors()).as(context).isPositive();
        assertStillReplicates(context);
    }

    /** Appends through the client, then checks every member committed and holds the same records. */
    private void assertStillReplicates(String context) throws Exception {
        List<CompletableFuture<Long>> appends = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            appends.add(client.append(Bytes.ofUtf8("after-" + i)));
        }
        long last = 0;
        for (CompletableFuture<Long> append : appends) {
            last = Math.max(last, append.get(30, TimeUnit.SECONDS));
        }
        long committed = last;
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.nodes.values().stream().allMatch(node -> node.commitOffset() >= committed));
        List<Bytes> reference = null;
        for (RaftNode node : cluster.nodes.values()) {
            List<Bytes> tail = node.read(committed - 99, 1000, Duration.ZERO).get(10, TimeUnit.SECONDS).stream()
                    .filter(record -> record.offset() <= committed)
                    .map(record -> record.payload())
                    .toList();
            assertThat(tail).as(context + ": records on " + node.id()).contains(Bytes.ofUtf8("after-99"));
            if (reference == null) {
                reference = tail;
            }
            assertThat(tail)
                    .as(context + ": " + node.id() + " agrees with the others")
                    .isEqualTo(reference);
        }
    }

    private void throwFrames(Random random, InetSocketAddress target, NodeId leader, NodeId peer) {
        while (thrown.get() < FRAMES) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int frames;
            switch (random.nextInt(4)) {
                case 0 -> {
                    bytes.writeBytes(randomBytes(random, random.nextInt(100)));
                    frames = 1;
                }
                case 1 -> {
                    Hello hello = random.nextBoolean()
                            ? Hello.client(clusterId(random))
                            : Hello.peer(clusterId(random), random.nextBoolean() ? peer : MALLORY, leader);
                    bytes.writeBytes(mutate(random, RawConnection.bytes(hello)));
                    frames = 1;
                }
                case 2 -> {
                    bytes.writeBytes(RawConnection.bytes(Hello.client(Loopback.CLUSTER)));
                    frames = 1 + random.nextInt(30);
                    for (int i = 1; i < frames; i++) {
                        bytes.writeBytes(maybeMutate(random, RawConnection.bytes(clientRequest(random))));
                    }
                }
                default -> {
                    bytes.writeBytes(RawConnection.bytes(Hello.peer(Loopback.CLUSTER, peer, leader)));
                    frames = 1 + random.nextInt(30);
                    for (int i = 1; i < frames; i++) {
                        bytes.writeBytes(maybeMutate(random, RawConnection.bytes(raftFrame(random, leader))));
                    }
                }
            }
            try (RawConnection connection = new RawConnection(target, Duration.ofSeconds(10))) {
                connection.tryWrite(bytes.toByteArray());
                connection.shutdownOutput();
                assertThat(connection.closedByPeer())
                        .as("seed %d: the node closes a finished connection", seed)
                        .isTrue();
            }
            thrown.addAndGet(frames);
        }
    }

    private static String clusterId(Random random) {
        return random.nextInt(10) == 0 ? "other-cluster" : Loopback.CLUSTER;
    }

    private static Frame clientRequest(Random random) {
        long id = random.nextLong();
        return switch (random.nextInt(5)) {
            case 0 -> {
                List<Bytes> records = new ArrayList<>();
                for (int i = 0; i <= random.nextInt(3); i++) {
                    records.add(Bytes.copyOf(randomBytes(random, random.nextInt(64))));
                }
                yield new AppendRequest(id, random.nextLong(), random.nextInt(1000), records);
            }
            // Mostly a consistency the node knows (linearizable reads ask the leader to confirm),
            // sometimes one it must refuse with an error.
            case 1 ->
                new ReadRequest(
                        id,
                        1 + random.nextInt(200),
                        1 + random.nextInt(50),
                        random.nextInt(20),
                        random.nextInt(10) == 0 ? random.nextInt(256) : random.nextInt(2));
            case 3 -> new ReadIndexRequest(id);
            // Harmless to the checks afterwards whatever the offset: the node removes nothing past its
            // high watermark + 1, and they read from 99 below the last of 100 later appends.
            case 2 -> new DeleteRecordsRequest(id, random.nextInt(200) - 10);
            default -> new StatusRequest(id);
        };
    }

    /** A raft message from a node that is not the one that shook hands: dropped even if it decodes. */
    private static Frame raftFrame(Random random, NodeId to) {
        long term = random.nextInt(100);
        return RaftFrame.of(
                switch (random.nextInt(7)) {
                    case 0 ->
                        new VoteRequest(MALLORY, to, term, random.nextInt(100), term, random.nextBoolean(), false);
                    case 1 -> new VoteResponse(MALLORY, to, term, random.nextBoolean(), random.nextBoolean());
                    case 2 -> {
                        List<LogEntry> entries = new ArrayList<>();
                        long prev = random.nextInt(100);
                        for (int i = 0; i < random.nextInt(4); i++) {
                            entries.add(LogEntry.data(
                                    prev + 1 + i, Math.max(1, term), Bytes.copyOf(randomBytes(random, 32))));
                        }
                        yield new AppendEntriesRequest(MALLORY, to, Math.max(1, term), prev, 0, entries, prev);
                    }
                    case 3 ->
                        new AppendEntriesResponse(MALLORY, to, term, random.nextBoolean(), random.nextInt(100), 0, 0);
                    case 4 -> snapshotChunk(random, to, Math.max(1, term));
                    case 5 -> {
                        boolean refused = random.nextBoolean();
                        yield new InstallSnapshotResponse(
                                MALLORY,
                                to,
                                term,
                                1 + random.nextInt(100),
                                refused ? 0 : random.nextInt(1000),
                                refused);
                    }
                    default -> new TimeoutNow(MALLORY, to, term);
                });
    }

    /** A valid chunk of up to 64 bytes of a snapshot of a few KiB at most; the last one about half the time. */
    private static InstallSnapshotRequest snapshotChunk(Random random, NodeId to, long term) {
        byte[] data = randomBytes(random, random.nextInt(65));
        long offset = random.nextInt(1000);
        long total = offset + data.length + (random.nextBoolean() ? 0 : 1 + random.nextInt(1000));
        return new InstallSnapshotRequest(
                MALLORY,
                to,
                term,
                1 + random.nextInt(100),
                1 + random.nextInt((int) term),
                total,
                offset,
                Bytes.wrap(data),
                offset + data.length == total);
    }

    private static byte[] maybeMutate(Random random, byte[] frame) {
        return random.nextInt(10) < 7 ? mutate(random, frame) : frame;
    }

    /** One of several corruptions: flipped bytes, a wrong length, version or kind, truncation, junk. */
    private static byte[] mutate(Random random, byte[] frame) {
        byte[] copy = frame.clone();
        switch (random.nextInt(7)) {
            case 0 -> {
                for (int i = 0; i <= random.nextInt(4); i++) {
                    copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> {
                int length = random.nextBoolean() ? random.nextInt() : copy.length - 4 + random.nextInt(9) - 4;
                copy[0] = (byte) (length >>> 24);
                copy[1] = (byte) (length >>> 16);
                copy[2] = (byte) (length >>> 8);
                copy[3] = (byte) length;
            }
            case 2 -> copy[4] = (byte) random.nextInt(256);
            case 3 -> copy[5] = (byte) random.nextInt(256);
            case 4 -> {
                return java.util.Arrays.copyOf(copy, random.nextInt(copy.length));
            }
            case 5 -> {
                int at = Frame.HEADER_BYTES + random.nextInt(Math.max(1, copy.length - Frame.HEADER_BYTES));
                for (int i = at; i < copy.length; i++) {
                    copy[i] = (byte) random.nextInt(256);
                }
            }
            default -> {
                byte[] longer = java.util.Arrays.copyOf(copy, copy.length + 1 + random.nextInt(16));
                for (int i = copy.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
        }
        return copy;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
