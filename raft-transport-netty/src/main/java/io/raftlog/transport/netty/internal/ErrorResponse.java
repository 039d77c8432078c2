package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A request failed; {@link Code} says what the client may rely on.
 *
 * @param requestId     the failed request
 * @param code          what went wrong
 * @param leader        for {@link Code#NOT_LEADER}, the leader the node knows of
 * @param leaderAddress for {@link Code#NOT_LEADER}, that leader's client address (its listen address)
 * @param message       a human-readable explanation
 * @param bounds        for {@link Code#OFFSET_OUT_OF_RANGE} (and only for it), the extent of the
 *                      node's log when it refused the read; on the wire after the message
 */
public record ErrorResponse(
        long requestId,
        Code code,
        Optional<NodeId> leader,
        Optional<InetSocketAddress> leaderAddress,
        String message,
        Optional<LogBounds> bounds)
        implements ClientResponse {
    /**
     * What a node's log held when it refused a read below its start.
     *
     * @param logStartOffset the first offset the node's log holds (at least 1)
     * @param highWatermark  the highest offset it knew to be committed (at least 0)
     */
    public record LogBounds(long logStartOffset, long highWatermark) {
        /** Bytes the bounds take on the wire. */
        static final int BYTES = 2 * Long.BYTES;

        public LogBounds {
            if (logStartOffset < 1 || highWatermark < 0) {
                throw new IllegalArgumentException("need logStartOffset >= 1 and highWatermark >= 0, got "
                        + logStartOffset + " and " + highWatermark);
            }
        }
    }

    /** Error codes; part of the wire format. */
    public enum Code {
        /**
         * Definite: the node is not the leader; retry on the leader named, if any. For a
         * linearizable read or a read index: the node could not get a leader to confirm it (no
         * leader known, an election, a node cut off from a majority); nothing changed, and another
         * node — the leader named, if any — may serve it.
         */
        NOT_LEADER(1),
        /** Definite: the leader refused the append (too much uncommitted data); back off and retry. */
        OVERLOADED(2),
        /** Unknown outcome: the append may or may not commit; retry idempotently. */
        INDETERMINATE(3),
        /** Unknown outcome: the node gave up waiting; retry idempotently. */
        TIMEOUT(4),
        /** Definite: the node is shutting down and did not accept the request. */
        CLOSED(5),
        /**
         * Definite: the request is invalid (the node's {@code IllegalArgumentException}, such as a
         * {@code deleteRecordsBefore} past the high watermark + 1); retrying will not help.
         */
        MALFORMED(6),
        /** Definite: the node does not serve clients (yet); try another node. */
        UNAVAILABLE(7),
        /** Unknown outcome: the node failed in an unexpected way. */
        INTERNAL(8),
        /**
         * Definite: the append's sequence numbers do not follow the producer's last batch (a gap);
         * nothing was appended.
         */
        OUT_OF_ORDER_SEQUENCE(9),
        /**
         * Unknown outcome, for good: the leader no longer remembers the producer or the batch, so
         * it cannot tell whether the batch is in the log; retrying the same sequence cannot tell
         * more. Use a new producer id.
         */
        UNKNOWN_SEQUENCE(10),
        /**
         * Definite: the read asked for an offset below the node's log start offset (removed by
         * retention or {@code deleteRecordsBefore}); the response carries that node's
         * {@link LogBounds}. Every replica removes the same records, so no other node will serve the
         * offset for long: reset the position instead of retrying.
         */
        OFFSET_OUT_OF_RANGE(11),
        /**
         * Definite: the leader refused the membership change (another change is in progress, the
         * learner has not caught up, no quorum would be left…); the message says why. Nothing
         * changed; retrying the same change later may succeed.
         */
        MEMBERSHIP_REFUSED(12),
        /**
         * Definite: the node's access rules do not let this client do what it asked (produce,
         * consume, administer); nothing was done, and retrying will not help.
         */
        NOT_AUTHORIZED(13);

        private final int code;

        Code(int code) {
            this.code = code;
        }

        static Code fromCode(int code) {
            for (Code candidate : values()) {
                if (candidate.code == code) {
                    return candidate;
                }
            }
            throw new ProtocolException("unknown error code " + code);
        }
    }

    public ErrorResponse {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(leaderAddress, "leaderAddress");
        message = Wire.fitString(Objects.requireNonNull(message, "message"));
        Objects.requireNonNull(bounds, "bounds");
        if (bounds.isPresent() != (code == Code.OFFSET_OUT_OF_RANGE)) {
            throw new IllegalArgumentException("log bounds go with OFFSET_OUT_OF_RANGE and only with it, not with "
                    + (bounds.isPresent() ? code : "no bounds"));
        }
    }

    /** An error without {@link LogBounds}: any code but {@link Code#OFFSET_OUT_OF_RANGE}. */
    public ErrorResponse(
            long requestId,
            Code code,
            Optional<NodeId> leader,
            Optional<InetSocketAddress> leaderAddress,
            String message) {
        this(requestId, code, leader, leaderAddress, message, Optional.empty());
    }

    /** An error that names no leader. */
    public static ErrorResponse of(long requestId, Code code, String message) {
        return new ErrorResponse(requestId, code, Optional.empty(), Optional.empty(), message);
    }

    /** A read below the log start offset was refused; the node's log held {@code bounds}. */
    public static ErrorResponse offsetOutOfRange(long requestId, LogBounds bounds, String message) {
        return new ErrorResponse(
                requestId, Code.OFFSET_OUT_OF_RANGE, Optional.empty(), Optional.empty(), message, Optional.of(bounds));
    }

    @Override
    public int kind() {
        return KIND_ERROR_RESPONSE;
    }

    @Override
    public int bodySize() {
        return Long.BYTES
                + 1
                + Wire.optionalNodeIdSize(leader)
                + Wire.stringSize(host())
                + 2
                + Wire.stringSize(message)
                + (bounds.isPresent() ? LogBounds.BYTES : 0);
    }

    private String host() {
        return leaderAddress.map(InetSocketAddress::getHostString).orElse("");
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeByte(code.code);
        Wire.writeOptionalNodeId(out, leader);
        Wire.writeString(out, host());
        out.writeShort(leaderAddress.map(InetSocketAddress::getPort).orElse(0));
        Wire.writeString(out, message);
        if (bounds.isPresent()) {
            out.writeLong(bounds.get().logStartOffset()).writeLong(bounds.get().highWatermark());
        }
    }

    static ErrorResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        Code code = Code.fromCode(Wire.readUnsignedByte(in, "error code"));
        Optional<NodeId> leader = Wire.readOptionalNodeId(in, "leader");
        String host = Wire.readString(in, "leader host");
        Wire.require(in, 2, "leader port");
        int port = in.readUnsignedShort();
        String message = Wire.readString(in, "error message");
        Optional<LogBounds> bounds = Optional.empty();
        if (code == Code.OFFSET_OUT_OF_RANGE) {
            long logStartOffset = Wire.readLong(in, "log start offset");
            long highWatermark = Wire.readLong(in, "high watermark");
            if (logStartOffset < 1 || highWatermark < 0) {
                throw new ProtocolException("an out-of-range error needs log start offset >= 1 and high watermark"
                        + " >= 0, got " + logStartOffset + " and " + highWatermark);
            }
            bounds = Optional.of(new LogBounds(logStartOffset, highWatermark));
        }
        Wire.requireEnd(in, "ErrorResponse");
        Optional<InetSocketAddress> address =
                host.isEmpty() ? Optional.empty() : Optional.of(InetSocketAddress.createUnresolved(host, port));
        return new ErrorResponse(requestId, code, leader, address, message, bounds);
    }
}
