package io.raftlog.examples.kv;

import io.raftlog.api.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A write to the key-value map, as one record of the log. Keys are non-empty strings, values any
 * strings; both travel as UTF-8.
 *
 * <p><b>Format.</b> One header byte, then the fields, each as an unsigned LEB128 length and that
 * many bytes of UTF-8:
 *
 * <pre>
 * header = version &lt;&lt; 4 | operation        (version 1)
 *   operation 1  put              key, value
 *   operation 2  delete           key
 *   operation 3  compare-and-set  key, expected, update   (expected: the key holds this value)
 *   operation 4  compare-and-set  key, update             (expected: the key is absent)
 * </pre>
 *
 * A put of a 5-byte key and a 5-byte value is 13 bytes. The version is in every record because the
 * log outlives the code: a node must recognise a record written by a newer client (or by a
 * producer that is not a key-value client at all) and reject it, not misread it. Decoding such a
 * record throws {@link MalformedWriteException}.
 */
public sealed interface KvWrite {
    /** The format version this code writes and the only one it reads. */
    int FORMAT_VERSION = 1;

    /** The key written. */
    String key();

    /**
     * Sets {@code key} to {@code value}.
     *
     * @param key   non-empty
     * @param value any string, the empty one included
     */
    record Put(String key, String value) implements KvWrite {
        public Put {
            requireKey(key);
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Removes {@code key} (nothing happens if it is absent).
     *
     * @param key non-empty
     */
    record Delete(String key) implements KvWrite {
        public Delete {
            requireKey(key);
        }
    }

    /**
     * Sets {@code key} to {@code update} if it holds {@code expected} now.
     *
     * @param key      non-empty
     * @param expected the value the key must hold, or null: the key must be absent
     * @param update   the value to set
     */
    record CompareAndSet(String key, String expected, String update) implements KvWrite {
        public CompareAndSet {
            requireKey(key);
            Objects.requireNonNull(update, "update");
        }
    }

    /** This write as a record payload, in the format above. */
    default Bytes encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + key().length() * 2);
        if (this instanceof Put put) {
            out.write(header(1));
            WireFields.write(out, put.key());
            WireFields.write(out, put.value());
        } else if (this instanceof Delete delete) {
            out.write(header(2));
            WireFields.write(out, delete.key());
        } else if (this instanceof CompareAndSet cas && cas.expected() != null) {
            out.write(header(3));
            WireFields.write(out, cas.key());
            WireFields.write(out, cas.expected());
            WireFields.write(out, cas.update());
        } else {
            CompareAndSet cas = (CompareAndSet) this;
            out.write(header(4));
            WireFields.write(out, cas.key());
            WireFields.write(out, cas.update());
        }
        return Bytes.wrap(out.toByteArray());
    }

    /**
     * The write {@code payload} holds.
     *
     * @throws MalformedWriteException if it is not a write of {@link #FORMAT_VERSION}, saying why
     */
    static KvWrite decode(Bytes payload) {
        ByteBuffer in = payload.asReadOnlyBuffer();
        if (!in.hasRemaining()) {
            throw new MalformedWriteException("an empty record is not a key-value write");
        }
        int header = in.get() & 0xFF;
        int version = header >>> 4;
        if (version != FORMAT_VERSION) {
            throw new MalformedWriteException("not a key-value write of format version " + FORMAT_VERSION
                    + ": its header byte 0x" + Integer.toHexString(header) + " names version " + version);
        }
        int operation = header & 0x0F;
        KvWrite write = switch (operation) {
            case 1 -> new Put(WireFields.readKey(in), WireFields.read(in, "value"));
            case 2 -> new Delete(WireFields.readKey(in));
            case 3 ->
                new CompareAndSet(
                        WireFields.readKey(in), WireFields.read(in, "expected"), WireFields.read(in, "update"));
            case 4 -> new CompareAndSet(WireFields.readKey(in), null, WireFields.read(in, "update"));
            default ->
                throw new MalformedWriteException(
                        "unknown key-value operation " + operation + " (version 1 has 1 to 4)");
        };
        if (in.hasRemaining()) {
            throw new MalformedWriteException(
                    in.remaining() + " bytes after the end of a key-value write (operation " + operation + ")");
        }
        return write;
    }

    private static int header(int operation) {
        return FORMAT_VERSION << 4 | operation;
    }

    private static void requireKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a key must not be empty");
        }
    }
}
