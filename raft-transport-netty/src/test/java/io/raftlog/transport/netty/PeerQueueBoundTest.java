package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While a peer is down its queue holds exactly {@code peerQueueCapacity} messages: the rest are
 * dropped and counted, and the held ones are delivered, in order, once the peer comes up.
 */
class PeerQueueBoundTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int CAPACITY = 50;
    private static final int SENT = 80;

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    @Test
    void aDownPeersQueueHoldsExactlyItsCapacityAndDeliversItWhenThePeerComesUp() {
        Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
        NettyTransport a = Loopback.start(A, peers, message -> {}, config -> config.withPeerQueueCapacity(CAPACITY));
        transports.add(a);

        for (long term = 1; term <= SENT; term++) {
            a.send(new TimeoutNow(A, B, term));
        }

        assertThat(a.droppedMessages(B)).as("dropped beyond the bound").isEqualTo(SENT - CAPACITY);

        List<RaftMessage> received = new CopyOnWriteArrayList<>();
        transports.add(Loopback.start(B, peers, received::add));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= CAPACITY);
        assertThat(received)
                .extracting(RaftMessage::term)
                .as("the first %d messages, in order", CAPACITY)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, CAPACITY).boxed().toList());
        assertThat(a.droppedMessages(B)).isEqualTo(SENT - CAPACITY);
    }
}
