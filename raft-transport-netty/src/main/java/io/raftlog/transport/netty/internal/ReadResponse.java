package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.CommittedRecord;
import java.util.List;

/** Committed records in offset order; empty when none arrived within the request's wait. */
public record ReadResponse(long requestId, List<CommittedRecord> records) implements ClientResponse {
    /** Body bytes of a response without records. */
    public static final int EMPTY_BODY_BYTES = Long.BYTES + Integer.BYTES;

    public ReadResponse {
        records = List.copyOf(records);
    }

    /** Bytes {@code record} adds to a response body. */
    public static int recordSize(CommittedRecord record) {
        return Long.BYTES + Integer.BYTES + record.payload().size();
    }

    @Override
    public int kind() {
        return KIND_READ_RESPONSE;
    }

    @Override
    public int bodySize() {
        long size = EMPTY_BODY_BYTES;
        for (CommittedRecord record : records) {
            size += recordSize(record);
        }
        return Math.toIntExact(size);
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeInt(records.size());
        for (CommittedRecord record : records) {
            out.writeLong(record.offset());
            Wire.writeBytes(out, record.payload());
        }
    }

    static ReadResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        int count = Wire.readCount(in, Long.BYTES + Integer.BYTES, "record");
        CommittedRecord[] records = new CommittedRecord[count];
        for (int i = 0; i < count; i++) {
            long offset = Wire.readLong(in, "record offset");
            if (offset < 1) {
                throw new ProtocolException("record offset must be >= 1, was " + offset);
            }
            records[i] = new CommittedRecord(offset, Wire.readBytes(in, "record"));
        }
        Wire.requireEnd(in, "ReadResponse");
        return new ReadResponse(requestId, List.of(records));
    }
}
