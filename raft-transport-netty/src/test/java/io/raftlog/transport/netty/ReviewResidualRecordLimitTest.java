package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review F1 residual: NodeLoop.checkMessageLimits sizes the record limit from the longest id in
 * NodeConfig.members() (bootstrap list; for JOIN it excludes the node itself) once, at
 * construction. A member added later (addLearner) with a longer id, or a JOIN node with a longer
 * id that later leads, needs a larger AppendEntries than the limit allows for.
 */
class ReviewResidualRecordLimitTest {
    private static final int FRAME = 2 << 20;
    private static final NodeId LONG = NodeId.of("x".repeat(64));

    @Test
    void aRecordAcceptedAtTheLimitFitsAnAppendToAMemberWithALongerIdAddedLater() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(a, b));
        NettyTransport transport = new NettyTransport(Loopback.config(a, peers).withMaxFrameBytes(FRAME));
        try {
            RaftNode node = new RaftNode(NodeConfig.of(a, List.of(a, b)), new InMemoryLogStore(), transport);
            long largest = node.maxRecordBytes();
            LogEntry entry = LogEntry.data(5, 1, Bytes.copyOf(new byte[(int) largest]));
            int toLongLearner = MessageCodec.encodedSize(new AppendEntriesRequest(a, LONG, 1, 4, 1, List.of(entry), 4, 0));
            assertThat(toLongLearner)
                    .as("an AppendEntries from a to a later-added learner " + LONG + " carrying an accepted record")
                    .isLessThanOrEqualTo(transport.maxMessageBytes());
        } finally {
            transport.close();
        }
    }

    @Test
    void aJoiningNodeWithALongerIdAcceptsRecordsItCouldNotSendAsLeader() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        Map<NodeId, java.net.InetSocketAddress> peers = Loopback.addresses(List.of(LONG, a, b));
        NettyTransport transport = new NettyTransport(Loopback.config(LONG, peers).withMaxFrameBytes(FRAME));
        try {
            RaftNode node = new RaftNode(NodeConfig.joining(LONG, List.of(a, b)), new InMemoryLogStore(), transport);
            long largest = node.maxRecordBytes();
            LogEntry entry = LogEntry.data(5, 1, Bytes.copyOf(new byte[(int) largest]));
            int asLeader = MessageCodec.encodedSize(new AppendEntriesRequest(LONG, a, 1, 4, 1, List.of(entry), 4, 0));
            assertThat(asLeader)
                    .as("the joined node, leading, sends an accepted record to a")
                    .isLessThanOrEqualTo(transport.maxMessageBytes());
        } finally {
            transport.close();
        }
    }
}
