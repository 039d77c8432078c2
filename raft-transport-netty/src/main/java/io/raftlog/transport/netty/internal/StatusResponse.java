package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's {@link NodeStatus}, its {@link NodeStatus.Log} included; its problem, if any, is cut to
 * what a string field holds.
 *
 * <p>The {@link NodeStatus.Configuration}, when the status has one, comes last: configuration
 * index i64 | committed u8 (0 or 1) | membership length i32 | the membership as a
 * {@code CONFIGURATION} entry holds it ({@link Membership#encode()}). A body that ends after the
 * log is a status without one, as a node that predates the field sends it.
 */
public record StatusResponse(long requestId, NodeStatus status) implements ClientResponse {
    /** Bytes of the {@link NodeStatus.Log}: seven i64, at the end of a body without a configuration. */
    static final int LOG_BYTES = 7 * Long.BYTES;

    /** Bytes of a configuration before its membership: index, committed, membership length. */
    static final int CONFIGURATION_HEADER_BYTES = Long.BYTES + 1 + Integer.BYTES;

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
                + Wire.stringSize(status.problem().orElse(""))
                + LOG_BYTES
                + status.configuration()
                        .map(configuration -> CONFIGURATION_HEADER_BYTES
                                + configuration.membership().encode().size())
                        .orElse(0);
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
        NodeStatus.Log log = status.log();
        out.writeLong(log.startOffset()).writeLong(log.sizeBytes());
        out.writeLong(log.snapshotIndex()).writeLong(log.snapshotBytes()).writeLong(log.snapshotMillis());
        out.writeLong(log.snapshotsSent()).writeLong(log.snapshotsReceived());
        status.configuration().ifPresent(configuration -> {
            Bytes membership = configuration.membership().encode();
            out.writeLong(configuration.index()).writeByte(configuration.committed() ? 1 : 0);
            out.writeInt(membership.size()).writeBytes(membership.asReadOnlyBuffer());
        });
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
        NodeStatus.Log log = readLog(in);
        Optional<NodeStatus.Configuration> configuration =
                in.isReadable() ? Optional.of(readConfiguration(in)) : Optional.empty();
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
                        problem.isEmpty() ? Optional.empty() : Optional.of(problem),
                        log,
                        configuration));
    }

    private static NodeStatus.Configuration readConfiguration(ByteBuf in) {
        long index = Wire.readLong(in, "configuration index");
        int committed = Wire.readUnsignedByte(in, "configuration committed");
        if (committed > 1) {
            throw new ProtocolException("configuration committed must be 0 or 1, was " + committed);
        }
        Bytes encoded = Wire.readBytes(in, "membership");
        try {
            return new NodeStatus.Configuration(Membership.decode(encoded), index, committed == 1);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid configuration: " + e.getMessage());
        }
    }

    /**
     * The log's seven fields. Only the start offset has a range to check (an offset, from 1); the
     * others are sizes, indexes, times and counters reported as the node counts them, like the term
     * and indexes above.
     */
    private static NodeStatus.Log readLog(ByteBuf in) {
        long startOffset = Wire.readLong(in, "log start offset");
        if (startOffset < 1) {
            throw new ProtocolException("log start offset must be >= 1, was " + startOffset);
        }
        return new NodeStatus.Log(
                startOffset,
                Wire.readLong(in, "log bytes"),
                Wire.readLong(in, "snapshot index"),
                Wire.readLong(in, "snapshot bytes"),
                Wire.readLong(in, "snapshot time"),
                Wire.readLong(in, "snapshots sent"),
                Wire.readLong(in, "snapshots received"));
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
