package io.raftlog.transport.netty;

import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
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
final class InboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final NettyTransport transport;
    private final NodeId peer;
    private boolean warnedMisrouted;

    /** Messages and bytes received from this peer: looked up once per connection. */
    private LongAdder[] received;

    InboundPeerHandler(NettyTransport transport, NodeId peer) {
        this.transport = transport;
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RaftFrame frame)) {
            throw new ProtocolException("a peer connection carries only raft messages, got a "
                    + msg.getClass().getSimpleName());
        }
        RaftMessage message = frame.message();
        if (!message.from().equals(peer) || !message.to().equals(transport.self())) {
            transport.misroutedMessages().increment();
            if (!warnedMisrouted) {
                warnedMisrouted = true;
                transport.warnings().warn("dropping a message from {} to {} that arrived on the connection of peer {} to {}",
                        message.from(), message.to(), peer, transport.self());
            }
            return;
        }
        LongAdder[] counters = received;
        if (counters == null) {
            counters = received = transport.receivedCounters(peer);
        }
        counters[0].increment();
        counters[1].add(Integer.BYTES + frame.frameLength());
        transport.deliver(message);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.close(ctx, cause, LOG, transport.warnings(), "inbound peer " + peer, transport.protocolErrorCounter());
    }
}
