package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A node's {@link NodeStatus}; its problem, if any, is cut to what a string field holds. */
public record StatusResponse(long requestId, NodeStatus status) implements ClientResponse {
    public StatusResponse {
        Objects.requireNonNull(status, "status");
        if (status.problem().isPresent()) {
            String fitted = Wire.fitString(status.problem().get());
            if (!fitted.equals(status.problem().get())) {
                status = status.withHealth(status.health(), fitted);
            }
        }
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
                + Integer.BYTES
                + 1
                + Wire.stringSize(status.problem().orElse(""));
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
        out.writeByte(status.health().ordinal());
        Wire.writeString(out, status.problem().orElse(""));
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
        int healthCode = Wire.readUnsignedByte(in, "health");
        if (healthCode >= NodeStatus.Health.values().length) {
            throw new ProtocolException("unknown health " + healthCode);
        }
        String problem = Wire.readString(in, "problem");
        Wire.requireEnd(in, "StatusResponse");
        return new StatusResponse(
                requestId,
                new NodeStatus(
                        id,
                        role,
                        term,
                        leader,
                        commitIndex,
                        lastIndex,
                        matchIndex,
                        NodeStatus.Health.values()[healthCode],
                        problem.isEmpty() ? Optional.empty() : Optional.of(problem)));
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
