package io.raftlog.examples.filestore;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frames the log file is made of. Every change to the log is one <em>operation</em> — a batch
 * of entries, a truncation, a reset, a repaired entry — written as its frames followed by two
 * copies of a {@link #COMMIT} frame (see {@link FileLogStore} for why). All numbers big-endian:
 *
 * <pre>
 *  0  8  position     the file offset of this frame
 *  8  1  kind         ENTRY, COMMIT, TRUNCATE_SUFFIX, TRUNCATE_PREFIX, RESET or REPLACE
 *  9  1  entry type   {@link EntryType#code()} (ENTRY and REPLACE; 0 otherwise)
 * 10  2  reserved     0
 * 12  4  payload length
 * 16  8  index        the entry's index, or the operation's argument
 * 24  8  term         the entry's term, or the operation's argument
 * 32  4  entry CRC32C over index, term, entry type and payload (ENTRY and REPLACE; 0 otherwise)
 * 36  4  header CRC32C over bytes 0..35
 * 40     payload
 * </pre>
 *
 * <p>Two checksums, because they answer two questions. The header's says whether the length can be
 * trusted, and so where the next frame starts: a damaged payload then costs one entry, not the rest
 * of the file. The entry's covers what a reader gets back. The position makes a frame valid only
 * where it was written, so stale or shifted bytes never pass for a frame.
 *
 * <p>Not thread-safe: the checksum objects are per call.
 */
final class Frames {
    static final int HEADER_BYTES = 40;

    static final byte ENTRY = 1;
    /** Ends an operation: index and term are the log's last index and term after it. */
    static final byte COMMIT = 2;
    /** Index: the first entry removed. */
    static final byte TRUNCATE_SUFFIX = 3;
    /** Index: the new first entry; term: the term of the entry before it. */
    static final byte TRUNCATE_PREFIX = 4;
    /** Index and term: the entry the log now starts after. */
    static final byte RESET = 5;
    /** An intact copy of an entry that replaces the stored one. */
    static final byte REPLACE = 6;

    private static final int POSITION = 0;
    private static final int KIND = 8;
    private static final int TYPE = 9;
    private static final int LENGTH = 12;
    private static final int INDEX = 16;
    private static final int TERM = 24;
    private static final int ENTRY_CRC = 32;
    private static final int HEADER_CRC = 36;

    /** A frame header that passed its checksum. */
    record Header(long position, byte kind, int typeCode, int payloadLength, long index, long term) {
        long frameBytes() {
            return HEADER_BYTES + (long) payloadLength;
        }

        long end() {
            return position + frameBytes();
        }
    }

    private Frames() {}

    /** The header of an ENTRY or REPLACE frame for {@code entry} at {@code position}; the payload follows it. */
    static ByteBuffer entryHeader(long position, byte kind, LogEntry entry) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putLong(POSITION, position)
                .put(KIND, kind)
                .put(TYPE, (byte) entry.type().code())
                .putInt(LENGTH, entry.payload().size())
                .putLong(INDEX, entry.index())
                .putLong(TERM, entry.term())
                .putInt(
                        ENTRY_CRC,
                        entryCrc(entry.index(), entry.term(), entry.type().code(), payloadOf(entry)));
        return sealed(header);
    }

    /** A frame without payload: COMMIT, TRUNCATE_SUFFIX, TRUNCATE_PREFIX or RESET. */
    static ByteBuffer control(long position, byte kind, long index, long term) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putLong(POSITION, position).put(KIND, kind).putLong(INDEX, index).putLong(TERM, term);
        return sealed(header);
    }

    /**
     * The end of an operation at {@code position}: two copies of its commit marker, so that one
     * damaged copy never undoes an operation that was acknowledged (see {@link LogRecovery}).
     */
    static ByteBuffer commitMarkers(long position, long lastIndex, long lastTerm) {
        ByteBuffer markers = ByteBuffer.allocate(2 * HEADER_BYTES);
        markers.put(control(position, COMMIT, lastIndex, lastTerm));
        markers.put(control(position + HEADER_BYTES, COMMIT, lastIndex, lastTerm));
        return markers.flip();
    }

    /**
     * The header at {@code offset} of {@code buffer}, if it passes its checksum and says it lies at
     * {@code position}; null otherwise (a torn write, damage, or not a frame at all).
     */
    static Header parse(ByteBuffer buffer, int offset, long position) {
        if (buffer.getLong(offset + POSITION) != position
                || buffer.getInt(offset + HEADER_CRC) != headerCrc(buffer, offset)) {
            return null;
        }
        byte kind = buffer.get(offset + KIND);
        int length = buffer.getInt(offset + LENGTH);
        if (kind < ENTRY || kind > REPLACE || length < 0) {
            return null;
        }
        return new Header(
                position,
                kind,
                buffer.get(offset + TYPE),
                length,
                buffer.getLong(offset + INDEX),
                buffer.getLong(offset + TERM));
    }

    /**
     * Checks the whole frame of entry {@code index} at {@code offset} of {@code buffer} (read from
     * {@code position}) and returns the entry; its payload is a view of {@code buffer}.
     *
     * @throws CorruptLogException if any check fails: bad bytes are never returned
     */
    static LogEntry decode(ByteBuffer buffer, int offset, long index, long position, String location) {
        Header header = parse(buffer, offset, position);
        if (header == null || header.index() != index || (header.kind() != ENTRY && header.kind() != REPLACE)) {
            throw new CorruptLogException(
                    index,
                    location,
                    "the frame header at file position " + position + " fails its CRC32C or is not this entry's");
        }
        EntryType type = EntryType.fromCode(header.typeCode());
        ByteBuffer payload = buffer.duplicate()
                .position(offset + HEADER_BYTES)
                .limit(offset + HEADER_BYTES + header.payloadLength());
        int stored = buffer.getInt(offset + ENTRY_CRC);
        int computed = entryCrc(index, header.term(), header.typeCode(), payload);
        if (stored != computed) {
            throw new CorruptLogException(
                    index, location, String.format("CRC32C mismatch (stored %08x, computed %08x)", stored, computed));
        }
        if (type == null) {
            throw new CorruptLogException(index, location, "unknown entry type " + header.typeCode());
        }
        return new LogEntry(index, header.term(), type, Bytes.wrap(payload));
    }

    /**
     * Moves a whole frame to {@code newPosition}: a new position and header checksum, the stored
     * entry checksum kept as it is, so a payload damaged before the move stays detectably damaged.
     *
     * @return false if the frame's header fails its checksum (then nothing is changed)
     */
    static boolean relocate(ByteBuffer frame, long oldPosition, long newPosition) {
        if (parse(frame, 0, oldPosition) == null) {
            return false;
        }
        frame.putLong(POSITION, newPosition);
        sealed(frame);
        return true;
    }

    private static ByteBuffer sealed(ByteBuffer header) {
        return header.putInt(HEADER_CRC, headerCrc(header, 0)).clear();
    }

    private static int headerCrc(ByteBuffer buffer, int offset) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(offset).limit(offset + HEADER_CRC));
        return (int) crc.getValue();
    }

    private static int entryCrc(long index, long term, int typeCode, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(17)
                .putLong(index)
                .putLong(term)
                .put((byte) typeCode)
                .flip());
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    private static ByteBuffer payloadOf(LogEntry entry) {
        return entry.payload().asReadOnlyBuffer();
    }
}
