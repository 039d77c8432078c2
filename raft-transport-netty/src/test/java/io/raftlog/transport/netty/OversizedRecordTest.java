package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.storage.InMemoryLogStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A record whose AppendEntries cannot fit a peer frame would stall the cluster for good: the
 * leader resends it forever, heartbeats still fit, so it is never replaced (review F1). An
 * embedded node refuses it at append, definitely; and a node whose append size limit does not fit
 * its transport's frame refuses to start. The limit holds between any two members, whatever ids
 * join later: it counts ids of the longest length allowed. Real RaftNodes over NettyTransport with
 * 2 MiB frames.
 */
class OversizedRecordTest {
    private static final int FRAME = 2 << 20;
    private static final NodeId LONGEST = NodeId.of("x".repeat(NodeId.MAX_LENGTH));

    @Test
    void anEmbeddedAppendOfARecordNoFollowerCouldReceiveFailsAtOnceAndTheClusterGoesOn() throws Exception {
        try (LoopbackRaftCluster cluster = new LoopbackRaftCluster(
                List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c")), config -> config.withMaxFrameBytes(FRAME))) {
            RaftNode leader = cluster.nodes.get(cluster.awaitLeader(Duration.ofSeconds(20)));
            long largest = leader.maxRecordBytes();
            assertThat(largest)
                    .as("the frame less its 2 header bytes and an AppendEntries' framing between 64-character ids")
                    .isEqualTo(FRAME - 199L);
            long lastIndex = leader.status().lastIndex();

            CompletableFuture<Long> tooLarge = leader.append(Bytes.copyOf(new byte[(int) largest + 1]));

            assertThat(tooLarge).as("refused before it reaches the log").isCompletedExceptionally();
            assertThat(Futures.failure(tooLarge))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("larger than the largest this node can replicate, " + largest + " bytes");
            assertThat(leader.status().lastIndex()).isEqualTo(lastIndex);

            // The largest that fits commits and reaches every follower; the cluster is not stuck
            // (on a busy machine leadership may move meanwhile: the append goes to whoever leads).
            long offset = appendOnTheLeader(cluster, Bytes.copyOf(new byte[(int) largest]));
            long next = appendOnTheLeader(cluster, Bytes.ofUtf8("after"));
            assertThat(next).isGreaterThan(offset);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.nodes.values().stream().allMatch(node -> node.commitOffset() >= next));
        }
    }

    private static long appendOnTheLeader(LoopbackRaftCluster cluster, Bytes record) {
        long[] offset = new long[1];
        await().atMost(Duration.ofSeconds(30))
                .ignoreException(java.util.concurrent.ExecutionException.class)
                .until(() -> {
                    RaftNode leader = cluster.nodes.get(cluster.awaitLeader(Duration.ofSeconds(20)));
                    offset[0] = leader.append(record).get(20, TimeUnit.SECONDS);
                    return true;
                });
        return offset[0];
    }

    @Test
    void aNodeWhoseAppendLimitDoesNotFitItsTransportsFrameRefusesToStart() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(a, b));
        NettyTransport transport = new NettyTransport(Loopback.config(a, peers).withMaxFrameBytes(FRAME));
        NodeConfig config = NodeConfig.of(a, List.of(a, b));
        NodeConfig tooLarge = config.withProtocol(config.protocol().withAppendLimits(64, FRAME));
        try {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new RaftNode(tooLarge, new InMemoryLogStore(), transport))
                    .withMessageContaining("maxAppendBytes " + FRAME)
                    .withMessageContaining("exceeds the largest message the transport carries (" + (FRAME - 2));
        } finally {
            transport.close();
        }
    }

    /**
     * The limit was once sized from the longest id the start named; a learner added later with a
     * longer id then needed a larger AppendEntries than the records accepted allowed (review F1).
     */
    @Test
    void theLargestRecordANodeAcceptsFitsAnAppendToAMemberWithTheLongestIdAddedLater() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(a, b));
        NettyTransport transport = new NettyTransport(Loopback.config(a, peers).withMaxFrameBytes(FRAME));
        try {
            RaftNode node = new RaftNode(NodeConfig.of(a, List.of(a, b)), new InMemoryLogStore(), transport);
            long largest = node.maxRecordBytes();

            assertThat(appendEntriesSize(a, LONGEST, largest))
                    .as("an AppendEntries from a to a later-added learner " + LONGEST + " carrying an accepted record")
                    .isLessThanOrEqualTo(transport.maxMessageBytes());
            assertThat(appendEntriesSize(LONGEST, NodeId.of("y".repeat(NodeId.MAX_LENGTH)), largest))
                    .as("between two ids of the longest length it just fits")
                    .isEqualTo(transport.maxMessageBytes());
        } finally {
            transport.close();
        }
    }

    /** A joining node's start list omits its own id, which may be the longest of all (review F1). */
    @Test
    void aJoiningNodeSizesItsLargestRecordForItsOwnIdToo() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(LONGEST, a, b));
        NettyTransport transport =
                new NettyTransport(Loopback.config(LONGEST, peers).withMaxFrameBytes(FRAME));
        try {
            RaftNode node = new RaftNode(NodeConfig.joining(LONGEST, List.of(a, b)), new InMemoryLogStore(), transport);
            long largest = node.maxRecordBytes();

            assertThat(appendEntriesSize(LONGEST, a, largest))
                    .as("the joined node, leading, sends an accepted record to a")
                    .isLessThanOrEqualTo(transport.maxMessageBytes());
            assertThat(largest)
                    .as("the same limit as a node of the start's, and as RaftClient's (16,777,017 at 16 MiB)")
                    .isEqualTo(FRAME - 199L);
        } finally {
            transport.close();
        }
    }

    private static int appendEntriesSize(NodeId from, NodeId to, long payloadBytes) {
        LogEntry entry = LogEntry.data(5, 1, Bytes.copyOf(new byte[(int) payloadBytes]));
        return MessageCodec.encodedSize(new AppendEntriesRequest(from, to, 1, 4, 1, List.of(entry), 4, 0));
    }
}
