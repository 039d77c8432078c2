package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first {@value #CAPACITY} distinct node ids the codec has met in this class loader, with their
 * ASCII bytes; never evicted, and once full no other id is added (those take the codec's slow
 * path). A cluster has a handful of members and every message names two of them, so decoding
 * looks them up here first instead of building and validating a new string and {@link NodeId}
 * each time, and encoding copies the bytes in one go instead of character by character.
 * Lock-free: readers see an immutable array through a volatile field; adding an id publishes a
 * copy one longer, and of two concurrent additions one may be lost (it is added when next met).
 */
final class KnownNodeIds {
    private static final int CAPACITY = 64;

    /** An id with its ASCII bytes, also packed big-endian into longs (zero-padded) to compare 8 at a time. */
    private record Known(NodeId id, byte[] ascii, long[] words) {
        static Known of(NodeId id) {
            byte[] ascii = id.value().getBytes(StandardCharsets.US_ASCII);
            long[] words = new long[(ascii.length + 7) / 8];
            for (int i = 0; i < ascii.length; i++) {
                words[i >> 3] |= (ascii[i] & 0xffL) << (56 - 8 * (i & 7));
            }
            return new Known(id, ascii, words);
        }

        /** Whether {@code in[first, first + ascii.length)} holds this id; {@code in} is big-endian. */
        boolean matches(ByteBuffer in, int first) {
            int length = ascii.length;
            int i = 0;
            for (; i + Long.BYTES <= length; i += Long.BYTES) {
                if (in.getLong(first + i) != words[i >> 3]) {
                    return false;
                }
            }
            if (i == length) {
                return true;
            }
            if (in.limit() - (first + i) >= Long.BYTES) {
                // The tail's bytes are the high ones of a big-endian long; the ones after it are masked off.
                long tail = in.getLong(first + i) & (-1L << (64 - 8 * (length - i)));
                return tail == words[i >> 3];
            }
            for (; i < length; i++) {
                if (in.get(first + i) != ascii[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static volatile Known[] known = new Known[0];

    /**
     * Writes {@code id}'s length byte and ASCII bytes at {@code target}'s position, advancing it.
     * Whole words are written as longs; the last may spill up to seven padding bytes past the id
     * when room allows, which the caller's next fields overwrite (the codec always writes at least
     * eight more bytes after an id, so a spill never passes the end of the message).
     * {@code target} must be big-endian.
     */
    static void write(ByteBuffer target, NodeId id) {
        Known entry = known(id);
        byte[] ascii = entry.ascii;
        int at = target.position();
        target.put(at, (byte) ascii.length);
        int from = at + 1;
        int end = from + ascii.length;
        if (target.limit() - from >= entry.words.length * Long.BYTES) {
            for (int w = 0; w < entry.words.length; w++) {
                target.putLong(from + w * Long.BYTES, entry.words[w]);
            }
        } else {
            target.put(from, ascii);
        }
        target.position(end);
    }

    private KnownNodeIds() {}

    /**
     * The remembered id whose ASCII bytes are {@code in[first, first + length)}, or null. The
     * buffer's byte order must be big-endian (the codec's).
     */
    static NodeId find(ByteBuffer in, int first, int length) {
        for (Known entry : known) {
            if (entry.ascii.length == length && entry.matches(in, first)) {
                return entry.id;
            }
        }
        return null;
    }

    /** The entry of {@code id}, remembered for the next time if it is new. */
    private static Known known(NodeId id) {
        Known[] all = known;
        for (Known entry : all) {
            if (entry.id == id) {
                return entry;
            }
        }
        for (Known entry : all) {
            if (entry.id.equals(id)) {
                return entry;
            }
        }
        return remember(id, all);
    }

    static NodeId remember(NodeId id) {
        return remember(id, known).id;
    }

    private static Known remember(NodeId id, Known[] all) {
        Known entry = Known.of(id);
        if (all.length < CAPACITY) {
            Known[] grown = Arrays.copyOf(all, all.length + 1);
            grown[all.length] = entry;
            known = grown; // a lost race only forgets an id, which is found again next time
        }
        return entry;
    }
}
