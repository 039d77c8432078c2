package io.raftlog.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.HelloRejected;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.Tls;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a connection this node opened to a peer: sends the hello, waits for the answer
 * and tells the {@link PeerLink}; relays writability changes so the link resumes draining. The
 * peer answers nothing after the hello, so any later frame breaks the protocol. Runs on the
 * link's event loop.
 */
final class OutboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final PeerLink link;
    private ScheduledFuture<?> timeout;
    private boolean accepted;
    private boolean failed;

    OutboundPeerHandler(PeerLink link) {
        this.link = link;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Hello.peer(link.clusterId(), link.self(), link.peer()));
        long millis = link.connectTimeout().toMillis();
        timeout = ctx.executor()
                .schedule(
                        () -> {
                            link.failure("no answer to the hello within " + millis + " ms");
                            ctx.close();
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!accepted && msg instanceof HelloAccepted hello) {
            cancelTimeout();
            accepted = true;
            String misnamed = link.tlsEnabled() ? certificateMismatch(ctx) : null;
            if (misnamed != null) {
                link.tlsRefusals().increment();
                link.warnings()
                        .warn(
                                "refused TLS on the connection to peer {} at {}: {}",
                                link.peer(),
                                ctx.channel().remoteAddress(),
                                misnamed);
                // This node refuses the peer, not the reverse: not a refusal of this node's
                // configuration (an impostor at a peer's address must not make this node exit).
                link.failure(misnamed);
                ctx.close();
                return;
            }
            link.onAccepted(ctx.channel(), hello.node());
        } else if (!accepted && msg instanceof HelloRejected rejected) {
            cancelTimeout();
            LOG.warn(
                    "peer {} at {} refused our connection ({}): {}",
                    link.peer(),
                    ctx.channel().remoteAddress(),
                    rejected.reason(),
                    rejected.detail());
            link.failure("refused: " + rejected.detail());
            link.refused(rejected.reason() + ": " + rejected.detail());
            ctx.close();
        } else {
            throw new ProtocolException("unexpected " + msg.getClass().getSimpleName() + " from the peer");
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            link.onWritable(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Why the certificate the peer showed does not prove it is the peer dialled, or null if it does. */
    private String certificateMismatch(ChannelHandlerContext ctx) {
        java.util.List<String> named =
                Tls.session(ctx.channel()).map(Tls::nodeIds).orElse(java.util.List.of());
        if (named.contains(link.peer().value())) {
            return null;
        }
        return "the node at " + ctx.channel().remoteAddress() + " showed a certificate that names "
                + (named.isEmpty() ? "no node" : "node " + String.join(", ", named)) + ", not peer '" + link.peer()
                + "' (subjectAltName URI " + Tls.NODE_URI_PREFIX + link.peer() + ")";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cancelTimeout();
        if (failed) {
            return; // one report per connection: a failed TLS handshake may raise more than once
        }
        failed = true;
        String tls = Tls.describeFailure(cause);
        link.failure(tls != null ? "TLS: " + tls : cause.toString());
        if (ConnectionErrors.closeIfTls(
                ctx, cause, link.warnings(), "the outbound peer " + link.peer(), link.tlsRefusals())) {
            return;
        }
        ConnectionErrors.close(ctx, cause, LOG, link.warnings(), "outbound peer " + link.peer(), link.protocolErrors());
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
