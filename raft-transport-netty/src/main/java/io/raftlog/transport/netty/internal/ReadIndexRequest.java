package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/** Ask the node for a linearizable read index, as {@code ReplicatedLog.readIndex()}. */
public record ReadIndexRequest(long requestId) implements ClientRequest {
    @Override
    public int kind() {
        return KIND_READ_INDEX_REQUEST;
    }

    @Override
    public int bodySize() {
        return Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId);
    }

    static ReadIndexRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        Wire.requireEnd(in, "ReadIndexRequest");
        return new ReadIndexRequest(requestId);
    }
}
