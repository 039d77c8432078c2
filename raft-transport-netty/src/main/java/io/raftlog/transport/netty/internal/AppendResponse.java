package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** The records of an {@link AppendRequest} are committed at {@code offsets}, in request order. */
public record AppendResponse(long requestId, List<Long> offsets) implements ClientResponse {
    public AppendResponse {
        offsets = List.copyOf(offsets);
    }

    @Override
    public int kind() {
        return KIND_APPEND_RESPONSE;
    }

    @Override
    public int bodySize() {
        return Long.BYTES + Integer.BYTES + offsets.size() * Long.BYTES;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeInt(offsets.size());
        for (long offset : offsets) {
            out.writeLong(offset);
        }
    }

    static AppendResponse read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        int count = Wire.readCount(in, Long.BYTES, "offset");
        Long[] offsets = new Long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = in.readLong();
        }
        Wire.requireEnd(in, "AppendResponse");
        return new AppendResponse(requestId, List.of(offsets));
    }
}
