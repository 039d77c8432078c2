package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While a connection to a peer is being opened its queue holds exactly {@code peerQueueCapacity}
 * messages: the rest are dropped and counted. When the attempt fails, the waiting messages are
 * dropped too (a peer that is down holds nothing stale); once the peer is up, new messages flow,
 * in order.
 */
class PeerQueueBoundTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int CAPACITY = 50;
    private static final int SENT = 80;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void aQueueHoldsItsCapacityWhileConnectingAndNothingStaleOnceTheAttemptFailed() throws Exception {
        Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
        // B's port takes the TCP connection but never answers the hello: the attempt hangs until
        // the connect timeout, and meanwhile everything sent to B waits in the queue.
        ServerSocket silent = new ServerSocket();
        silent.bind(peers.get(B));
        NettyTransport a = Loopback.start(
                A,
                peers,
                message -> {},
                config -> config.withPeerQueueCapacity(CAPACITY).withConnectTimeout(Duration.ofMillis(500)));
        resources.add(a);

        for (long term = 1; term <= SENT; term++) {
            a.send(new TimeoutNow(A, B, term));
        }
        assertThat(a.droppedMessages(B)).as("dropped beyond the bound").isEqualTo(SENT - CAPACITY);

        await().atMost(Duration.ofSeconds(10)).until(() -> a.droppedMessages(B) == SENT);
        silent.close();

        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        resources.add(0, Loopback.start(B, peers, received::add));
        long[] term = {SENT};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            a.send(new TimeoutNow(A, B, ++term[0]));
            return !received.isEmpty();
        });
        long first = received.get(0).term();
        assertThat(first)
                .as("the first message B receives was sent after the failed attempt")
                .isGreaterThan(SENT);
        long last = term[0];
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.get(received.size() - 1).term() == last);
        assertThat(received)
                .extracting(RaftMessage::term)
                .as("what B received once up: consecutive and in order")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(first, last)
                        .boxed()
                        .toList());
    }
}
