package io.raftlog.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.transport.netty.internal.FrameDecoder;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.RaftFrame;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a peer's messages after its handshake and hands them to the node. A message whose
 * sender is not the peer that shook hands, or whose addressee is not this node, is dropped and
 * counted: a transport never delivers a message to the wrong node. Any other frame breaks the
 * protocol and closes the connection. Runs on the channel's event loop.
 */
final class InboundPeerHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.RaftMessageSink {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final NettyTransport transport;
    private final NodeId peer;
    private boolean warnedMisrouted;

    /** Messages and bytes received from this peer: looked up once per connection. */
    private LongAdder[] received;
    /** Received since the counters were last updated: added once per read burst, not per message. */
    private long pendingMessages;

    private long pendingBytes;
    /** The id instances of the last message that passed the routing check. */
    private NodeId checkedFrom;

    private NodeId checkedTo;

    InboundPeerHandler(NettyTransport transport, NodeId peer) {
        this.transport = transport;
        this.peer = peer;
    }

    /** Raft frames arrive through {@link #onRaftMessage}; anything else breaks the protocol. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RaftFrame frame) {
            onRaftMessage(frame.message(), Integer.BYTES + frame.frameLength());
            return;
        }
        throw new ProtocolException("a peer connection carries only raft messages, got a "
                + msg.getClass().getSimpleName());
    }

    @Override
    public void onRaftMessage(RaftMessage message, int frameBytes) {
        // Decoded ids are the instances the codec remembered: once one has been checked equal, the
        // same instance is accepted again without comparing strings.
        NodeId from = message.from();
        NodeId to = message.to();
        if (from != checkedFrom || to != checkedTo) {
            if (!from.equals(peer) || !to.equals(transport.self())) {
                misrouted(from, to);
                return;
            }
            checkedFrom = from;
            checkedTo = to;
        }
        pendingMessages++;
        pendingBytes += frameBytes;
        transport.deliver(message);
    }

    private void misrouted(NodeId from, NodeId to) {
        transport.misroutedMessages().increment();
        if (!warnedMisrouted) {
            warnedMisrouted = true;
            transport
                    .warnings()
                    .warn(
                            "dropping a message from {} to {} that arrived on the connection of peer {} to {}",
                            from,
                            to,
                            peer,
                            transport.self());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        publishCounts();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        publishCounts();
        ctx.fireChannelInactive();
    }

    private void publishCounts() {
        if (pendingMessages == 0) {
            return;
        }
        LongAdder[] counters = received;
        if (counters == null) {
            counters = received = transport.receivedCounters(peer);
        }
        counters[0].add(pendingMessages);
        counters[1].add(pendingBytes);
        pendingMessages = 0;
        pendingBytes = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.close(
                ctx, cause, LOG, transport.warnings(), "inbound peer " + peer, transport.protocolErrorCounter());
    }
}
