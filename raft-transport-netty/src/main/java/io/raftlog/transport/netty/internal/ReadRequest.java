package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/** Read committed records, as {@code ReplicatedLog.read(fromOffset, maxRecords, maxWait)}. */
public record ReadRequest(long requestId, long fromOffset, int maxRecords, long maxWaitMillis)
        implements ClientRequest {
    @Override
    public int kind() {
        return KIND_READ_REQUEST;
    }

    @Override
    public int bodySize() {
        return 3 * Long.BYTES + Integer.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(fromOffset).writeInt(maxRecords).writeLong(maxWaitMillis);
    }

    static ReadRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long fromOffset = Wire.readLong(in, "from offset");
        int maxRecords = Wire.readInt(in, "max records");
        long maxWaitMillis = Wire.readLong(in, "max wait");
        Wire.requireEnd(in, "ReadRequest");
        return new ReadRequest(requestId, fromOffset, maxRecords, maxWaitMillis);
    }
}
