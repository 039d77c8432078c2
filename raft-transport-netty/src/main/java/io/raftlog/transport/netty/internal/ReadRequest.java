package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.ReadConsistency;

/**
 * Read committed records, as {@code ReplicatedLog.read(fromOffset, maxRecords, maxWait, consistency)}.
 *
 * @param consistencyCode the read's {@link ReadConsistency} on the wire, a u8: {@value #COMMITTED}
 *                        for {@link ReadConsistency#COMMITTED}, {@value #LINEARIZABLE} for
 *                        {@link ReadConsistency#LINEARIZABLE}. Any other value decodes (the node
 *                        judges it, as it judges the offsets) and is answered {@code MALFORMED}.
 */
public record ReadRequest(long requestId, long fromOffset, int maxRecords, long maxWaitMillis, int consistencyCode)
        implements ClientRequest {
    /** The code of {@link ReadConsistency#COMMITTED}. */
    public static final int COMMITTED = 0;
    /** The code of {@link ReadConsistency#LINEARIZABLE}. */
    public static final int LINEARIZABLE = 1;

    public ReadRequest {
        if (consistencyCode < 0 || consistencyCode > 0xff) {
            throw new IllegalArgumentException("a read consistency code is a u8, was " + consistencyCode);
        }
    }

    /** A read at {@code consistency}. */
    public static ReadRequest of(
            long requestId, long fromOffset, int maxRecords, long maxWaitMillis, ReadConsistency consistency) {
        return new ReadRequest(requestId, fromOffset, maxRecords, maxWaitMillis, codeOf(consistency));
    }

    /** The wire code of {@code consistency}. */
    public static int codeOf(ReadConsistency consistency) {
        return switch (consistency) {
            case COMMITTED -> COMMITTED;
            case LINEARIZABLE -> LINEARIZABLE;
        };
    }

    /**
     * The consistency asked for.
     *
     * @throws IllegalArgumentException for a code this node does not know (the client then gets
     *     a {@code MALFORMED} error that says so)
     */
    public ReadConsistency consistency() {
        return switch (consistencyCode) {
            case COMMITTED -> ReadConsistency.COMMITTED;
            case LINEARIZABLE -> ReadConsistency.LINEARIZABLE;
            default ->
                throw new IllegalArgumentException("unknown read consistency " + consistencyCode + " (this node knows "
                        + COMMITTED + " for COMMITTED and " + LINEARIZABLE + " for LINEARIZABLE)");
        };
    }

    @Override
    public int kind() {
        return KIND_READ_REQUEST;
    }

    @Override
    public int bodySize() {
        return 3 * Long.BYTES + Integer.BYTES + 1;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(requestId).writeLong(fromOffset).writeInt(maxRecords).writeLong(maxWaitMillis);
        out.writeByte(consistencyCode);
    }

    static ReadRequest read(ByteBuf in) {
        long requestId = Wire.readLong(in, "request id");
        long fromOffset = Wire.readLong(in, "from offset");
        int maxRecords = Wire.readInt(in, "max records");
        long maxWaitMillis = Wire.readLong(in, "max wait");
        int consistency = Wire.readUnsignedByte(in, "read consistency");
        Wire.requireEnd(in, "ReadRequest");
        return new ReadRequest(requestId, fromOffset, maxRecords, maxWaitMillis, consistency);
    }
}
