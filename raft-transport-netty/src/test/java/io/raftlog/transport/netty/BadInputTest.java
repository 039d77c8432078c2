package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.ErrorResponse.Code;
import io.raftlog.transport.netty.internal.Frame;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.RaftFrame;
import io.raftlog.transport.netty.internal.ReadIndexRequest;
import io.raftlog.transport.netty.internal.ReadIndexResponse;
import io.raftlog.transport.netty.internal.ReadRequest;
import io.raftlog.transport.netty.internal.ReadResponse;
import io.raftlog.transport.netty.internal.StatusRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input closes the offending connection only: a live pair of nodes keeps exchanging messages
 * while each kind of bad frame is thrown at one of them, and the reason is logged. A request that
 * decodes but cannot be served (an unknown read consistency) is answered with an error instead,
 * and the connection serves on.
 */
class BadInputTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int MAX_FRAME = 4096;

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
    private final Queue<RaftMessage> atA = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private NettyTransport a;
    private NettyTransport b;
    private LogCapture log;

    @BeforeEach
    void startPair() {
        log = LogCapture.start();
        a = Loopback.start(A, peers, atA::add, config -> config.withMaxFrameBytes(MAX_FRAME));
        b = Loopback.start(B, peers, message -> {}, config -> config.withMaxFrameBytes(MAX_FRAME));
        assertPeerTrafficFlows();
    }

    @AfterEach
    void stopPair() {
        a.close();
        b.close();
        log.close();
    }

    @Test
    void anOversizeFrameClosesThatConnectionOnly() {
        try (RawConnection bad = helloAsClient()) {
            assertThat(bad.tryWrite(Unpooled.buffer().writeInt(MAX_FRAME + 1).array()))
                    .isTrue();
            assertThat(bad.closedByPeer()).isTrue();
        }
        awaitLogged(
                "closing client connection",
                "frame length " + (MAX_FRAME + 1) + " exceeds the maximum of " + MAX_FRAME + " bytes");
        assertPeerTrafficFlows();
    }

    @Test
    void aWrongVersionClosesThatConnectionOnly() {
        byte[] frame = RawConnection.bytes(Hello.client(Loopback.CLUSTER));
        frame[4] = 7;
        try (RawConnection bad = new RawConnection(peers.get(A))) {
            bad.write(frame);
            assertThat(bad.closedByPeer()).isTrue();
        }
        awaitLogged("closing unidentified connection", "unsupported protocol version 7");
        assertPeerTrafficFlows();
    }

    @Test
    void garbageClosesThatConnectionOnly() {
        try (RawConnection bad = new RawConnection(peers.get(A))) {
            bad.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(bad.closedByPeer()).isTrue();
        }
        // "GET " read as a big-endian length is 1195725856, far above the maximum.
        awaitLogged("closing unidentified connection", "frame length 1195725856 exceeds the maximum");
        assertPeerTrafficFlows();
    }

    @Test
    void aMalformedRaftMessageFromAPeerClosesThatConnectionOnly() {
        try (RawConnection bad = new RawConnection(peers.get(A))) {
            bad.send(Hello.peer(Loopback.CLUSTER, B, A));
            assertThat(bad.read()).isEqualTo(new HelloAccepted(A));
            byte[] frame = RawConnection.bytes(RaftFrame.of(new TimeoutNow(B, A, 1)));
            frame[Frame.HEADER_BYTES + 1] = 42; // the raft message type
            bad.write(frame);
            assertThat(bad.closedByPeer()).isTrue();
        }
        awaitLogged("closing inbound peer b connection", "malformed raft message: unknown message type 42");
        assertPeerTrafficFlows();
    }

    @Test
    void aRequestOnAPeerConnectionAndAMessageOnAClientConnectionAreRefused() {
        try (RawConnection peer = new RawConnection(peers.get(A))) {
            peer.send(Hello.peer(Loopback.CLUSTER, B, A));
            peer.read();
            peer.send(new StatusRequest(1));
            assertThat(peer.closedByPeer()).isTrue();
        }
        awaitLogged(
                "closing inbound peer b connection",
                "a peer connection carries only raft messages, got a StatusRequest");
        try (RawConnection client = helloAsClient()) {
            client.send(RaftFrame.of(new TimeoutNow(B, A, 1)));
            assertThat(client.closedByPeer()).isTrue();
        }
        awaitLogged("closing client connection", "a client connection carries only requests, got a RaftFrame");
        assertThat(atA).noneMatch(message -> message instanceof TimeoutNow);
        assertPeerTrafficFlows();
    }

    @Test
    void aMessageForAnotherNodeOnAPeerConnectionIsDroppedNotDelivered() {
        try (RawConnection peer = new RawConnection(peers.get(A))) {
            peer.send(Hello.peer(Loopback.CLUSTER, B, A));
            peer.read();
            peer.send(RaftFrame.of(new TimeoutNow(B, NodeId.of("elsewhere"), 1)));
            peer.send(RaftFrame.of(new TimeoutNow(NodeId.of("spoofed"), A, 1)));
            awaitLogged("dropping a message from b to elsewhere that arrived on the connection of peer b to a");
        }
        assertThat(atA).noneMatch(message -> message instanceof TimeoutNow);
        assertPeerTrafficFlows();
    }

    @Test
    void anOutboundMessageLargerThanTheMaximumFrameIsDroppedAndCounted() {
        byte[] payload = new byte[MAX_FRAME];
        b.send(new AppendEntriesRequest(B, A, 1, 0, 0, List.of(LogEntry.data(1, 1, Bytes.copyOf(payload))), 0));
        awaitLogged("dropping a AppendEntriesRequest to a", "exceed the maximum frame of " + MAX_FRAME + " bytes");
        assertThat(b.droppedMessages(A)).isEqualTo(1);
        assertPeerTrafficFlows();
    }

    @Test
    void aReadOfAnUnknownConsistencyIsAnsweredWithAnErrorSayingSoAndTheConnectionServesOn() {
        try (FakeCluster log = new FakeCluster(A)) {
            a.serveClients(log.node(A));
            try (RawConnection client = helloAsClient()) {
                client.send(new ReadRequest(1, 1, 10, 0, 9));
                assertThat(client.read())
                        .isEqualTo(ErrorResponse.of(
                                1,
                                Code.MALFORMED,
                                "unknown read consistency 9 (this node knows 0 for COMMITTED and 1 for LINEARIZABLE)"));

                client.send(ReadRequest.of(2, 1, 10, 0, ReadConsistency.LINEARIZABLE));
                assertThat(client.read()).isEqualTo(new ReadResponse(2, List.of()));
                client.send(new ReadIndexRequest(3));
                assertThat(client.read()).isEqualTo(new ReadIndexResponse(3, 0));
            }
        }
        assertPeerTrafficFlows();
    }

    @Test
    void aReadIndexTheNodeCannotConfirmIsAnsweredNotLeaderWithTheHint() {
        try (FakeCluster log = new FakeCluster(A)) {
            log.refuseLinearizableReads(A, java.util.Optional.of(B));
            a.serveClients(log.node(A));
            try (RawConnection client = helloAsClient()) {
                client.send(new ReadIndexRequest(4));
                ErrorResponse refused = (ErrorResponse) client.read();

                assertThat(refused.requestId()).isEqualTo(4);
                assertThat(refused.code()).isEqualTo(Code.NOT_LEADER);
                assertThat(refused.leader()).contains(B);
                assertThat(refused.leaderAddress().orElseThrow().getPort())
                        .isEqualTo(peers.get(B).getPort());
                assertThat(refused.message()).contains("could not confirm a leader for a linearizable read");
            }
        }
    }

    private RawConnection helloAsClient() {
        RawConnection connection = new RawConnection(peers.get(A));
        connection.send(Hello.client(Loopback.CLUSTER));
        assertThat(connection.read()).isEqualTo(new HelloAccepted(A));
        return connection;
    }

    /** B's next message reaches A: A still serves its peer. */
    private void assertPeerTrafficFlows() {
        long next = sequence.incrementAndGet();
        b.send(new AppendEntriesRequest(B, A, 1, next, 0, List.of(), 0));
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        atA.stream().anyMatch(m -> m instanceof AppendEntriesRequest r && r.prevLogIndex() == next));
    }

    private void awaitLogged(String... fragments) {
        await().atMost(Duration.ofSeconds(5)).until(() -> log.hasLine(fragments));
    }
}
