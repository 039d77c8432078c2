package io.raftlog.transport.netty.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.api.NodeId;
import io.raftlog.api.RaftException;
import io.raftlog.transport.netty.internal.ClientResponse;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.HelloRejected;
import io.raftlog.transport.netty.internal.Pipelines;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.Tls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RaftClient}'s connection to one node: connects on the first call, shakes hands as a
 * client, then writes each call with a fresh request id and routes answers back by id. Calls
 * submitted before the handshake completes wait here. When the connection closes, every call on
 * it is handed back to the {@link CallRouter} — those already written as "maybe delivered". A
 * written call that is not answered within the attempt timeout (plus a read's {@code maxWait}),
 * on a connection where nothing else arrived for as long either, means the node is dead, hung or
 * cut off without the TCP connection noticing: the connection is then closed, so its calls are
 * retried rather than waiting for their deadline.
 * Confined to the client's event loop.
 */
final class ClientConnection {
    private static final Logger LOG = LoggerFactory.getLogger(RaftClient.class);

    private final CallRouter router;
    private final InetSocketAddress address;
    private final RaftClientConfig config;
    private final Bootstrap bootstrap;
    private final Map<Long, ClientCall> pending = new HashMap<>();
    private final ArrayDeque<ClientCall> waiting = new ArrayDeque<>();
    private Channel channel;
    private boolean ready;
    private NodeId node;
    private Throwable failure;
    /** The node refused our hello: a configuration error that retrying cannot fix. */
    private boolean refused;

    private ScheduledFuture<?> watchdog;
    /** When anything last arrived on the connection (System.nanoTime). */
    private long lastReadNanos;

    ClientConnection(
            CallRouter router,
            InetSocketAddress address,
            RaftClientConfig config,
            Bootstrap template,
            java.util.function.Supplier<SslContext> tls) {
        this.router = router;
        this.address = address;
        this.config = config;
        this.bootstrap = template.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                Pipelines.framing(ch.pipeline(), config.maxFrameBytes()).addLast("client", new Handler());
                if (tls != null) {
                    Tls.dialWith(tls.get(), ch, address); // the context current now: rotated files apply
                }
            }
        });
    }

    InetSocketAddress address() {
        return address;
    }

    /** The node's id once it accepted the handshake, else null. */
    NodeId node() {
        return node;
    }

    void submit(ClientCall call) {
        call.connection = this;
        if (ready) {
            write(call);
            return;
        }
        waiting.add(call);
        if (channel == null) {
            connect();
        }
    }

    /** Stops tracking {@code call}; true if it had been written (its outcome is then unknown). */
    boolean forget(ClientCall call) {
        if (pending.remove(call.requestId, call)) {
            return true;
        }
        waiting.remove(call);
        return false;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private void connect() {
        ChannelFuture future = bootstrap.connect(address);
        Channel ch = future.channel();
        channel = ch;
        // Bootstrap closes a channel whose connect failed from a listener of its own, added before
        // this one: watch for the close only once the connect is decided, or the close is handled
        // before the cause is known (and a refused connection is reported as merely closed).
        future.addListener(done -> {
            if (!done.isSuccess()) {
                failure = done.cause();
            }
            ch.closeFuture().addListener(closed -> onClosed());
        });
    }

    private void write(ClientCall call) {
        long id = router.nextRequestId();
        call.requestId = id;
        call.attemptDeadlineNanos = System.nanoTime() + config.attemptTimeout().toNanos() + call.answerAllowanceNanos();
        pending.put(id, call);
        channel.writeAndFlush(call.request(id), channel.voidPromise());
    }

    private void onAccepted(NodeId accepted) {
        node = accepted;
        ready = true;
        router.accepted(this, accepted);
        lastReadNanos = System.nanoTime();
        long period = Math.max(
                TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(config.attemptTimeout().toNanos() / 4, TimeUnit.SECONDS.toNanos(1)));
        watchdog = channel.eventLoop()
                .scheduleAtFixedRate(this::closeIfAnAnswerIsOverdue, period, period, TimeUnit.NANOSECONDS);
        while (!waiting.isEmpty()) {
            write(waiting.poll());
        }
    }

    /**
     * Closes the connection if a written call has waited past its attempt deadline and nothing at
     * all has arrived on it for an attempt timeout: a node that still answers other calls is alive
     * (only slow on this one, which keeps its own deadline), and closing would fail every call on
     * the connection.
     */
    private void closeIfAnAnswerIsOverdue() {
        long now = System.nanoTime();
        if (now - lastReadNanos < config.attemptTimeout().toNanos()) {
            return;
        }
        for (ClientCall call : pending.values()) {
            if (now - call.attemptDeadlineNanos > 0) {
                long millis = config.attemptTimeout().toMillis();
                LOG.info(
                        "node {} at {} sent nothing for the attempt timeout of {} ms with calls waiting; reconnecting",
                        node,
                        address,
                        millis);
                failure = new RaftException("no answer within the attempt timeout of " + millis + " ms");
                channel.close();
                return;
            }
        }
    }

    private void onClosed() {
        ready = false;
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        router.connectionClosed(this);
        RaftException cause = refused
                ? (RaftException) failure
                : new RaftException(describe(address, node, failure, config), failure);
        List<ClientCall> notSent = new ArrayList<>(waiting);
        List<ClientCall> sent = new ArrayList<>(pending.values());
        waiting.clear();
        pending.clear();
        notSent.forEach(call -> router.onAttemptFailed(call, cause, false, refused));
        sent.forEach(call -> router.onAttemptFailed(call, cause, true, refused));
    }

    /**
     * Why the connection to {@code address} ended, in words a user can act on: refused (nothing
     * listens there), timed out, reset or closed by the other end, or else {@code failure}'s own
     * message. {@code node} is the node's id once it accepted the handshake, else null; a null
     * {@code failure} means the other end closed the connection.
     */
    static String describe(InetSocketAddress address, NodeId node, Throwable failure, RaftClientConfig config) {
        String connection = "connection to " + (node == null ? "" : "node " + node + " at ") + address.getHostString()
                + ":" + address.getPort();
        if (failure == null) {
            return connection + " was closed by the other end";
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        if (failure instanceof ConnectTimeoutException) {
            return connection + " timed out after " + config.connectTimeout().toMillis() + " ms";
        }
        if (failure instanceof ConnectException
                && message.toLowerCase(Locale.ROOT).contains("refused")) {
            return connection + " refused (is a node listening there?)";
        }
        if (failure instanceof IOException && message.toLowerCase(Locale.ROOT).contains("reset")) {
            return connection + " was reset by the other end";
        }
        return connection + " failed: "
                + (message.isEmpty() ? failure.getClass().getSimpleName() : message);
    }

    /** The pipeline's last handler: handshake, then responses. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private ScheduledFuture<?> timeout;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Hello.client(config.clusterId()));
            long millis = config.connectTimeout().toMillis();
            timeout = ctx.executor()
                    .schedule(
                            () -> {
                                failure = new RaftException("no answer to the hello within " + millis + " ms");
                                ctx.close();
                            },
                            millis,
                            TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastReadNanos = System.nanoTime();
            if (msg instanceof ClientResponse response && ready) {
                ClientCall call = pending.remove(response.requestId());
                if (call != null) {
                    router.onResponse(call, response);
                }
            } else if (msg instanceof HelloAccepted accepted && !ready) {
                cancelTimeout();
                onAccepted(accepted.node());
            } else if (msg instanceof HelloRejected rejected && !ready) {
                cancelTimeout();
                LOG.warn("node at {} refused the client ({}): {}", address, rejected.reason(), rejected.detail());
                failure = new RaftException("refused by the node: " + rejected.detail());
                refused = true;
                ctx.close();
            } else {
                throw new ProtocolException("unexpected " + msg.getClass().getSimpleName() + " from the node");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancelTimeout();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cancelTimeout();
            failure = cause;
            String tls = Tls.describeFailure(cause);
            if (tls != null) {
                LOG.warn("TLS to node at {} failed: {}", address, tls);
            } else {
                LOG.debug("connection to {} failed", address, cause);
            }
            ctx.close();
        }

        private void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
                timeout = null;
            }
        }
    }
}
