package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peer connections carry {@code TCP_USER_TIMEOUT} on epoll, in both directions, so the kernel drops
 * a connection whose sent data a dead or cut-off peer never acknowledges (the option read back from
 * the sockets themselves).
 */
class UnacknowledgedDataTimeoutTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    @Test
    void everyPeerSocketCarriesTheConfiguredTimeout() {
        assumeTrue(Epoll.isAvailable(), "TCP_USER_TIMEOUT is set through Netty's native epoll transport (Linux)");
        Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
        List<RaftMessage> atB = new CopyOnWriteArrayList<>();
        NettyTransport a = start(A, peers, message -> {});
        NettyTransport b = start(B, peers, atB::add);

        a.send(new TimeoutNow(A, B, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> !atB.isEmpty());

        List<Channel> sockets = new ArrayList<>();
        for (NettyTransport transport : List.of(a, b)) {
            transport.channels().stream()
                    .filter(ch -> !(ch instanceof ServerChannel))
                    .forEach(sockets::add);
        }
        assertThat(sockets).as("a's outbound link and b's accepted connection").hasSizeGreaterThanOrEqualTo(2);
        for (Channel socket : sockets) {
            assertThat(socket.config().getOption(EpollChannelOption.TCP_USER_TIMEOUT))
                    .as("%s", socket)
                    .isEqualTo(7_000);
        }
    }

    @Test
    void aTimeoutOfNothingOrBeyondAnIntOfMillisecondsIsRefused() {
        NettyTransportConfig config = Loopback.config(A, Loopback.addresses(List.of(A, B)));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> config.withUnacknowledgedDataTimeout(Duration.ZERO))
                .withMessageContaining("unacknowledgedDataTimeout must be positive");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> config.withUnacknowledgedDataTimeout(Duration.ofDays(30)))
                .withMessageContaining("too long");
    }

    private NettyTransport start(
            NodeId self, Map<NodeId, InetSocketAddress> peers, io.raftlog.api.spi.transport.MessageHandler handler) {
        NettyTransport transport = Loopback.start(
                self, peers, handler, config -> config.withUnacknowledgedDataTimeout(Duration.ofSeconds(7)));
        transports.add(transport);
        return transport;
    }
}
