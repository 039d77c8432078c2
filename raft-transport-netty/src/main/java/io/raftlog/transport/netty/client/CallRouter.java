package io.raftlog.transport.netty.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.RaftException;
import io.raftlog.api.UnknownSequenceException;
import io.raftlog.transport.netty.internal.Backoff;
import io.raftlog.transport.netty.internal.ClientResponse;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.StatusResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a {@link RaftClient}'s calls go, and what happens when an attempt fails: follows
 * {@code NOT_LEADER} redirects to the leader (at once for the first few hops), retries with
 * capped exponential back-off while there is no leader or a node is overloaded, unreachable or
 * unsure of a write's outcome — appends always with the same producer id and sequence, so a
 * retry never duplicates; a deletion is idempotent by itself — and fails each call at its
 * deadline with an exception that says what the caller may rely on. Definite refusals (an
 * invalid request, a read below the log start) fail at once. Confined to the client's event loop.
 *
 * <p>{@link Routes} picks the node for each attempt. A linearizable call (a linearizable read, a
 * read index) may be served by any node; one that refuses it as not leader (it could not get a
 * leader to confirm the read: cut off from a majority, or an election) is skipped for the rest
 * of the call, which moves at once to the leader it hinted or to the next seed — the first round
 * of nodes without back-off.
 */
final class CallRouter {
    /** Redirects a call follows without back-off; more mean leadership is moving, so back off. */
    private static final int IMMEDIATE_REDIRECTS = 3;

    private final RaftClientConfig config;
    private final EventLoop loop;
    private final Bootstrap template;
    /** TLS to the nodes, or null for plain TCP. */
    /** The TLS context current for new connections; null for plain TCP. */
    private final java.util.function.Supplier<SslContext> tls;

    private final Backoff backoff;
    private final Runnable onSlotFreed;
    private final Map<String, ClientConnection> connections = new HashMap<>();
    private final Set<ClientCall> active = new HashSet<>();
    private final Routes routes;
    private long nextRequestId = 1;
    private boolean closed;

    CallRouter(
            RaftClientConfig config,
            EventLoop loop,
            Bootstrap template,
            java.util.function.Supplier<SslContext> tls,
            Runnable onSlotFreed) {
        this.tls = tls;
        this.config = config;
        this.loop = loop;
        this.template = template;
        this.backoff = new Backoff(config.retryBackoffMin(), config.retryBackoffMax());
        this.onSlotFreed = onSlotFreed;
        this.routes = new Routes(config.seeds());
    }

    long nextRequestId() {
        return nextRequestId++;
    }

