package io.raftlog.storage.lmdb;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one log entry, stored as the LMDB value under its index (8-byte big-endian
 * key). All numbers big-endian:
 *
 * <pre>
 *  0  term            8 bytes
 *  8  type code       2 bytes  ({@link EntryType#code()})
 * 10  flags           2 bytes  (0; reserved for a future format)
 * 12  payload length  4 bytes
 * 16  CRC32C          4 bytes  over the index, bytes 0..15 and the payload
 * 20  payload
 * </pre>
 *
 * <p>The index is part of the checksum although it is stored only in the key, so an entry that
 * ends up under the wrong key is caught too.
 *
 * <p>Not thread-safe: each writer or read call uses its own instance (it holds a reused CRC).
 */
final class EntryCodec {
    static final int HEADER_BYTES = 20;
    private static final int TERM = 0;
    private static final int TYPE = 8;
    private static final int FLAGS = 10;
    private static final int LENGTH = 12;
    private static final int CRC = 16;
    private static final int CHECKED_HEADER_BYTES = 16;
    /** Indexed by code; {@code EntryType.values()} would copy an array per call. */
    private static final EntryType[] TYPES_BY_CODE = typesByCode();

    private final CRC32C crc = new CRC32C();
    private final byte[] indexBytes = new byte[Long.BYTES];
    private final String location;

    EntryCodec(String location) {
        this.location = location;
    }

    /**
     * {@link LogEntry#sizeInBytes()} of the entry stored as {@code value} (its remaining bytes),
     * without decoding it: what a read counts against its {@code maxBytes}. Counted by
     * {@link LogEntry#sizeInBytes(int)}, so the store's limit follows the SPI's if its estimate
     * changes.
     */
    static long sizeInBytes(ByteBuffer value) {
        // A value shorter than a header (damage) counts as empty here: decode then reports it.
        return LogEntry.sizeInBytes(Math.max(0, value.remaining() - HEADER_BYTES));
    }

    /** Bytes {@code entry} takes as a stored value. */
    static int storedSize(LogEntry entry) {
        return HEADER_BYTES + entry.payload().size();
    }

    /**
     * Writes {@code entry} into {@code target} from its position 0; {@code target} has exactly
     * {@link #storedSize} bytes remaining (for example space reserved in an LMDB page).
     */
    void encode(LogEntry entry, ByteBuffer target) {
        int length = entry.payload().size();
        target.putLong(TERM, entry.term());
        target.putShort(TYPE, (short) entry.type().code());
        target.putShort(FLAGS, (short) 0);
        target.putInt(LENGTH, length);
        target.position(HEADER_BYTES);
        entry.payload().copyTo(target);
        target.putInt(CRC, checksum(entry.index(), target, 0, length));
    }

    /**
     * Checks the stored value of entry {@code index} and returns its term.
     *
     * @throws CorruptLogException if the value is malformed or fails its checksum
     */
    long verify(long index, ByteBuffer value) {
        int size = value.remaining();
        if (size < HEADER_BYTES) {
            throw corrupt(
                    index,
                    "stored value of " + size + " bytes is shorter than the " + HEADER_BYTES + "-byte entry header");
        }
        int base = value.position();
        int length = value.getInt(base + LENGTH);
        if (length != size - HEADER_BYTES) {
            throw corrupt(
                    index, "header says " + length + " payload bytes but " + (size - HEADER_BYTES) + " are stored");
        }
        int stored = value.getInt(base + CRC);
        int computed = checksum(index, value, base, length);
        if (stored != computed) {
            throw corrupt(index, String.format("CRC32C mismatch (stored %08x, computed %08x)", stored, computed));
        }
        short flags = value.getShort(base + FLAGS);
        if (flags != 0 || type(value.getShort(base + TYPE)) == null) {
            throw corrupt(
                    index,
                    "unknown entry type " + value.getShort(base + TYPE) + " or flags " + flags
                            + " (written by a newer format?)");
        }
        long term = value.getLong(base + TERM);
        if (term < 1) {
            throw corrupt(index, "term " + term + " is not positive");
        }
        return term;
    }

    /**
     * Checks and decodes entry {@code index}. With {@code copy} the payload is copied onto the heap
     * and stays valid forever; without it the payload is a read-only view of {@code value}, valid
     * only while the bytes behind {@code value} are (the read transaction).
     */
    LogEntry decode(long index, ByteBuffer value, boolean copy) {
        long term = verify(index, value);
        EntryType type = type(value.getShort(value.position() + TYPE));
        ByteBuffer payload = value.duplicate().position(value.position() + HEADER_BYTES);
        return new LogEntry(index, term, type, copy ? Bytes.copyOf(payload) : Bytes.wrap(payload));
    }

    /** CRC32C of the value at {@code base}; moves {@code value}'s position and limit, then restores them. */
    private int checksum(long index, ByteBuffer value, int base, int length) {
        crc.reset();
        for (int i = 0; i < Long.BYTES; i++) {
            indexBytes[i] = (byte) (index >>> (56 - 8 * i));
        }
        crc.update(indexBytes, 0, Long.BYTES);
        int position = value.position();
        int limit = value.limit();
        value.limit(base + CHECKED_HEADER_BYTES).position(base);
        crc.update(value);
        value.limit(base + HEADER_BYTES + length).position(base + HEADER_BYTES);
        crc.update(value);
        value.limit(limit).position(position);
        return (int) crc.getValue();
    }

    private static EntryType type(short code) {
        return code >= 0 && code < TYPES_BY_CODE.length ? TYPES_BY_CODE[code] : null;
    }

    private static EntryType[] typesByCode() {
        int max = 0;
        for (EntryType type : EntryType.values()) {
            max = Math.max(max, type.code());
        }
        EntryType[] byCode = new EntryType[max + 1];
        for (EntryType type : EntryType.values()) {
            byCode[type.code()] = type;
        }
        return byCode;
    }

    private CorruptLogException corrupt(long index, String detail) {
        return new CorruptLogException(index, location, detail);
    }
}
