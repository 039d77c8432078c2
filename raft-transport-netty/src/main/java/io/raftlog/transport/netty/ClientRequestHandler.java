package io.raftlog.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.internal.AppendRequest;
import io.raftlog.transport.netty.internal.AppendResponse;
import io.raftlog.transport.netty.internal.ClientRequest;
import io.raftlog.transport.netty.internal.ClientResponse;
import io.raftlog.transport.netty.internal.DeleteRecordsRequest;
import io.raftlog.transport.netty.internal.DeleteRecordsResponse;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.ErrorResponse.Code;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.ReadIndexRequest;
import io.raftlog.transport.netty.internal.ReadIndexResponse;
import io.raftlog.transport.netty.internal.ReadRequest;
import io.raftlog.transport.netty.internal.ReadResponse;
import io.raftlog.transport.netty.internal.StatusRequest;
import io.raftlog.transport.netty.internal.StatusResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection after its handshake: each request goes to the node's
 * {@link ReplicatedLog} — a read at the consistency it asks for, a read index to
 * {@link ReplicatedLog#readIndex()} — and its answer (or error) is written back with the
 * request's id whenever the log completes it, so answers may overtake each other. At most
 * {@code maxClientRequestsInFlight} requests are outstanding per connection; more are answered
 * {@code OVERLOADED} at once. A frame that is not a request closes the connection. Runs on the
 * channel's event loop; the log's futures may complete on any thread.
 */
final class ClientRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final ClientService service;
    private final NettyTransport transport;
    private int inFlight;

    /** The principal the client's certificate names, or null (no TLS, no certificate, none named). */
    private final String principal;

    private final java.util.Set<ClientAccess.Permission> permissions;

    ClientRequestHandler(NettyTransport transport, String principal) {
        this.transport = transport;
        this.service = transport.clientService();
        this.principal = principal;
        this.permissions = transport.config().clientAccess().of(principal);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof io.netty.handler.timeout.IdleStateEvent && inFlight == 0) {
            transport.idleClientsClosedCounter().increment();
            LOG.debug(
                    "closing client connection {}: nothing arrived for {} ms (clientIdleTimeout)",
                    ctx.channel().remoteAddress(),
                    transport.config().clientIdleTimeout().toMillis());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ClientRequest request)) {
            throw new ProtocolException("a client connection carries only requests, got a "
                    + msg.getClass().getSimpleName());
        }
        if (inFlight >= service.maxRequestsInFlight()) {
            ctx.writeAndFlush(ErrorResponse.of(
                    request.requestId(),
                    Code.OVERLOADED,
                    "more than " + service.maxRequestsInFlight() + " requests in flight on this connection"));
            return;
        }
        ClientAccess.Permission needed = permissionFor(request);
        if (needed != null && !permissions.contains(needed)) {
            transport.unauthorizedCounter().increment();
            ctx.writeAndFlush(ErrorResponse.of(request.requestId(), Code.NOT_AUTHORIZED, refusal(needed)));
            return;
        }
        ReplicatedLog log = service.log();
        if (log == null) {
            ctx.writeAndFlush(
                    ErrorResponse.of(request.requestId(), Code.UNAVAILABLE, "this node does not serve clients yet"));
            return;
        }
        CompletableFuture<? extends ClientResponse> response;
        try {
            response = serve(log, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        inFlight++;
        response.whenComplete((answer, failure) -> {
            ClientResponse reply = failure == null ? answer : service.errorFor(request, failure);
            try {
                ctx.executor().execute(() -> {
                    inFlight--;
                    ctx.writeAndFlush(reply);
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("dropping the answer to request {}: the transport is closing", request.requestId());
            }
        });
    }

    /** What {@code request} needs the client to be allowed; null for status, which any client may ask. */
    private static ClientAccess.Permission permissionFor(ClientRequest request) {
        if (request instanceof AppendRequest) {
            return ClientAccess.Permission.PRODUCE;
        }
        if (request instanceof ReadRequest || request instanceof ReadIndexRequest) {
            return ClientAccess.Permission.CONSUME;
        }
        if (request instanceof DeleteRecordsRequest
                || request instanceof io.raftlog.transport.netty.internal.MembershipRequest) {
            return ClientAccess.Permission.ADMINISTER;
        }
        return null;
    }

    private String refusal(ClientAccess.Permission needed) {
        String who = principal == null ? "a client without a principal" : "client '" + principal + "'";
        String may = permissions.isEmpty()
                ? "nothing but ask for status"
                : String.join(
                        ", ",
                        permissions.stream()
                                .sorted()
                                .map(ClientAccess.Permission::verb)
                                .toList());
        return who + " may not " + needed.verb() + " on node " + transport.self() + " (it may: " + may + ")";
    }

    private CompletableFuture<? extends ClientResponse> serve(ReplicatedLog log, ClientRequest request) {
        if (request instanceof AppendRequest append) {
            if (append.records().isEmpty()) {
                throw new IllegalArgumentException("an append needs at least one record");
            }
            return log.appendAll(append.producerId(), append.firstSequence(), append.records())
                    .thenApply(offsets -> new AppendResponse(append.requestId(), offsets));
        }
        if (request instanceof ReadRequest read) {
            if (read.fromOffset() < 1 || read.maxRecords() < 1 || read.maxWaitMillis() < 0) {
                throw new IllegalArgumentException(
                        "a read needs fromOffset >= 1, maxRecords >= 1 and maxWait >= 0, got " + read.fromOffset()
                                + ", " + read.maxRecords() + ", " + read.maxWaitMillis() + " ms");
            }
            ReadConsistency consistency = read.consistency(); // an unknown code: MALFORMED, saying so
            int maxRecords = Math.min(read.maxRecords(), ClientService.MAX_READ_RECORDS);
            Duration maxWait = Duration.ofMillis(Math.min(read.maxWaitMillis(), ClientService.MAX_READ_WAIT_MILLIS));
            return log.read(read.fromOffset(), maxRecords, maxWait, consistency)
                    .thenApply(records -> new ReadResponse(read.requestId(), service.fitInFrame(records)));
        }
        if (request instanceof ReadIndexRequest readIndex) {
            return log.readIndex().thenApply(index -> new ReadIndexResponse(readIndex.requestId(), index));
        }
        if (request instanceof DeleteRecordsRequest delete) {
            return deleteRecordsBefore(log, delete);
        }
        if (request instanceof io.raftlog.transport.netty.internal.MembershipRequest membership) {
            return membership(log, membership);
        }
        StatusRequest status = (StatusRequest) request;
        return CompletableFuture.completedFuture(new StatusResponse(status.requestId(), withAddresses(log.status())));
    }

    /**
     * Only the leader removes records. A follower says so before the log judges the offset: it
     * would judge it against its own high watermark, which may lag the leader's, and refuse an
     * offset the leader takes (or answer with its own, older, log start).
     */
    private static CompletableFuture<DeleteRecordsResponse> deleteRecordsBefore(
            ReplicatedLog log, DeleteRecordsRequest delete) {
        NodeStatus status = log.status();
        if (status.role() != Role.LEADER) {
            throw new NotLeaderException(status.id(), status.leader());
        }
        return log.deleteRecordsBefore(delete.offset())
                .thenApply(start -> new DeleteRecordsResponse(delete.requestId(), start));
    }

    /** {@code status} with its configuration's members at addresses, as {@link ClientService#withAddresses}. */
    private NodeStatus withAddresses(NodeStatus status) {
        return status.configuration()
                .map(configuration -> status.withConfiguration(new NodeStatus.Configuration(
                        service.withAddresses(configuration.membership()),
                        configuration.index(),
                        configuration.committed())))
                .orElse(status);
    }

    private CompletableFuture<io.raftlog.transport.netty.internal.MembershipResponse> membership(
            ReplicatedLog log, io.raftlog.transport.netty.internal.MembershipRequest request) {
        CompletableFuture<io.raftlog.api.Membership> done = switch (request.op()) {
            case GET -> CompletableFuture.completedFuture(log.membership());
            case ADD_LEARNER -> log.addLearner(request.node().orElseThrow(), request.address());
            case PROMOTE -> log.promote(request.node().orElseThrow());
            case REMOVE -> log.removeMember(request.node().orElseThrow());
            case TRANSFER_LEADERSHIP ->
                log.transferLeadership(request.node().orElseThrow()).thenApply(taken -> log.membership());
        };
        return done.thenApply(membership -> new io.raftlog.transport.netty.internal.MembershipResponse(
                request.requestId(),
                service.withAddresses(membership),
                log.status().leader()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.close(ctx, cause, LOG, transport.warnings(), "client", transport.protocolErrorCounter());
    }
}