    /** Starts {@code call}; it holds one of the client's request slots until it finishes. */
    void submit(ClientCall call) {
        if (closed) {
            finish(call, new NodeClosedException("the client is closed"));
            return;
        }
        active.add(call);
        call.deadlineTimer =
                loop.schedule(() -> expire(call), call.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        dispatch(call);
    }

    /** Appends that overtook an earlier batch of their producer and wait for it to be answered. */
    private final List<ClientCall> parked = new ArrayList<>();

    private void dispatch(ClientCall call) {
        if (call.done) {
            return;
        }
        InetSocketAddress chosen = call.pinned != null ? call.pinned : routes.target(call);
        connections
                .computeIfAbsent(key(chosen), unused -> new ClientConnection(this, chosen, config, template, tls))
                .submit(call);
    }

    /** {@code connection} shook hands with {@code node}. */
    void accepted(ClientConnection connection, NodeId node) {
        routes.accepted(connection.address(), node);
    }

    void onResponse(ClientCall call, ClientResponse response) {
        ClientConnection connection = call.connection;
        call.connection = null;
        if (call.done) {
            return;
        }
        if (response instanceof ErrorResponse error) {
            onError(call, error, connection);
            return;
        }
        try {
            call.validate(response);
        } catch (ProtocolException e) {
            finish(
                    call,
                    call.isWrite()
                            ? new IndeterminateResultException("bad answer from the node: " + e.getMessage(), e)
                            : new RaftException("bad answer from the node: " + e.getMessage(), e));
            return;
        }
        routes.served(
                call,
                connection.address(),
                response instanceof StatusResponse status ? Optional.of(status.status()) : Optional.empty());
        finish(call, null);
        call.complete(response);
    }

    private void onError(ClientCall call, ErrorResponse error, ClientConnection connection) {
        String message = error.message();
        String node = describe(connection);
        switch (error.code()) {
            case NOT_LEADER -> {
                NodeId refusing = connection.node() == null ? NodeId.of("unknown") : connection.node();
                call.noteError(node, new NotLeaderException(refusing, error.leader(), message));
                if (call.isLinearizable()) {
                    call.refusedBy.add(Routes.key(connection.address()));
                }
                boolean hinted = routes.notLeader(connection.address(), error.leader(), error.leaderAddress())
                        .isPresent();
                if (hinted) {
                    if (call.pinned == null && call.redirects++ < IMMEDIATE_REDIRECTS) {
                        dispatch(call);
                        return;
                    }
                } else if (call.isLinearizable() && call.pinned == null && routes.untriedSeedLeft(call)) {
                    // Any node may serve it: ask the next one now, it may have a leader to confirm it.
                    dispatch(call);
                    return;
                }
            }
            case OVERLOADED -> call.noteError(node, new OverloadedException(message));
            case INDETERMINATE, TIMEOUT -> {
                call.maybeDelivered |= call.isWrite();
                call.noteError(node, new IndeterminateResultException(message));
            }
            case CLOSED -> {
                call.noteError(node, new NodeClosedException(message));
                routes.forget(connection.address());
            }
            case UNAVAILABLE -> {
                call.noteError(node, new RaftException(message));
                routes.forget(connection.address());
            }
            case OUT_OF_ORDER_SEQUENCE -> {
                // Expected while an earlier batch of this producer is still on its way (a retry of
                // it was overtaken); a gap for good once every earlier batch is resolved.
                call.noteError(node, new OutOfOrderSequenceException(message));
                if (!(call instanceof ClientCall.Append append && append.waitsForEarlierBatch())) {
                    if (!call.resentAfterGap && call instanceof ClientCall.Append) {
                        // The earlier batch was answered after the node refused this one: try again now.
                        call.resentAfterGap = true;
                        dispatch(call);
                        return;
                    }
                    finish(call, call.maybeDelivered ? new IndeterminateResultException(message) : call.lastError);
                    return;
                }
                // Overtook an earlier batch that is still on its way: send it again as soon as that
                // batch is answered, not after a back-off (which would slow every batch behind it).
                parked.add(call);
                return;
            }
            case UNKNOWN_SEQUENCE -> {
                // Whether the batch is in the log cannot be told, now or later: no retry. Failing it
                // retires the producer id, so the next batches start a new producer.
                finish(call, new UnknownSequenceException(message));
                return;
            }
            case MALFORMED -> {
                finish(call, new IllegalArgumentException("the node refused the request: " + message));
                return;
            }
            case OFFSET_OUT_OF_RANGE -> {
                // Definite, and from the node that served the read: not retried elsewhere. Every
                // replica removes the same records, so a node that still holds the offset (one that
                // applied less) would only hide for a while what the reader must act on: reset its
                // position, as a Kafka consumer does on the same error from the node it fetches from.
                finish(
                        call,
                        call instanceof ClientCall.Read read
                                ? read.outOfRange(error.bounds().orElseThrow())
                                : unexpectedFailure(call, message));
                return;
            }
            case INTERNAL -> {
                finish(call, unexpectedFailure(call, message));
                return;
            }
            case MEMBERSHIP_REFUSED -> {
                finish(call, new io.raftlog.api.MembershipChangeException(message));
                return;
            }
            case NOT_AUTHORIZED -> {
                finish(call, new io.raftlog.api.NotAuthorizedException(message));
                return;
            }
        }
        retryLater(call);
    }

    /** The node failed {@code call} in a way it did not expect: a write's outcome is then unknown. */
    private static RaftException unexpectedFailure(ClientCall call, String message) {
        return call.isWrite() || call.maybeDelivered
                ? new IndeterminateResultException(message)
                : new RaftException(message);
    }

    /**
     * An attempt of {@code call} ended with its connection: {@code written} if it may have reached the
     * node, {@code refused} if the node refused the client's hello (another cluster: a definite
     * failure that no retry can fix).
     */
    void onAttemptFailed(ClientCall call, Throwable cause, boolean written, boolean refused) {
        ClientConnection connection = call.connection;
        call.connection = null;
        if (call.done) {
            return;
        }
        call.maybeDelivered |= written && call.isWrite();
        if (connection != null) {
            call.noteError(describe(connection), cause);
        } else {
            call.lastError = cause;
        }
        if (refused) {
            finish(call, cause);
            return;
        }
        retryLater(call);
    }

    void connectionClosed(ClientConnection connection) {
        connections.remove(key(connection.address()), connection);
        routes.forget(connection.address());
    }

    private void retryLater(ClientCall call) {
        if (call.pinned != null) {
            finish(call, call.lastError); // a call to one given node does not look elsewhere
            return;
        }
        long delay = backoff.delayNanos(++call.retries);
        // If the deadline comes first, expire() fails the call and this retry finds it done.
        loop.schedule(() -> dispatch(call), delay, TimeUnit.NANOSECONDS);
    }

    private void expire(ClientCall call) {
        if (call.done) {
            return;
        }
        if (call.connection != null && call.connection.forget(call)) {
            call.maybeDelivered |= call.isWrite();
        }
        finish(call, timeoutError(call));
    }

    private Throwable timeoutError(ClientCall call) {
        Throwable last = call.lastError;
        String message = "no answer within the request timeout of "
                + config.requestTimeout().toMillis() + " ms"
                + (last == null ? "" : "; last error: " + last.getMessage())
                + (call.errorsByNode.size() > 1 ? "; errors by node: " + errorsByNode(call) : "");
        if (last instanceof NotLeaderException notLeader && call.isLinearizable()) {
            // Nothing changed, and no node could get a leader to confirm the read: say which said what.
            return new NotLeaderException(
                    notLeader.nodeId(),
                    notLeader.leaderHint(),
                    "no node served the linearizable " + call.what() + " within the request timeout of "
                            + config.requestTimeout().toMillis() + " ms; " + errorsByNode(call));
        }
        if (!call.isWrite()) {
            TimeoutException timeout = new TimeoutException(message);
            timeout.initCause(last);
            return timeout;
        }
        if (call.maybeDelivered) {
            return new IndeterminateResultException(message, last);
        }
        if (last instanceof NotLeaderException
                || last instanceof OverloadedException
                || last instanceof NodeClosedException) {
            return last; // definite, and no attempt reached a node otherwise
        }
        return new RaftException("the " + call.what() + " reached no node: " + message, last);
    }

    /** Ends {@code call}: frees its slot, and fails it with {@code error} unless that is null. */
    private void finish(ClientCall call, Throwable error) {
        if (call.done) {
            return;
        }
        call.done = true;
        active.remove(call);
        call.finished(error != null);
        if (call.deadlineTimer != null) {
            call.deadlineTimer.cancel(false);
        }
        onSlotFreed.run();
        if (error != null) {
            call.fail(error);
        }
        if (call instanceof ClientCall.Append && !parked.isEmpty()) {
            resumeParked();
        }
    }

    /** Re-sends the parked appends that no longer wait for an earlier batch, in sequence order. */
    private void resumeParked() {
        List<ClientCall> ready = new ArrayList<>();
        for (java.util.Iterator<ClientCall> it = parked.iterator(); it.hasNext(); ) {
            ClientCall call = it.next();
            if (call.done || !((ClientCall.Append) call).waitsForEarlierBatch()) {
                it.remove();
                ready.add(call);
            }
        }
        for (ClientCall call : ready) {
            dispatch(call);
        }
    }

    /** Fails every call and closes every connection. */
    void closeAll() {
        closed = true;
        for (ClientCall call : new ArrayList<>(active)) {
            boolean written = call.connection != null && call.connection.forget(call);
            boolean unknown = call.isWrite() && (written || call.maybeDelivered);
            finish(
                    call,
                    unknown
                            ? new IndeterminateResultException("the client closed before the outcome was known")
                            : new NodeClosedException("the client is closed"));
        }
        new ArrayList<>(connections.values()).forEach(ClientConnection::close);
    }

    private static String errorsByNode(ClientCall call) {
        StringBuilder text = new StringBuilder();
        call.errorsByNode.forEach((node, error) -> text.append(text.length() == 0 ? "" : "; ")
                .append(node)
                .append(": ")
                .append(error));
        return text.toString();
    }

    /** A node for messages: its address, and its id once it shook hands. */
    private static String describe(ClientConnection connection) {
        return key(connection.address()) + (connection.node() == null ? "" : " (" + connection.node() + ")");
    }

    private static String key(InetSocketAddress address) {
        return Routes.key(address);
    }
}
