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
 */
public record ErrorResponse(
        long requestId, Code code, Optional<NodeId> leader, Optional<InetSocketAddress> leaderAddress, String message)
        implements ClientResponse {
    /** Error codes; part of the wire format. */
    public enum Code {
        /** Definite: the node is not the leader; retry on the leader named, if any. */
        NOT_LEADER(1),
        /** Definite: the leader refused the append (too much uncommitted data); back off and retry. */
        OVERLOADED(2),
        /** Unknown outcome: the append may or may not commit; retry idempotently. */
        INDETERMINATE(3),
        /** Unknown outcome: the node gave up waiting; retry idempotently. */
        TIMEOUT(4),
        /** Definite: the node is shutting down and did not accept the request. */
        CLOSED(5),
        /** Definite: the request is invalid; retrying will not help. */
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
        UNKNOWN_SEQUENCE(10);

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
    }

    /** An error that names no leader. */
    public static ErrorResponse of(long requestId, Code code, String message) {
        return new ErrorResponse(requestId, code, Optional.empty(), Optional.empty(), message);
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
                + Wire.stringSize(message);
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
    }

    static ErrorResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        Code code = Code.fromCode(Wire.readUnsignedByte(in, "error code"));
        Optional<NodeId> leader = Wire.readOptionalNodeId(in, "leader");
        String host = Wire.readString(in, "leader host");
        Wire.require(in, 2, "leader port");
        int port = in.readUnsignedShort();
        String message = Wire.readString(in, "error message");
        Wire.requireEnd(in, "ErrorResponse");
        Optional<InetSocketAddress> address =
                host.isEmpty() ? Optional.empty() : Optional.of(InetSocketAddress.createUnresolved(host, port));
        return new ErrorResponse(requestId, code, leader, address, message);
    }
}
