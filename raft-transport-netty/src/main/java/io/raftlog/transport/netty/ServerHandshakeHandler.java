package io.raftlog.transport.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.api.NodeId;
import io.raftlog.transport.netty.internal.FrameDecoder;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.HelloRejected;
import io.raftlog.transport.netty.internal.HelloRejected.Reason;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.Tls;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of an accepted connection: waits for the {@link Hello}, checks it, answers,
 * and replaces itself with the handler for a peer or a client. A connection that sends anything
 * else first, or nothing within the connect timeout, is closed. Runs on the channel's event loop.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final NettyTransport transport;
    private ScheduledFuture<?> timeout;
    /** A hello was refused: the connection is closing, and whatever else arrives is ignored. */
    private boolean refused;

    ServerHandshakeHandler(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long millis = transport.config().connectTimeout().toMillis();
        timeout = ctx.executor()
                .schedule(
                        () -> {
                            transport
                                    .warnings()
                                    .warn(
                                            "closing connection {}: no hello within {} ms",
                                            ctx.channel().remoteAddress(),
                                            millis);
                            transport.protocolErrorCounter().increment();
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
        cancelTimeout();
        if (refused) {
            return;
        }
        if (!(msg instanceof Hello hello)) {
            throw new ProtocolException("expected a hello but the first frame is a "
                    + msg.getClass().getSimpleName());
        }
        HelloRejected rejection = check(hello, Tls.session(ctx.channel()));
        if (rejection != null) {
            refused = true;
            transport.rejectedConnectionCounter().increment();
            transport
                    .warnings()
                    .warn(
                            "refused {} connection from {}: {}",
                            hello.role().name().toLowerCase(java.util.Locale.ROOT),
                            ctx.channel().remoteAddress(),
                            rejection.detail());
            ctx.writeAndFlush(rejection).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(new HelloAccepted(transport.self()));
        if (hello.role() == Hello.Role.PEER) {
            NodeId peer = hello.from().orElseThrow();
            LOG.debug("accepted peer {} from {}", peer, ctx.channel().remoteAddress());
            InboundPeerHandler handler = new InboundPeerHandler(transport, peer);
            ctx.pipeline().replace(this, "peer", handler);
            // Raft frames after the hello go straight from the decoder to the handler.
            ctx.pipeline().get(FrameDecoder.class).deliverRaftMessagesTo(handler);
        } else {
            LOG.debug("accepted client from {}", ctx.channel().remoteAddress());
            String principal = Tls.session(ctx.channel())
                    .map(Tls::clientPrincipals)
                    .filter(names -> !names.isEmpty())
                    .map(names -> names.get(0))
                    .orElse(null);
            ctx.pipeline().replace(this, "client", new ClientRequestHandler(transport, principal));
            long idleMillis = transport.config().clientIdleTimeout().toMillis();
            ctx.pipeline()
                    .addBefore(
                            "client",
                            "idle",
                            new io.netty.handler.timeout.IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
    }

    /** The rejection for {@code hello}, or null if it is acceptable. */
    private HelloRejected check(Hello hello, java.util.Optional<javax.net.ssl.SSLSession> session) {
        String clusterId = transport.config().clusterId();
        if (!hello.clusterId().equals(clusterId)) {
            return new HelloRejected(
                    Reason.WRONG_CLUSTER,
                    "cluster id '" + hello.clusterId() + "' does not match this node's cluster '" + clusterId + "'");
        }
        NodeId self = transport.self();
        if (hello.role() == Hello.Role.CLIENT) {
            return hello.from().isEmpty() && hello.to().isEmpty()
                    ? null
                    : new HelloRejected(Reason.BAD_HELLO, "a client hello must not name nodes");
        }
        if (hello.from().isEmpty() || hello.to().isEmpty()) {
            return new HelloRejected(Reason.BAD_HELLO, "a peer hello must name its sender and its target");
        }
        NodeId from = hello.from().get();
        if (from.equals(self) || !transport.knowsPeer(from)) {
            return new HelloRejected(
                    Reason.UNKNOWN_NODE,
                    "node '" + from + "' is not a peer of node '" + self + "' in cluster '" + clusterId + "'");
        }
        if (!hello.to().get().equals(self)) {
            return new HelloRejected(
                    Reason.WRONG_TARGET,
                    "peer '" + from + "' expected node '" + hello.to().get() + "' but reached node '" + self + "'");
        }
        return session.map(tls -> checkPeerCertificate(from, tls)).orElse(null);
    }

    /** A peer on TLS must show a certificate that names the node id it claims. */
    private HelloRejected checkPeerCertificate(NodeId claimed, javax.net.ssl.SSLSession tls) {
        if (!Tls.presentedCertificate(tls)) {
            transport.tlsRefusalCounter().increment();
            return new HelloRejected(
                    Reason.UNAUTHENTICATED,
                    // In TLS 1.3 with client certificates asked for (not required: clients share the
                    // port), a certificate no trusted CA signed is dropped: it ends up here as none.
                    "peer '" + claimed + "' presented no certificate signed by a CA this node trusts: peers must"
                            + " authenticate with a certificate of the cluster's CA that names them (subjectAltName URI "
                            + Tls.NODE_URI_PREFIX + claimed + ")");
        }
        java.util.List<String> named = Tls.nodeIds(tls);
        if (!named.contains(claimed.value())) {
            transport.tlsRefusalCounter().increment();
            return new HelloRejected(
                    Reason.UNAUTHENTICATED,
                    "peer claims to be '" + claimed + "' but its certificate names "
                            + (named.isEmpty()
                                    ? "no node (no subjectAltName URI " + Tls.NODE_URI_PREFIX + "<id>)"
                                    : "node " + String.join(", ", named))
                            + "");
        }
        return null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cancelTimeout();
        if (refused) {
            return; // already closing after the refusal
        }
        refused = true; // one report per connection: a failed TLS handshake may raise more than once
        if (ConnectionErrors.closeIfTls(
                ctx, cause, transport.warnings(), "an accepted", transport.tlsRefusalCounter())) {
            return;
        }
        ConnectionErrors.close(ctx, cause, LOG, transport.warnings(), "unidentified", transport.protocolErrorCounter());
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
