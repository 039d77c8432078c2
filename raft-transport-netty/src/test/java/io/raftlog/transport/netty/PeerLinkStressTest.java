package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Seeded bursts over one healthy link: two threads send bursts of messages whose sizes straddle
 * the coalescing buffer and the write-buffer water marks, then stop; every burst must arrive in
 * full, in each thread's order, with nothing sent afterwards to push it along (a lost drain
 * wake-up strands the tail of a burst until the next send). The seed is printed and can be set
 * with {@code -Draftlog.stress.seed}; {@code -Draftlog.stress.bursts} (default 150) runs longer.
 */
class PeerLinkStressTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int[] SIZES = {64, 1_000, 16 * 1024, 60 * 1024, 200 * 1024};

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    @Test
    void everyBurstArrivesWholeAndInOrderWithoutALaterSend() throws Exception {
        long seed = Long.getLong("raftlog.stress.seed", System.nanoTime());
        int bursts = Integer.getInteger("raftlog.stress.bursts", 150);
        System.out.println("PeerLinkStressTest seed " + seed + " (-Draftlog.stress.seed=" + seed + ")");
        Random random = new Random(seed);

        Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
        AtomicLong received = new AtomicLong();
        long[] lastSeen = {0, 0}; // per sending thread: the last sequence number received
        AtomicReference<String> disorder = new AtomicReference<>();
        NettyTransport b = Loopback.start(B, peers, message -> onMessage(message, received, lastSeen, disorder));
        NettyTransport a = Loopback.start(A, peers, message -> {}, config -> config.withPeerQueueCapacity(100_000));
        transports.add(b);
        transports.add(a);

        long[] nextSequence = {1, 1};
        long expected = 0;
        for (int burst = 0; burst < bursts; burst++) {
            int[] counts = {random.nextInt(400), random.nextInt(400)};
            int size = SIZES[random.nextInt(SIZES.length)];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                long first = nextSequence[t];
                Bytes payload = Bytes.copyOf(new byte[size]);
                Thread sender = new Thread(
                        () -> {
                            awaitQuietly(go);
                            for (int i = 0; i < counts[thread]; i++) {
                                // prevLogTerm carries the sender thread, prevLogIndex its sequence number.
                                a.send(new AppendEntriesRequest(
                                        A,
                                        B,
                                        1,
                                        first + i,
                                        thread,
                                        List.of(LogEntry.data(first + i + 1, 1, payload)),
                                        0));
                            }
                        },
                        "stress-sender-" + t);
                sender.start();
                senders.add(sender);
                nextSequence[t] += counts[t];
            }
            go.countDown();
            for (Thread sender : senders) {
                sender.join();
            }
            expected += counts[0] + counts[1];
            long target = expected;
            try {
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> received.get() >= target);
            } catch (org.awaitility.core.ConditionTimeoutException stalled) {
                // reported with the counts below
            }
            assertThat(received.get())
                    .as(
                            "burst %d (%d + %d messages of %d B), seed %d: received of %d",
                            burst, counts[0], counts[1], size, seed, expected)
                    .isEqualTo(expected);
            assertThat(disorder.get()).as("seed %d", seed).isNull();
        }
        assertThat(a.droppedMessages()).isZero();
    }

    private static void onMessage(
            RaftMessage message, AtomicLong received, long[] lastSeen, AtomicReference<String> disorder) {
        AppendEntriesRequest request = (AppendEntriesRequest) message;
        int thread = (int) request.prevLogTerm();
        long sequence = request.prevLogIndex();
        if (sequence != lastSeen[thread] + 1) {
            disorder.compareAndSet(null, "thread " + thread + " sent " + sequence + " after " + lastSeen[thread]);
        }
        lastSeen[thread] = sequence;
        received.incrementAndGet();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
