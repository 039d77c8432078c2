package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import java.util.Optional;

/**
 * Read or change the cluster's membership, or move its leadership: {@code ReplicatedLog.membership()},
 * {@code addLearner}, {@code promote}, {@code removeMember}, {@code transferLeadership}. Every
 * operation but {@link Op#GET} must reach the leader.
 *
 * @param requestId the request's id
 * @param op        what to do
 * @param node      the member it is about (none for {@link Op#GET})
 * @param address   for {@link Op#ADD_LEARNER}, where peers and clients reach the node ({@code ""}
 *                  otherwise)
 */
public record MembershipRequest(long requestId, Op op, Optional<NodeId> node, String address) implements ClientRequest {
    /** The operations; their codes are part of the wire format. */
    public enum Op {
        GET(0),
        ADD_LEARNER(1),
        PROMOTE(2),
        REMOVE(3),
        TRANSFER_LEADERSHIP(4);

        private final int code;

        Op(int code) {
            this.code = code;
        }

        static Op fromCode(int code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            throw new ProtocolException("unknown membership operation " + code);
        }
    }

    public MembershipRequest {
        if ((op == Op.GET) == node.isPresent()) {
            throw new IllegalArgumentException(op + (op == Op.GET ? " must name no node" : " must name a node"));
        }
        if (op != Op.ADD_LEARNER && !address.isEmpty()) {
            throw new IllegalArgumentException("only ADD_LEARNER carries an address");
        }
    }

    @Override
    public int kind() {
        return KIND_MEMBERSHIP_REQUEST;
    }

    @Override
    public int bodySize() {
        return Long.BYTES + 1 + Wire.optionalNodeIdSize(node) + Wire.stringSize(address);
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeByte(op.code);
        Wire.writeOptionalNodeId(out, node);
        Wire.writeString(out, address);
    }

    static MembershipRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        Op op = Op.fromCode(Wire.readUnsignedByte(in, "membership operation"));
        Optional<NodeId> node = Wire.readOptionalNodeId(in, "node");
        String address = Wire.readString(in, "address");
        Wire.requireEnd(in, "MembershipRequest");
        try {
            return new MembershipRequest(requestId, op, node, address);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid MembershipRequest: " + e.getMessage());
        }
    }
}
