package io.raftlog.storage.lmdb;

import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.HardState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * The records of the {@code meta} database: small values keyed by an ASCII name, each stored as
 * its body followed by a CRC32C (4 bytes, big-endian) over the name and the body.
 *
 * <ul>
 *   <li>{@code format}: the on-disk format version (int), {@value #FORMAT_VERSION};</li>
 *   <li>{@code hard_state}: term (8 bytes), vote length (1 byte, 0 for none), vote (ASCII);</li>
 *   <li>{@code log_start}: first index (8) and the term of the entry before it (8), written by
 *       prefix truncation in the same transaction that removes the entries;</li>
 *   <li>{@code configuration} and {@code snapshot}: reserved for the cluster configuration and a
 *       snapshot marker (not written yet; the SPI has no operations for them).</li>
 * </ul>
 */
final class MetaRecords {
    static final int FORMAT_VERSION = 1;
    static final String FORMAT = "format";
    static final String HARD_STATE = "hard_state";
    static final String LOG_START = "log_start";

    private MetaRecords() {}

    /** The direct buffer LMDB needs for the key {@code name}. */
    static ByteBuffer key(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** Stores {@code body} under {@code key}, with its checksum, in {@code txn}. */
    static void put(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer key, byte[] body) {
        ByteBuffer slot = meta.reserve(txn, key, body.length + Integer.BYTES);
        slot.put(0, body);
        slot.putInt(body.length, checksum(key, body));
    }

    /**
     * The body stored under {@code key}, or {@code null} if there is none.
     *
     * @throws StorageException if the record fails its checksum
     */
    static byte[] get(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer key, String location) {
        ByteBuffer value = meta.get(txn, key);
        if (value == null) {
            return null;
        }
        String name = StandardCharsets.US_ASCII.decode(key.duplicate()).toString();
        if (value.remaining() < Integer.BYTES) {
            throw corrupt(name, location, "record of " + value.remaining() + " bytes has no checksum");
        }
        byte[] body = new byte[value.remaining() - Integer.BYTES];
        value.get(value.position(), body);
        int stored = value.getInt(value.position() + body.length);
        int computed = checksum(key, body);
        if (stored != computed) {
            throw corrupt(
                    name, location, String.format("CRC32C mismatch (stored %08x, computed %08x)", stored, computed));
        }
        return body;
    }

    static byte[] encodeFormat() {
        return ByteBuffer.allocate(Integer.BYTES).putInt(FORMAT_VERSION).array();
    }

    static void checkFormat(byte[] body, String location) {
        int version = body.length == Integer.BYTES ? ByteBuffer.wrap(body).getInt() : -1;
        if (version != FORMAT_VERSION) {
            throw new StorageException("the data in " + location + " has format version " + version
                    + ", this store reads version " + FORMAT_VERSION);
        }
    }

    static byte[] encodeHardState(HardState state) {
        byte[] vote = state.votedFor()
                .map(id -> id.value().getBytes(StandardCharsets.US_ASCII))
                .orElse(new byte[0]);
        return ByteBuffer.allocate(Long.BYTES + 1 + vote.length)
                .putLong(state.term())
                .put((byte) vote.length)
                .put(vote)
                .array();
    }

    static HardState decodeHardState(byte[] body, String location) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(body);
            long term = buffer.getLong();
            byte[] vote = new byte[buffer.get()];
            buffer.get(vote);
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " trailing bytes");
            }
            Optional<NodeId> votedFor = vote.length == 0
                    ? Optional.empty()
                    : Optional.of(NodeId.of(new String(vote, StandardCharsets.US_ASCII)));
            return new HardState(term, votedFor);
        } catch (RuntimeException e) {
            throw corrupt(HARD_STATE, location, "cannot decode: " + e.getMessage());
        }
    }

    /** Encodes where the log starts: its first index and the term of the entry before it. */
    static byte[] encodeLogStart(long firstIndex, long termBeforeFirst) {
        return ByteBuffer.allocate(2 * Long.BYTES)
                .putLong(firstIndex)
                .putLong(termBeforeFirst)
                .array();
    }

    /** Decodes {@link #encodeLogStart} into {@code {firstIndex, termBeforeFirst}}. */
    static long[] decodeLogStart(byte[] body, String location) {
        if (body.length != 2 * Long.BYTES) {
            throw corrupt(LOG_START, location, "expected 16 bytes, found " + body.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(body);
        long first = buffer.getLong();
        long termBefore = buffer.getLong();
        if (first < 1 || termBefore < 0) {
            throw corrupt(LOG_START, location, "first index " + first + ", term before it " + termBefore);
        }
        return new long[] {first, termBefore};
    }

    private static int checksum(ByteBuffer key, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(key.duplicate());
        crc.update(body);
        return (int) crc.getValue();
    }

    private static StorageException corrupt(String name, String location, String detail) {
        return new StorageException("corrupt metadata record '" + name + "' in " + location + ": " + detail);
    }
}
