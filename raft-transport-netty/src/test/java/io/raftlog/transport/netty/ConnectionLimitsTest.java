package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits that keep one bad client from taking a node down: connections at once, idle clients. */
class ConnectionLimitsTest {
    private static final NodeId A = NodeId.of("a");

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A));
    private NettyTransport node;
    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.start();
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        log.close();
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() {
        node = Loopback.start(A, peers, message -> {}, config -> config.withMaxConnections(2));
        try (RawConnection first = new RawConnection(peers.get(A));
                RawConnection second = new RawConnection(peers.get(A))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.acceptedConnections() == 2);
            try (RawConnection third = new RawConnection(peers.get(A), Duration.ofSeconds(5))) {
                assertThat(third.closedByPeer()).isTrue();
            }
            assertThat(log.hasLine("refusing the connection from", "it already has 2 connections (maxConnections)"))
                    .isTrue();
            assertThat(node.counters()).containsEntry("connections_refused_over_limit", 1L);
            // The two within the limit still work.
            first.send(Hello.client(Loopback.CLUSTER));
            assertThat(first.read()).isEqualTo(new HelloAccepted(A));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> node.acceptedConnections() == 0);
        try (RawConnection again = new RawConnection(peers.get(A))) {
            again.send(Hello.client(Loopback.CLUSTER));
            assertThat(again.read()).as("a slot freed is taken again").isEqualTo(new HelloAccepted(A));
        }
    }

    @Test
    void aClientConnectionOnWhichNothingArrivesIsClosedAfterTheIdleTimeout() {
        node = Loopback.start(A, peers, message -> {}, config -> config.withClientIdleTimeout(Duration.ofMillis(300)));
        try (RawConnection idle = new RawConnection(peers.get(A), Duration.ofSeconds(10))) {
            idle.send(Hello.client(Loopback.CLUSTER));
            assertThat(idle.read()).isEqualTo(new HelloAccepted(A));
            long started = System.nanoTime();
            assertThat(idle.closedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        assertThat(node.counters()).containsEntry("idle_client_connections_closed", 1L);
    }

    @Test
    void aPeerConnectionIsNotTimedOutForBeingIdle() {
        NodeId b = NodeId.of("b");
        Map<NodeId, InetSocketAddress> withB = Loopback.addresses(List.of(A, b));
        node = Loopback.start(A, withB, message -> {}, config -> config.withClientIdleTimeout(Duration.ofMillis(200)));
        try (RawConnection peer = new RawConnection(withB.get(A), Duration.ofSeconds(1))) {
            peer.send(Hello.peer(Loopback.CLUSTER, b, A));
            assertThat(peer.read()).isEqualTo(new HelloAccepted(A));
            assertThat(peer.closedByPeer())
                    .as("still open after 5 client idle timeouts")
                    .isFalse();
        }
    }
}
