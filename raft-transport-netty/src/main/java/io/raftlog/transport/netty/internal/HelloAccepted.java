package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.NodeId;
import java.util.Objects;

/** The listener accepted a {@link Hello}; it names itself so the connecting side can check it. */
public record HelloAccepted(NodeId node) implements Frame {
    public HelloAccepted {
        Objects.requireNonNull(node, "node");
    }

    @Override
    public int kind() {
        return KIND_HELLO_ACCEPTED;
    }

    @Override
    public int bodySize() {
        return Wire.nodeIdSize(node);
    }

    @Override
    public void writeBody(ByteBuf out) {
        Wire.writeNodeId(out, node);
    }

    static HelloAccepted read(ByteBuf in) {
        NodeId node = Wire.readNodeId(in, "node");
        Wire.requireEnd(in, "HelloAccepted");
        return new HelloAccepted(node);
    }
}
