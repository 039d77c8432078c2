package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.HelloRejected;
import io.raftlog.transport.netty.internal.HelloRejected.Reason;
import io.raftlog.transport.netty.internal.RaftFrame;
import io.raftlog.transport.netty.internal.StatusRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hello that opens every connection: who is accepted, who is refused, and what both sides log. */
class HandshakeTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B, C));
    private final Queue<RaftMessage> received = new ConcurrentLinkedQueue<>();
    private NettyTransport node;
    private LogCapture log;

    @BeforeEach
    void startNode() {
        log = LogCapture.start();
        node = Loopback.start(A, peers, received::add, config -> config.withConnectTimeout(Duration.ofMillis(300)));
    }

    @AfterEach
    void stopNode() {
        node.close();
        log.close();
    }

    @Test
    void aPeerOfThisClusterIsAcceptedAndItsMessagesDelivered() {
        try (RawConnection peer = new RawConnection(peers.get(A))) {
            peer.send(Hello.peer(Loopback.CLUSTER, B, A));
            assertThat(peer.read()).isEqualTo(new HelloAccepted(A));
            peer.send(RaftFrame.of(new TimeoutNow(B, A, 5)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
            assertThat(received).containsExactly(new TimeoutNow(B, A, 5));
        }
        assertThat(node.rejectedConnections()).isZero();
    }

    @Test
    void aPeerFromAnotherClusterIsRefusedWithTheReason() {
        HelloRejected rejection = refusal(Hello.peer("other-cluster", B, A));
        assertThat(rejection.reason()).isEqualTo(Reason.WRONG_CLUSTER);
        assertThat(rejection.detail())
                .isEqualTo("cluster id 'other-cluster' does not match this node's cluster '" + Loopback.CLUSTER + "'");
        awaitLogged("refused peer connection", "cluster id 'other-cluster' does not match");
    }

    @Test
    void anUnknownNodeIdIsRefused() {
        HelloRejected rejection = refusal(Hello.peer(Loopback.CLUSTER, NodeId.of("intruder"), A));
        assertThat(rejection.reason()).isEqualTo(Reason.UNKNOWN_NODE);
        assertThat(rejection.detail()).contains("node 'intruder' is not a peer of node 'a'");
        awaitLogged("refused peer connection", "node 'intruder' is not a peer");
    }

    @Test
    void aPeerClaimingThisNodesOwnIdIsRefused() {
        HelloRejected rejection = refusal(Hello.peer(Loopback.CLUSTER, A, A));
        assertThat(rejection.reason()).isEqualTo(Reason.UNKNOWN_NODE);
    }

    @Test
    void aPeerThatExpectedAnotherNodeIsRefused() {
        HelloRejected rejection = refusal(Hello.peer(Loopback.CLUSTER, B, C));
        assertThat(rejection.reason()).isEqualTo(Reason.WRONG_TARGET);
        assertThat(rejection.detail()).isEqualTo("peer 'b' expected node 'c' but reached node 'a'");
        awaitLogged("refused peer connection", "expected node 'c' but reached node 'a'");
    }

    @Test
    void aClientHelloNamingNodesIsRefused() {
        HelloRejected rejection =
                refusal(new Hello(Hello.Role.CLIENT, Loopback.CLUSTER, Optional.of(B), Optional.empty()));
        assertThat(rejection.reason()).isEqualTo(Reason.BAD_HELLO);
    }

    @Test
    void aClientFromAnotherClusterIsRefused() {
        HelloRejected rejection = refusal(Hello.client("other-cluster"));
        assertThat(rejection.reason()).isEqualTo(Reason.WRONG_CLUSTER);
        awaitLogged("refused client connection", "cluster id 'other-cluster'");
    }

    @Test
    void aConnectionThatSendsNoHelloIsClosedAfterTheTimeout() {
        try (RawConnection silent = new RawConnection(peers.get(A))) {
            assertThat(silent.closedByPeer()).isTrue();
        }
        awaitLogged("closing connection", "no hello within 300 ms");
        assertThat(node.protocolErrors()).isEqualTo(1);
    }

    @Test
    void aConnectionWhoseFirstFrameIsNotAHelloIsClosed() {
        try (RawConnection rude = new RawConnection(peers.get(A))) {
            rude.send(new StatusRequest(1));
            assertThat(rude.closedByPeer()).isTrue();
        }
        awaitLogged("closing unidentified connection", "expected a hello but the first frame is a StatusRequest");
    }

    @Test
    void aNodeWhosePeerBelongsToAnotherClusterLogsTheRefusalAndDeliversNothing() {
        Queue<RaftMessage> atB = new ConcurrentLinkedQueue<>();
        try (NettyTransport b = Loopback.start(
                B,
                peers,
                atB::add,
                config -> new NettyTransportConfig(
                        "other-cluster",
                        config.listenAddress(),
                        config.peers(),
                        config.maxFrameBytes(),
                        config.peerQueueCapacity(),
                        config.reconnectBackoffMin(),
                        config.reconnectBackoffMax(),
                        config.connectTimeout(),
                        config.useEpoll(),
                        config.ioThreads(),
                        config.maxClientRequestsInFlight(),
                        config.unacknowledgedDataTimeout(),
                        config.tls(),
                        config.clientAccess(),
                        config.maxConnections(),
                        config.clientIdleTimeout()))) {
            b.send(new TimeoutNow(B, A, 1));
            awaitLogged("peer a at", "refused our connection (WRONG_CLUSTER)");
            awaitLogged("refused peer connection", "cluster id 'other-cluster'");
            assertThat(received).isEmpty();
        }
    }

    private HelloRejected refusal(Hello hello) {
        try (RawConnection connection = new RawConnection(peers.get(A))) {
            connection.send(hello);
            HelloRejected rejection = (HelloRejected) connection.read();
            assertThat(connection.closedByPeer())
                    .as("connection closed after the refusal")
                    .isTrue();
            assertThat(node.rejectedConnections()).isEqualTo(1);
            return rejection;
        }
    }

    private void awaitLogged(String... fragments) {
        await().atMost(Duration.ofSeconds(5)).until(() -> log.hasLine(fragments));
    }
}
