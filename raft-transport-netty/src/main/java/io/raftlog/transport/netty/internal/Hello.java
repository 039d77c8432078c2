package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The first frame on every connection: who is speaking. A peer names itself and the node it
 * believes it reached, so a node refuses a connection meant for another member; a client names
 * neither.
 *
 * @param role      peer or client
 * @param clusterId the cluster the speaker belongs to (must match the listener's)
 * @param from      a peer's own id; empty for a client
 * @param to        the id a peer expects the listener to have; empty for a client
 */
public record Hello(Role role, String clusterId, Optional<NodeId> from, Optional<NodeId> to) implements Frame {
    /** Who opened the connection. */
    public enum Role {
        PEER(1),
        CLIENT(2);

        private final int code;

        Role(int code) {
            this.code = code;
        }

        int code() {
            return code;
        }

        static Role fromCode(int code) {
            return switch (code) {
                case 1 -> PEER;
                case 2 -> CLIENT;
                default -> throw new ProtocolException("unknown hello role " + code);
            };
        }
    }

    public Hello {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** The hello of a peer {@code from} connecting to {@code to}. */
    public static Hello peer(String clusterId, NodeId from, NodeId to) {
        return new Hello(Role.PEER, clusterId, Optional.of(from), Optional.of(to));
    }

    /** The hello of a client. */
    public static Hello client(String clusterId) {
        return new Hello(Role.CLIENT, clusterId, Optional.empty(), Optional.empty());
    }

    @Override
    public int kind() {
        return KIND_HELLO;
    }

    @Override
    public int bodySize() {
        return 1 + Wire.stringSize(clusterId) + Wire.optionalNodeIdSize(from) + Wire.optionalNodeIdSize(to);
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeByte(role.code());
        Wire.writeString(out, clusterId);
        Wire.writeOptionalNodeId(out, from);
        Wire.writeOptionalNodeId(out, to);
    }

    static Hello read(ByteBuf in) {
        Role role = Role.fromCode(Wire.readUnsignedByte(in, "hello role"));
        String clusterId = Wire.readString(in, "cluster id");
        Optional<NodeId> from = Wire.readOptionalNodeId(in, "from");
        Optional<NodeId> to = Wire.readOptionalNodeId(in, "to");
        Wire.requireEnd(in, "Hello");
        return new Hello(role, clusterId, from, to);
    }
}
