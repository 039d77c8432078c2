package io.raftlog.storage.segment;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The records a segment file is made of: one per mutating call of the log. All numbers big-endian.
 *
 * <pre>
 *  0  4  magic        {@value #MAGIC_TEXT}
 *  4  1  kind         START, BATCH, REPLACE, TRUNCATE_SUFFIX, TRUNCATE_PREFIX, RESET or CLOSE
 *  5  3  reserved     0
 *  8  4  length       of the whole record, header included
 * 12  4  count        entries in the record (BATCH: 1 or more, REPLACE: 1, others: 0)
 * 16  8  sequence     of the segment the record lies in
 * 24  8  offset       of the record in that file
 * 32 32  a, b, c, d   the kind's arguments (see the constants)
 * 64  4  header CRC32C over bytes 0..63 and the entry table
 * 68     entry table  per entry: term (8), payload length (4)
 *        entries      per entry a frame: index (8), term (8), type (1), reserved (3),
 *                     payload length (4), CRC32C over the frame's first 24 bytes and the payload (4),
 *                     then the payload
 * </pre>
 *
 * <p>The header checksum vouches for everything needed to locate and count the entries, and for
 * their terms, so open reads headers only and {@code term(i)} needs no disk read. Each entry's own
 * checksum covers what a read returns, so damage to one payload costs that entry (a
 * {@link CorruptLogException} naming it, repaired from a peer), not the rest of the log. Every byte
 * of a record is covered by one of the two. The sequence and offset make a record valid only where
 * it was written, so stale or shifted bytes never pass for one.
 */
final class Records {
    static final String MAGIC_TEXT = "RSEG";
    static final int MAGIC = 0x52534547;
    static final int HEADER_BYTES = 68;
    static final int TABLE_ENTRY_BYTES = 12;
    static final int FRAME_HEADER_BYTES = 28;

    /** The first record of every segment: a = firstIndex, b = term before it, c = lastIndex, d = last term. */
    static final byte START = 1;
    /** Entries appended: a = the first one's index. */
    static final byte BATCH = 2;
    /** An intact copy of one entry that supersedes the stored one: a = its index. */
    static final byte REPLACE = 3;
    /** a = the first index removed. */
    static final byte TRUNCATE_SUFFIX = 4;
    /** a = the new first index, b = the term of the entry before it. */
    static final byte TRUNCATE_PREFIX = 5;
    /** a, b = the entry the log now starts after. */
    static final byte RESET = 6;
    /** Written by close: a, b = last index and term. Proves every record before it was whole. */
    static final byte CLOSE = 7;

    private static final int KIND = 4;
    private static final int LENGTH = 8;
    private static final int COUNT = 12;
    private static final int SEQUENCE = 16;
    private static final int OFFSET = 24;
    private static final int A = 32;
    private static final int B = 40;
    private static final int C = 48;
    private static final int D = 56;
    private static final int HEADER_CRC = 64;

    /** A record header that passed its checksum, with where its entries' frames lie. */
    record Header(
            long sequence,
            long offset,
            byte kind,
            int length,
            int count,
            long a,
            long b,
            long c,
            long d,
            long[] terms,
            int[] payloadLengths) {
        long end() {
            return offset + length;
        }

        /** The file offset of entry {@code i}'s frame. */
        long frameOffset(int i) {
            long at = offset + HEADER_BYTES + (long) TABLE_ENTRY_BYTES * count;
            for (int j = 0; j < i; j++) {
                at += FRAME_HEADER_BYTES + (long) payloadLengths[j];
            }
            return at;
        }
    }

    private Records() {}

    /** The bytes of a record without entries (a buffer of its own). */
    static ByteBuffer control(long sequence, long offset, byte kind, long a, long b, long c, long d) {
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES);
        return encode(record, new CRC32C(), sequence, offset, kind, List.of(), a, b, c, d);
    }

    /** The bytes of a BATCH or REPLACE record of {@code entries} (a buffer of its own). */
    static ByteBuffer entries(long sequence, long offset, byte kind, List<LogEntry> entries) {
        return new Encoder().entries(sequence, offset, kind, entries);
    }

    /** The length of the record {@link #entries} would make, without making it. */
    static long length(List<LogEntry> entries) {
        long length = HEADER_BYTES;
        for (LogEntry entry : entries) {
            length += TABLE_ENTRY_BYTES
                    + FRAME_HEADER_BYTES
                    + (long) entry.payload().size();
        }
        return length;
    }

    /**
     * Encodes BATCH and REPLACE records into one direct buffer it reuses (up to
     * {@value #MAX_REUSED_BYTES} bytes; a larger record gets a buffer of its own), so that an append
     * allocates nothing per entry and no buffer per batch, and the file write copies from it
     * directly. Owned by the store's writer: one record at a time, valid until the next.
     */
    static final class Encoder {
        static final int MAX_REUSED_BYTES = 16 << 20;

        private ByteBuffer scratch = ByteBuffer.allocateDirect(64 << 10);
        private final CRC32C crc = new CRC32C();

        ByteBuffer entries(long sequence, long offset, byte kind, List<LogEntry> entries) {
            long length = length(entries);
            if (length > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("a batch of " + entries.size() + " entries takes " + length
                        + " bytes; one append may write at most 2 GiB");
            }
            return encode(
                    buffer((int) length),
                    crc,
                    sequence,
                    offset,
                    kind,
                    entries,
                    entries.get(0).index(),
                    0,
                    0,
                    0);
        }

        private ByteBuffer buffer(int length) {
            if (length > MAX_REUSED_BYTES) {
                return ByteBuffer.allocate(length);
            }
            if (scratch.capacity() < length) {
                scratch = ByteBuffer.allocateDirect(Math.min(MAX_REUSED_BYTES, Integer.highestOneBit(length - 1) << 1));
            }
            return scratch.clear().limit(length);
        }
    }

    /** Writes the record into {@code record} (exactly its length, from 0), and returns it positioned at 0. */
    private static ByteBuffer encode(
            ByteBuffer record,
            CRC32C crc,
            long sequence,
            long offset,
            byte kind,
            List<LogEntry> entries,
            long a,
            long b,
            long c,
            long d) {
        int length = record.limit();
        record.putInt(0, MAGIC)
                .put(KIND, kind)
                .put(KIND + 1, (byte) 0)
                .putShort(KIND + 2, (short) 0)
                .putInt(LENGTH, length)
                .putInt(COUNT, entries.size())
                .putLong(SEQUENCE, sequence)
                .putLong(OFFSET, offset)
                .putLong(A, a)
                .putLong(B, b)
                .putLong(C, c)
                .putLong(D, d);
        ByteBuffer view = record.duplicate(); // one view for every checksum of the record
        int table = HEADER_BYTES;
        int frame = HEADER_BYTES + TABLE_ENTRY_BYTES * entries.size();
        for (LogEntry entry : entries) {
            int size = entry.payload().size();
            record.putLong(table, entry.term()).putInt(table + 8, size);
            table += TABLE_ENTRY_BYTES;
            record.putLong(frame, entry.index())
                    .putLong(frame + 8, entry.term())
                    .put(frame + 16, (byte) entry.type().code())
                    .put(frame + 17, (byte) 0)
                    .putShort(frame + 18, (short) 0)
                    .putInt(frame + 20, size);
            entry.payload().copyTo(record.position(frame + FRAME_HEADER_BYTES));
            crc.reset();
            crc.update(view.limit(frame + 24).position(frame));
            crc.update(view.limit(frame + FRAME_HEADER_BYTES + size).position(frame + FRAME_HEADER_BYTES));
            record.putInt(frame + 24, (int) crc.getValue());
            frame += FRAME_HEADER_BYTES + size;
        }
        crc.reset();
        crc.update(view.limit(HEADER_CRC).position(0));
        crc.update(view.limit(table).position(HEADER_BYTES));
        record.putInt(HEADER_CRC, (int) crc.getValue());
        return record.position(0).limit(length);
    }

    /** The fixed part's count and length, if {@code fixed} (68 bytes at {@code offset}) can be a header there. */
    static boolean plausible(ByteBuffer fixed, int at, long sequence, long offset) {
        if (fixed.getInt(at) != MAGIC
                || fixed.getLong(at + SEQUENCE) != sequence
                || fixed.getLong(at + OFFSET) != offset) {
            return false;
        }
        byte kind = fixed.get(at + KIND);
        int length = fixed.getInt(at + LENGTH);
        int count = fixed.getInt(at + COUNT);
        if (kind < START || kind > CLOSE || count < 0 || length < HEADER_BYTES) {
            return false;
        }
        boolean withEntries = kind == BATCH || kind == REPLACE;
        if (!withEntries) {
            return count == 0 && length == HEADER_BYTES;
        }
        return count >= 1
                && (kind != REPLACE || count == 1)
                && count <= (length - HEADER_BYTES) / (TABLE_ENTRY_BYTES + FRAME_HEADER_BYTES);
    }

    /** The table length of the header whose fixed part {@link #plausible} accepted. */
    static int tableBytes(ByteBuffer fixed, int at) {
        return TABLE_ENTRY_BYTES * fixed.getInt(at + COUNT);
    }

    /**
     * The header in {@code bytes} (its fixed part and table, from {@code at}), if it passes its
     * checksum and its lengths add up; null otherwise.
     */
    static Header parse(ByteBuffer bytes, int at, long sequence, long offset) {
        if (!plausible(bytes, at, sequence, offset)) {
            return null;
        }
        int count = bytes.getInt(at + COUNT);
        int tableEnd = at + HEADER_BYTES + TABLE_ENTRY_BYTES * count;
        if (bytes.getInt(at + HEADER_CRC) != headerCrc(bytes, at, tableEnd)) {
            return null;
        }
        long[] terms = new long[count];
        int[] lengths = new int[count];
        long total = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            int entry = at + HEADER_BYTES + TABLE_ENTRY_BYTES * i;
            terms[i] = bytes.getLong(entry);
            lengths[i] = bytes.getInt(entry + 8);
            if (lengths[i] < 0 || terms[i] < 1) {
                return null;
            }
            total += TABLE_ENTRY_BYTES + FRAME_HEADER_BYTES + (long) lengths[i];
        }
        int length = bytes.getInt(at + LENGTH);
        if (total != length) {
            return null;
        }
        return new Header(
                sequence,
                offset,
                bytes.get(at + KIND),
                length,
                count,
                bytes.getLong(at + A),
                bytes.getLong(at + B),
                bytes.getLong(at + C),
                bytes.getLong(at + D),
                terms,
                lengths);
    }

    /**
     * Checks the frame of entry {@code index} at {@code at} of {@code bytes} against its checksum
     * and against what the index says of it, and returns the entry; its payload is a view of
     * {@code bytes}.
     *
     * @throws CorruptLogException if any check fails: bad bytes are never returned
     */
    static LogEntry decode(
            ByteBuffer bytes, int at, long index, long term, int payloadLength, String where, String location) {
        int stored = bytes.getInt(at + 24);
        int computed = frameCrc(bytes, at, payloadLength);
        if (stored != computed) {
            throw new CorruptLogException(
                    index,
                    location,
                    String.format("CRC32C mismatch in %s (stored %08x, computed %08x)", where, stored, computed));
        }
        if (bytes.getLong(at) != index || bytes.getLong(at + 8) != term || bytes.getInt(at + 20) != payloadLength) {
            throw new CorruptLogException(index, location, "the frame in " + where + " is not this entry's");
        }
        EntryType type = EntryType.fromCode(bytes.get(at + 16));
        if (type == null) {
            throw new CorruptLogException(index, location, "unknown entry type " + bytes.get(at + 16) + " in " + where);
        }
        ByteBuffer payload =
                bytes.duplicate().position(at + FRAME_HEADER_BYTES).limit(at + FRAME_HEADER_BYTES + payloadLength);
        return new LogEntry(index, term, type, Bytes.wrap(payload));
    }

    private static int frameCrc(ByteBuffer bytes, int at, int payloadLength) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().position(at).limit(at + 24));
        crc.update(bytes.duplicate().position(at + FRAME_HEADER_BYTES).limit(at + FRAME_HEADER_BYTES + payloadLength));
        return (int) crc.getValue();
    }

    private static int headerCrc(ByteBuffer bytes, int at, int tableEnd) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().position(at).limit(at + HEADER_CRC));
        crc.update(bytes.duplicate().position(at + HEADER_BYTES).limit(tableEnd));
        return (int) crc.getValue();
    }
}
