package io.raftlog.transport.netty.client;

import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.transport.netty.internal.AppendRequest;
import io.raftlog.transport.netty.internal.AppendResponse;
import io.raftlog.transport.netty.internal.ClientRequest;
import io.raftlog.transport.netty.internal.ClientResponse;
import io.raftlog.transport.netty.internal.DeleteRecordsRequest;
import io.raftlog.transport.netty.internal.DeleteRecordsResponse;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.MembershipRequest;
import io.raftlog.transport.netty.internal.MembershipResponse;
import io.raftlog.transport.netty.internal.ProtocolException;
import io.raftlog.transport.netty.internal.ReadIndexRequest;
import io.raftlog.transport.netty.internal.ReadIndexResponse;
import io.raftlog.transport.netty.internal.ReadRequest;
import io.raftlog.transport.netty.internal.ReadResponse;
import io.raftlog.transport.netty.internal.StatusRequest;
import io.raftlog.transport.netty.internal.StatusResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a {@link RaftClient} across its attempts: each attempt gets a fresh request id on
 * some connection; the call keeps its deadline, what went wrong so far, and whether any attempt
 * may have reached a node. Confined to the client's event loop.
 */
abstract class ClientCall {
    final long deadlineNanos;
    /** The only node to ask, or null to follow the leader. */
    final InetSocketAddress pinned;

    int retries;
    int redirects;
    /** Some attempt was written to a node and its outcome is unknown. */
    boolean maybeDelivered;
    /** An out-of-order refusal already led to one immediate resend (the gap may have filled since). */
    boolean resentAfterGap;

    Throwable lastError;
    /** The last error each node gave this call, the node that failed it last at the end: for its deadline's message. */
    final Map<String, String> errorsByNode = new LinkedHashMap<>();
    /** Nodes that refused this linearizable call as not leader: the next attempt goes elsewhere. */
    final Set<String> refusedBy = new HashSet<>();

    boolean done;
    ClientConnection connection;
    long requestId;
    /** When the current attempt, once written, is presumed lost (System.nanoTime). */
    long attemptDeadlineNanos;

    ScheduledFuture<?> deadlineTimer;

    ClientCall(long deadlineNanos, InetSocketAddress pinned) {
        this.deadlineNanos = deadlineNanos;
        this.pinned = pinned;
    }

    /** The request of the attempt with id {@code id}. */
    abstract ClientRequest request(long id);

    /** How much longer than the attempt timeout a node may legitimately take to answer. */
    long answerAllowanceNanos() {
        return 0;
    }

    /** Checks that {@code response} answers this call. */
    abstract void validate(ClientResponse response) throws ProtocolException;

    /** Completes the call's future from a response that passed {@link #validate}. */
    abstract void complete(ClientResponse response);

    /** The call is over (its slot is free), before its future completes. */
    void finished(boolean failed) {}

    /** Fails the call's future. */
    abstract void fail(Throwable error);

    /**
     * Whether the call changes the log (an append or a deletion): only the leader takes it, and an
     * attempt that may have reached a node leaves its outcome unknown until it is answered.
     */
    boolean isWrite() {
        return false;
    }

    /**
     * Whether the call needs a leader to confirm it (a linearizable read, a read index): any node
     * may serve it, and when one cannot get a leader to confirm it, another is asked.
     */
    boolean isLinearizable() {
        return false;
    }

    /** What the call is, for error messages: "append", "read"… */
    abstract String what();

    /** Notes that {@code node} failed this call with {@code error}. */
    void noteError(String node, Throwable error) {
        lastError = error;
        errorsByNode.remove(node); // re-inserted last: the order says which came last
        errorsByNode.put(node, String.valueOf(error.getMessage()));
    }

    static ProtocolException unexpected(ClientResponse response, String expected) {
        return new ProtocolException(
                "expected a " + expected + " but got a " + response.getClass().getSimpleName());
    }

    /** An idempotent append of one closed batch. */
    static final class Append extends ClientCall {
        final ProducerBatcher.Batch batch;
        private final ProducerBatcher batcher;

        Append(long deadlineNanos, ProducerBatcher.Batch batch, ProducerBatcher batcher) {
            super(deadlineNanos, null);
            this.batch = batch;
            this.batcher = batcher;
        }

