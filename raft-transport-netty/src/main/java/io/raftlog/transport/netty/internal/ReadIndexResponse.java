package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/**
 * A linearizable read index: an offset at or above every record whose append was acknowledged
 * before the {@link ReadIndexRequest}, which the answering node has applied.
 */
public record ReadIndexResponse(long requestId, long index) implements ClientResponse {
    public ReadIndexResponse {
        if (index < 0) {
            throw new IllegalArgumentException("a read index must be >= 0, was " + index);
        }
    }

    @Override
    public int kind() {
        return KIND_READ_INDEX_RESPONSE;
    }

    @Override
    public int bodySize() {
        return 2 * Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(index);
    }

    static ReadIndexResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long index = Wire.readLong(in, "read index");
        Wire.requireEnd(in, "ReadIndexResponse");
        if (index < 0) {
            throw new ProtocolException("a read index must be >= 0, was " + index);
        }
        return new ReadIndexResponse(requestId, index);
    }
}
