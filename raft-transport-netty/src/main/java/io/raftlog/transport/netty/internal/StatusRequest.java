package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/** Ask the node for its {@code NodeStatus}. */
public record StatusRequest(long requestId) implements ClientRequest {
    @Override
    public int kind() {
        return KIND_STATUS_REQUEST;
    }

    @Override
    public int bodySize() {
        return Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId);
    }

    static StatusRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        Wire.requireEnd(in, "StatusRequest");
        return new StatusRequest(requestId);
    }
}