        @Override
        ClientRequest request(long id) {
            return new AppendRequest(id, batch.producerId(), batch.firstSequence(), batch.records());
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof AppendResponse appended)) {
                throw unexpected(response, "AppendResponse");
            }
            if (appended.offsets().size() != batch.records().size()) {
                throw new ProtocolException("an append of " + batch.records().size() + " records was answered with "
                        + appended.offsets().size() + " offsets");
            }
        }

        @Override
        void complete(ClientResponse response) {
            batch.complete(((AppendResponse) response).offsets());
        }

        @Override
        void finished(boolean failed) {
            batcher.resolved(batch, failed);
        }

        /** Whether a batch of the same producer with lower sequence numbers is still unresolved. */
        boolean waitsForEarlierBatch() {
            return batcher.hasUnresolvedBefore(batch);
        }

        @Override
        void fail(Throwable error) {
            batch.fail(error);
        }

        @Override
        boolean isWrite() {
            return true;
        }

        @Override
        String what() {
            return "append";
        }
    }

    /** A read of committed records, at a consistency. */
    static final class Read extends ClientCall {
        final CompletableFuture<List<CommittedRecord>> future = new CompletableFuture<>();
        private final long fromOffset;
        private final int maxRecords;
        private final Duration maxWait;
        private final ReadConsistency consistency;

        Read(
                long deadlineNanos,
                InetSocketAddress pinned,
                long fromOffset,
                int maxRecords,
                Duration maxWait,
                ReadConsistency consistency) {
            super(deadlineNanos, pinned);
            this.fromOffset = fromOffset;
            this.maxRecords = maxRecords;
            this.maxWait = maxWait;
            this.consistency = consistency;
        }

        @Override
        ClientRequest request(long id) {
            return ReadRequest.of(id, fromOffset, maxRecords, maxWait.toMillis(), consistency);
        }

        @Override
        boolean isLinearizable() {
            return consistency == ReadConsistency.LINEARIZABLE;
        }

        @Override
        long answerAllowanceNanos() {
            return maxWait.toNanos(); // a long poll answers only when records arrive or maxWait passes
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof ReadResponse)) {
                throw unexpected(response, "ReadResponse");
            }
        }

        @Override
        void complete(ClientResponse response) {
            future.complete(((ReadResponse) response).records());
        }

        /** The error for a node that refused the read because its log starts after the offset. */
        OffsetOutOfRangeException outOfRange(ErrorResponse.LogBounds bounds) {
            return new OffsetOutOfRangeException(fromOffset, bounds.logStartOffset(), bounds.highWatermark());
        }

        @Override
        void fail(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        String what() {
            return "read";
        }
    }

    /** A linearizable read index, from any node a leader confirms. */
    static final class ReadIndex extends ClientCall {
        final CompletableFuture<Long> future = new CompletableFuture<>();

        ReadIndex(long deadlineNanos) {
            super(deadlineNanos, null);
        }

        @Override
        ClientRequest request(long id) {
            return new ReadIndexRequest(id);
        }

        @Override
        boolean isLinearizable() {
            return true;
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof ReadIndexResponse)) {
                throw unexpected(response, "ReadIndexResponse");
            }
        }

        @Override
        void complete(ClientResponse response) {
            future.complete(((ReadIndexResponse) response).index());
        }

        @Override
        void fail(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        String what() {
            return "read index";
        }
    }

    /** A removal of the records below an offset, on the leader. */
    static final class DeleteRecords extends ClientCall {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        private final long offset;

        DeleteRecords(long deadlineNanos, long offset) {
            super(deadlineNanos, null);
            this.offset = offset;
        }

        @Override
        ClientRequest request(long id) {
            return new DeleteRecordsRequest(id, offset);
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof DeleteRecordsResponse)) {
                throw unexpected(response, "DeleteRecordsResponse");
            }
        }

        @Override
        void complete(ClientResponse response) {
            future.complete(((DeleteRecordsResponse) response).logStartOffset());
        }

        @Override
        void fail(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        boolean isWrite() {
            return true;
        }

        @Override
        String what() {
            return "deletion";
        }
    }

    /** A node's status. */
    static final class Status extends ClientCall {
        final CompletableFuture<NodeStatus> future = new CompletableFuture<>();

        Status(long deadlineNanos, InetSocketAddress pinned) {
            super(deadlineNanos, pinned);
        }

        @Override
        ClientRequest request(long id) {
            return new StatusRequest(id);
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof StatusResponse)) {
                throw unexpected(response, "StatusResponse");
            }
        }

        @Override
        void complete(ClientResponse response) {
            future.complete(((StatusResponse) response).status());
        }

        @Override
        void fail(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        String what() {
            return "status";
        }
    }

    /** Reads or changes the membership, or moves the leadership (see {@link MembershipRequest}). */
    static final class MembershipCall extends ClientCall {
        final CompletableFuture<io.raftlog.api.Membership> future = new CompletableFuture<>();
        private final MembershipRequest.Op op;
        private final java.util.Optional<io.raftlog.api.NodeId> node;
        private final String address;

        MembershipCall(
                long deadlineNanos,
                InetSocketAddress pinned,
                MembershipRequest.Op op,
                java.util.Optional<io.raftlog.api.NodeId> node,
                String address) {
            super(deadlineNanos, pinned);
            this.op = op;
            this.node = node;
            this.address = address;
        }

        @Override
        ClientRequest request(long id) {
            return new MembershipRequest(id, op, node, address);
        }

        @Override
        void validate(ClientResponse response) {
            if (!(response instanceof MembershipResponse)) {
                throw unexpected(response, "MembershipResponse");
            }
        }

        @Override
        void complete(ClientResponse response) {
            future.complete(((MembershipResponse) response).membership());
        }

        @Override
        void fail(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        boolean isWrite() {
            return op != MembershipRequest.Op.GET; // only the leader takes a change
        }

        @Override
        String what() {
            return "membership " + op.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }
}
