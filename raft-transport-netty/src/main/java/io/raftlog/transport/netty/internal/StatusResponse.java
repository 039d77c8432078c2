package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A node's {@link NodeStatus}. */
public record StatusResponse(long requestId, NodeStatus status) implements ClientResponse {
    public StatusResponse {
        Objects.requireNonNull(status, "status");
    }

    @Override
    public int kind() {
        return KIND_STATUS_RESPONSE;
    }

    @Override
    public int bodySize() {
        int size = Long.BYTES
                + Wire.nodeIdSize(status.id())
                + 1
                + Long.BYTES
                + Wire.optionalNodeIdSize(status.leader())
                + 2 * Long.BYTES
                + Integer.BYTES;
        for (NodeId member : status.matchIndex().keySet()) {
            size += Wire.nodeIdSize(member) + Long.BYTES;
        }
        return size;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId);
        Wire.writeNodeId(out, status.id());
        out.writeByte(roleCode(status.role()));
        out.writeLong(status.term());
        Wire.writeOptionalNodeId(out, status.leader());
        out.writeLong(status.commitIndex()).writeLong(status.lastIndex());
        out.writeInt(status.matchIndex().size());
        for (Map.Entry<NodeId, Long> match : status.matchIndex().entrySet()) {
            Wire.writeNodeId(out, match.getKey());
            out.writeLong(match.getValue());
        }
    }

    static StatusResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        NodeId id = Wire.readNodeId(in, "node");
        Role role = role(Wire.readUnsignedByte(in, "role"));
        long term = Wire.readLong(in, "term");
        Optional<NodeId> leader = Wire.readOptionalNodeId(in, "leader");
        long commitIndex = Wire.readLong(in, "commit index");
        long lastIndex = Wire.readLong(in, "last index");
        int count = Wire.readCount(in, 2 + Long.BYTES, "match index");
        Map<NodeId, Long> matchIndex = new HashMap<>();
        for (int i = 0; i < count; i++) {
            matchIndex.put(Wire.readNodeId(in, "member"), Wire.readLong(in, "match index"));
        }
        Wire.requireEnd(in, "StatusResponse");
        return new StatusResponse(
                requestId, new NodeStatus(id, role, term, leader, commitIndex, lastIndex, matchIndex));
    }

    private static int roleCode(Role role) {
        return switch (role) {
            case FOLLOWER -> 0;
            case PRE_CANDIDATE -> 1;
            case CANDIDATE -> 2;
            case LEADER -> 3;
        };
    }

    private static Role role(int code) {
        return switch (code) {
            case 0 -> Role.FOLLOWER;
            case 1 -> Role.PRE_CANDIDATE;
            case 2 -> Role.CANDIDATE;
            case 3 -> Role.LEADER;
            default -> throw new ProtocolException("unknown role " + code);
        };
    }
}
