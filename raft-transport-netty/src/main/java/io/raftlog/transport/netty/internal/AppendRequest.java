package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.Bytes;
import java.util.List;

/**
 * Append {@code records} idempotently, as {@code ReplicatedLog.appendAll(producerId, firstSequence, records)}.
 */
public record AppendRequest(long requestId, long producerId, long firstSequence, List<Bytes> records)
        implements ClientRequest {
    public AppendRequest {
        records = List.copyOf(records);
    }

    /** Body bytes an append of {@code records} takes. */
    public static long bodySize(List<Bytes> records) {
        long size = 3L * Long.BYTES + Integer.BYTES;
        for (Bytes record : records) {
            size += Integer.BYTES + record.size();
        }
        return size;
    }

    @Override
    public int kind() {
        return KIND_APPEND_REQUEST;
    }

    @Override
    public int bodySize() {
        return Math.toIntExact(bodySize(records));
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(producerId).writeLong(firstSequence).writeInt(records.size());
        for (Bytes record : records) {
            Wire.writeBytes(out, record);
        }
    }

    static AppendRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long producerId = Wire.readLong(in, "producer id");
        long firstSequence = Wire.readLong(in, "first sequence");
        int count = Wire.readCount(in, Integer.BYTES, "record");
        Bytes[] records = new Bytes[count];
        for (int i = 0; i < count; i++) {
            records[i] = Wire.readBytes(in, "record");
        }
        Wire.requireEnd(in, "AppendRequest");
        return new AppendRequest(requestId, producerId, firstSequence, List.of(records));
    }
}
