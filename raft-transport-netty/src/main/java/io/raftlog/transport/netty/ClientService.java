package io.raftlog.transport.netty;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.UnknownSequenceException;
import io.raftlog.transport.netty.internal.ClientRequest;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.ErrorResponse.Code;
import io.raftlog.transport.netty.internal.ReadResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client-protocol handlers of one node share: the log they serve (once the node hands it
 * over), the limits, and the mapping from the log's exceptions to wire error codes. Thread-safe.
 */
final class ClientService {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    /** Bounds a single read, whatever the client asks for. */
    static final int MAX_READ_RECORDS = 10_000;

    static final long MAX_READ_WAIT_MILLIS = 60_000;

    private final NettyTransportConfig config;
    private volatile Supplier<ReplicatedLog> source;
    private volatile ReplicatedLog log;

    ClientService(NettyTransportConfig config) {
        this.config = config;
    }

    void serve(Supplier<ReplicatedLog> source) {
        this.source = source;
        this.log = null;
    }

    /** The log to serve, or null while the node has not handed one over. */
    ReplicatedLog log() {
        ReplicatedLog current = log;
        if (current == null) {
            Supplier<ReplicatedLog> supplier = source;
            if (supplier != null) {
                current = supplier.get();
                log = current;
            }
        }
        return current;
    }

    int maxRequestsInFlight() {
        return config.maxClientRequestsInFlight();
    }

    /** Keeps the longest prefix of {@code records} whose response fits one frame. */
    List<CommittedRecord> fitInFrame(List<CommittedRecord> records) {
        long budget = config.maxFrameBytes() - 2L - ReadResponse.EMPTY_BODY_BYTES;
        List<CommittedRecord> kept = new ArrayList<>(records.size());
        for (CommittedRecord record : records) {
            budget -= ReadResponse.recordSize(record);
            if (budget < 0) {
                break;
            }
            kept.add(record);
        }
        return kept;
    }

    /**
     * {@code membership} as clients are told it: a member whose configuration entry records no
     * address (one of the members a cluster was bootstrapped with, from their {@code --peers}) is
     * given the address this node reaches it at, its configured one; a member this node has no
     * address for keeps {@code ""}.
     */
    io.raftlog.api.Membership withAddresses(io.raftlog.api.Membership membership) {
        io.raftlog.api.Membership told = membership;
        for (java.util.Map.Entry<io.raftlog.api.NodeId, String> member :
                membership.members().entrySet()) {
            InetSocketAddress configured = config.peers().get(member.getKey());
            if (member.getValue().isEmpty() && configured != null) {
                told = told.withAddress(member.getKey(), hostPort(configured));
            }
        }
        return told;
    }

    /** {@code host:port}, the host in brackets if it is an IPv6 literal, as a membership records it. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The error response for {@code request} failing with {@code failure}. */
    ErrorResponse errorFor(ClientRequest request, Throwable failure) {
        Throwable cause = unwrap(failure);
        long id = request.requestId();
        if (cause instanceof NotLeaderException notLeader) {
            Optional<InetSocketAddress> address = notLeader.leaderHint().map(config.peers()::get);
            return new ErrorResponse(id, Code.NOT_LEADER, notLeader.leaderHint(), address, cause.getMessage());
        }
        if (cause instanceof OffsetOutOfRangeException outOfRange) {
            return ErrorResponse.offsetOutOfRange(
                    id,
                    new ErrorResponse.LogBounds(outOfRange.logStartOffset(), outOfRange.highWatermark()),
                    cause.getMessage());
        }
        if (cause instanceof io.raftlog.api.MembershipChangeException) {
            return ErrorResponse.of(id, Code.MEMBERSHIP_REFUSED, cause.getMessage());
        }
        if (cause instanceof OverloadedException) {
            return ErrorResponse.of(id, Code.OVERLOADED, cause.getMessage());
        }
        if (cause instanceof OutOfOrderSequenceException) {
            return ErrorResponse.of(id, Code.OUT_OF_ORDER_SEQUENCE, cause.getMessage());
        }
        if (cause instanceof UnknownSequenceException) {
            return ErrorResponse.of(id, Code.UNKNOWN_SEQUENCE, cause.getMessage());
        }
        if (cause instanceof IndeterminateResultException) {
            return ErrorResponse.of(id, Code.INDETERMINATE, cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return ErrorResponse.of(id, Code.TIMEOUT, String.valueOf(cause.getMessage()));
        }
        if (cause instanceof NodeClosedException) {
            return ErrorResponse.of(id, Code.CLOSED, cause.getMessage());
        }
        if (cause instanceof IllegalArgumentException) {
            return ErrorResponse.of(id, Code.MALFORMED, cause.getMessage());
        }
        LOG.warn("serving a {} failed unexpectedly", request.getClass().getSimpleName(), cause);
        return ErrorResponse.of(id, Code.INTERNAL, cause.toString());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
