package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * The listener refused a {@link Hello}; it closes the connection after sending this.
 *
 * @param reason what was wrong
 * @param detail a human-readable explanation, also logged by both sides
 */
public record HelloRejected(Reason reason, String detail) implements Frame {
    /** Why a hello was refused. The codes are part of the wire format. */
    public enum Reason {
        /** The speaker belongs to another cluster. */
        WRONG_CLUSTER(1),
        /** A peer named an id that is not a member of this node's cluster (or this node's own id). */
        UNKNOWN_NODE(2),
        /** A peer expected another node at this address. */
        WRONG_TARGET(3),
        /** The hello itself is inconsistent (a peer without ids, a client with them). */
        BAD_HELLO(4),
        /**
         * TLS is on and the speaker's certificate does not prove who it says it is: a peer without a
         * certificate, or with one that names another node; a client without one where client
         * certificates are required.
         */
        UNAUTHENTICATED(5),
        /**
         * The port speaks TLS only and the speaker sent plain TCP: sent unencrypted, ahead of the
         * TLS layer, so that a client or peer configured without TLS learns why, not only that the
         * connection closed.
         */
        TLS_REQUIRED(6);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        static Reason fromCode(int code) {
            for (Reason reason : values()) {
                if (reason.code == code) {
                    return reason;
                }
            }
            throw new ProtocolException("unknown hello rejection reason " + code);
        }
    }

    public HelloRejected {
        Objects.requireNonNull(reason, "reason");
        detail = Wire.fitString(Objects.requireNonNull(detail, "detail"));
    }

    @Override
    public int kind() {
        return KIND_HELLO_REJECTED;
    }

    @Override
    public int bodySize() {
        return 1 + Wire.stringSize(detail);
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeByte(reason.code);
        Wire.writeString(out, detail);
    }

    static HelloRejected read(ByteBuf in) {
        Reason reason = Reason.fromCode(Wire.readUnsignedByte(in, "rejection reason"));
        String detail = Wire.readString(in, "rejection detail");
        Wire.requireEnd(in, "HelloRejected");
        return new HelloRejected(reason, detail);
    }
}
