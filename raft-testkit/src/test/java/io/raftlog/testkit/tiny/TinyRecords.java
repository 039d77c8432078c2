package io.raftlog.testkit.tiny;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The record format of {@link TinyFileLogStore}'s log file. A record is a 13-byte header — kind
 * (1), body length (4), CRC32C of the body (4), CRC32C of those 9 bytes (4) — and a body. A batch
 * body is a count (4) and entries, each with a 29-byte header — index (8), term (8), type (1),
 * payload length (4), CRC32C of index, term, type and payload (4), CRC32C of the 25 bytes before
 * (4) — and its payload.
 */
final class TinyRecords {
    static final int HEADER_BYTES = 13;
    static final int ENTRY_HEADER_BYTES = 29;

    static final byte BATCH = 1;
    static final byte TRUNCATE_SUFFIX = 2;
    static final byte TRUNCATE_PREFIX = 3;
    static final byte RESET = 4;
    static final byte HARD_STATE = 5;
    static final byte METADATA = 6;
    static final byte REPLACE = 7;

    private TinyRecords() {}

    static ByteBuffer batch(byte kind, List<LogEntry> entries) {
        int size = Integer.BYTES;
        for (LogEntry entry : entries) {
            size += ENTRY_HEADER_BYTES + entry.payload().size();
        }
        ByteBuffer body = ByteBuffer.allocate(size).putInt(entries.size());
        for (LogEntry entry : entries) {
            int start = body.position();
            body.putLong(entry.index()).putLong(entry.term()).put((byte)
                    entry.type().code());
            body.putInt(entry.payload().size()).putInt(payloadChecksum(entry));
            body.putInt(crc(body.array(), start, 25));
            entry.payload().copyTo(body);
        }
        return record(kind, body.array());
    }

    static ByteBuffer longs(byte kind, long... values) {
        ByteBuffer body = ByteBuffer.allocate(values.length * Long.BYTES);
        for (long value : values) {
            body.putLong(value);
        }
        return record(kind, body.array());
    }

    static ByteBuffer hardState(HardState state) {
        return record(HARD_STATE, encodeHardState(state));
    }

    static byte[] encodeHardState(HardState state) {
        byte[] vote = state.votedFor()
                .map(id -> id.value().getBytes(StandardCharsets.US_ASCII))
                .orElse(new byte[0]);
        return ByteBuffer.allocate(9 + vote.length)
                .putLong(state.term())
                .put((byte) vote.length)
                .put(vote)
                .array();
    }

    static HardState decodeHardState(ByteBuffer body) {
        long term = body.getLong();
        byte[] vote = new byte[body.get()];
        body.get(vote);
        return new HardState(
                term,
                vote.length == 0
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(io.raftlog.api.NodeId.of(new String(vote, StandardCharsets.US_ASCII))));
    }

    static ByteBuffer metadata(String name, Bytes value) {
        byte[] key = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer body = ByteBuffer.allocate(1 + key.length + 4 + value.size())
                .put((byte) key.length)
                .put(key)
                .putInt(value.size());
        value.copyTo(body);
        return record(METADATA, body.array());
    }

    /** A whole record: header and body, positioned at 0. */
    static ByteBuffer record(byte kind, byte[] body) {
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + body.length);
        record.put(kind).putInt(body.length).putInt(crc(body, 0, body.length));
        record.putInt(crc(record.array(), 0, 9));
        return record.put(body).flip();
    }

    /** The checksum an entry's payload is stored with: over its index, term and type too. */
    static int payloadChecksum(LogEntry entry) {
        return payloadChecksum(
                entry.index(),
                entry.term(),
                (byte) entry.type().code(),
                entry.payload().asReadOnlyBuffer());
    }

    static int payloadChecksum(long index, long term, byte type, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(
                ByteBuffer.allocate(17).putLong(index).putLong(term).put(type).flip());
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** CRC32C of {@code length} bytes of {@code buffer} from index {@code offset}; its position is not moved. */
    static int crc(ByteBuffer buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().limit(offset + length).position(offset));
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
