package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/**
 * Remove the records below {@code offset}, as {@code ReplicatedLog.deleteRecordsBefore(offset)}; only
 * the leader takes it. The node judges the offset (from 1 to its high watermark + 1), not the decoder.
 */
public record DeleteRecordsRequest(long requestId, long offset) implements ClientRequest {
    @Override
    public int kind() {
        return KIND_DELETE_RECORDS_REQUEST;
    }

    @Override
    public int bodySize() {
        return 2 * Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(offset);
    }

    static DeleteRecordsRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long offset = Wire.readLong(in, "offset");
        Wire.requireEnd(in, "DeleteRecordsRequest");
        return new DeleteRecordsRequest(requestId, offset);
    }
}
