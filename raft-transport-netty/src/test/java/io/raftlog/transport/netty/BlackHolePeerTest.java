package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.transport.netty.internal.HelloAccepted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that accepts the TCP connection but never reads: the sender's queue for it fills and drops,
 * while the other followers keep receiving every message on time.
 */
class BlackHolePeerTest {
    private static final NodeId LEADER = NodeId.of("leader");
    private static final NodeId HOLE = NodeId.of("black-hole");
    private static final NodeId F1 = NodeId.of("follower-1");
    private static final NodeId F2 = NodeId.of("follower-2");
    private static final int ROUNDS = 1_500;
    private static final int PAYLOAD = 16 * 1024;
    private static final Duration ON_TIME = Duration.ofSeconds(1);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void aPeerThatShakesHandsThenNeverReadsDelaysNoOtherFollower() {
        BlackHole hole = new BlackHole(true);
        NettyTransport leader = cluster(hole);

        List<Long> latencies = replicate(leader);

        assertOnTime(latencies);
        assertThat(leader.droppedMessages(HOLE))
                .as("messages dropped for the black hole")
                .isPositive();
        assertThat(leader.droppedMessages(F1) + leader.droppedMessages(F2)).isZero();
        assertThat(hole.accepted())
                .as("the link to the black hole stays one connection")
                .isEqualTo(1);
    }

    @Test
    void aPeerThatNeverAnswersTheHelloIsRetriedWithoutDelayingOthers() {
        BlackHole hole = new BlackHole(false);
        NettyTransport leader = cluster(hole);

        List<Long> latencies = replicate(leader);

        assertOnTime(latencies);
        assertThat(leader.droppedMessages(HOLE)).isPositive();
        // Links connect lazily: the retry after the handshake times out needs something queued for
        // the hole, and the rounds above may all have gone out within the first attempt's timeout.
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    leader.send(new AppendEntriesRequest(LEADER, HOLE, 1, ROUNDS, 1, List.of(), 0));
                    return hole.accepted() >= 2; // timed out and retried
                });
    }

    private final Map<NodeId, AtomicLong> lastReceived = Map.of(F1, new AtomicLong(), F2, new AtomicLong());

    /** Starts the leader and two real followers; the black hole stands where the third follower should be. */
    private NettyTransport cluster(BlackHole hole) {
        Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>(Loopback.addresses(List.of(LEADER, F1, F2)));
        peers.put(HOLE, hole.address());
        for (NodeId follower : List.of(F1, F2)) {
            resources.add(Loopback.start(follower, peers, message -> record(follower, message)));
        }
        NettyTransport leader = Loopback.start(
                LEADER,
                peers,
                message -> {},
                config -> config.withPeerQueueCapacity(128).withConnectTimeout(Duration.ofMillis(300)));
        resources.add(leader);
        return leader;
    }

    private void record(NodeId follower, RaftMessage message) {
        lastReceived.get(follower).set(((AppendEntriesRequest) message).prevLogIndex());
    }

    /**
     * Sends round after round of 16 KiB entries to all three followers, waiting for the real ones to
     * have each round; returns how long each round took to reach both.
     */
    private List<Long> replicate(NettyTransport leader) {
        Bytes payload = Bytes.copyOf(new byte[PAYLOAD]);
        List<Long> latencies = new ArrayList<>();
        for (long round = 1; round <= ROUNDS; round++) {
            long sent = System.nanoTime();
            for (NodeId follower : List.of(HOLE, F1, F2)) {
                leader.send(new AppendEntriesRequest(
                        LEADER, follower, 1, round, 1, List.of(LogEntry.data(round + 1, 1, payload)), 0));
            }
            long deadline = sent + Duration.ofSeconds(10).toNanos();
            while (lastReceived.get(F1).get() < round || lastReceived.get(F2).get() < round) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round " + round + " did not reach both followers within 10 s");
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
            }
            latencies.add(System.nanoTime() - sent);
        }
        return latencies;
    }

    private static void assertOnTime(List<Long> latencies) {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get(sorted.size() / 2);
        long p99 = sorted.get(sorted.size() * 99 / 100);
        long max = sorted.get(sorted.size() - 1);
        System.out.printf(
                "round latency to the healthy followers: p50 %d us, p99 %d us, max %d us%n",
                p50 / 1000, p99 / 1000, max / 1000);
        assertThat(Duration.ofNanos(max))
                .as("slowest round (p50 %d us, p99 %d us)", p50 / 1000, p99 / 1000)
                .isLessThan(ON_TIME);
    }

    /** Accepts connections and never reads from them; optionally answers the hello first, as peer HOLE. */
    private final class BlackHole implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        BlackHole(boolean answerHello) {
            try {
                server = new ServerSocket();
                server.bind(new InetSocketAddress("127.0.0.1", 0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            acceptor = new Thread(() -> acceptForever(answerHello), "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();
            resources.add(this);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        int accepted() {
            return sockets.size();
        }

        private void acceptForever(boolean answerHello) {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    if (answerHello) {
                        socket.getOutputStream().write(RawConnection.bytes(new HelloAccepted(HOLE)));
                    }
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
