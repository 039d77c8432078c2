package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import java.util.Optional;

/**
 * The membership after a {@link MembershipRequest}: as the serving node knows it for a read, as
 * committed for a change; and the leader that node knows of.
 */
public record MembershipResponse(long requestId, Membership membership, Optional<NodeId> leader)
        implements ClientResponse {
    @Override
    public int kind() {
        return KIND_MEMBERSHIP_RESPONSE;
    }

    @Override
    public int bodySize() {
        return Long.BYTES + Integer.BYTES + membership.encode().size() + Wire.optionalNodeIdSize(leader);
    }

    @Override
    public void writeBody(ByteBuf out) {
        Bytes encoded = membership.encode();
        out.writeLong(requestId).writeInt(encoded.size());
        out.writeBytes(encoded.toByteArray());
        Wire.writeOptionalNodeId(out, leader);
    }

    static MembershipResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        int length = Wire.readInt(in, "membership length");
        if (length < 0 || length > in.readableBytes()) {
            throw new ProtocolException("membership length " + length + " does not fit the frame");
        }
        byte[] encoded = new byte[length];
        in.readBytes(encoded);
        Optional<NodeId> leader = Wire.readOptionalNodeId(in, "leader");
        Wire.requireEnd(in, "MembershipResponse");
        try {
            return new MembershipResponse(requestId, Membership.decode(Bytes.wrap(encoded)), leader);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid membership: " + e.getMessage());
        }
    }
}
