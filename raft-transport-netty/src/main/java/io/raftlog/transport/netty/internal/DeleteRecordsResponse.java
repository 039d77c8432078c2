package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/** The removal a {@link DeleteRecordsRequest} asked for is committed; the log now starts at {@code logStartOffset}. */
public record DeleteRecordsResponse(long requestId, long logStartOffset) implements ClientResponse {
    public DeleteRecordsResponse {
        if (logStartOffset < 1) {
            throw new IllegalArgumentException("log start offset must be >= 1, was " + logStartOffset);
        }
    }

    @Override
    public int kind() {
        return KIND_DELETE_RECORDS_RESPONSE;
    }

    @Override
    public int bodySize() {
        return 2 * Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(logStartOffset);
    }

    static DeleteRecordsResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long logStartOffset = Wire.readLong(in, "log start offset");
        Wire.requireEnd(in, "DeleteRecordsResponse");
        if (logStartOffset < 1) {
            throw new ProtocolException("log start offset must be >= 1, was " + logStartOffset);
        }
        return new DeleteRecordsResponse(requestId, logStartOffset);
    }
}
