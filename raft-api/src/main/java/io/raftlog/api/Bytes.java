package io.raftlog.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable sequence of bytes: a record's payload.
 *
 * <p>Backed by a read-only {@link ByteBuffer} view, so a store or transport can hand out a
 * payload without copying it (for example a slice of a memory-mapped page). Equality and hash
 * code are by content. Instances are safe to share between threads.
 */
public final class Bytes {
    /** The empty byte sequence. */
    public static final Bytes EMPTY = new Bytes(ByteBuffer.allocate(0).asReadOnlyBuffer());

    private final ByteBuffer buffer;

    private Bytes(ByteBuffer readOnly) {
        this.buffer = readOnly;
    }

    /** Copies {@code bytes}; later changes to the array do not show through. */
    public static Bytes copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer());
    }

    /** Copies {@code length} bytes of {@code bytes} from {@code offset}. */
    public static Bytes copyOf(byte[] bytes, int offset, int length) {
        return length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)).asReadOnlyBuffer());
    }

    /** The UTF-8 encoding of {@code text}. */
    public static Bytes ofUtf8(String text) {
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        return encoded.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(encoded).asReadOnlyBuffer());
    }

    /** Copies the remaining bytes of {@code buffer}; its position is not moved. */
    public static Bytes copyOf(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate()).flip();
        return new Bytes(copy.asReadOnlyBuffer());
    }

    /**
     * Wraps the remaining bytes of {@code buffer} without copying. The caller promises that
     * nobody writes to those bytes while this instance or a view of it is reachable; stores use
     * this to return payloads that live in a read transaction or a reused buffer they own.
     */
    public static Bytes wrap(ByteBuffer buffer) {
        return buffer.remaining() == 0 ? EMPTY : new Bytes(buffer.slice().asReadOnlyBuffer());
    }

    /** Number of bytes. */
    public int size() {
        return buffer.remaining();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The byte at {@code index}, counted from 0. */
    public byte byteAt(int index) {
        return buffer.get(buffer.position() + index);
    }

    /** A fresh read-only view positioned at the first byte; reading it does not affect this instance. */
    public ByteBuffer asReadOnlyBuffer() {
        return buffer.duplicate();
    }

    /** Writes all bytes to {@code target} at its position, advancing it. */
    public void copyTo(ByteBuffer target) {
        target.put(buffer.duplicate());
    }

    /** A new array holding a copy of the bytes. */
    public byte[] toByteArray() {
        byte[] copy = new byte[size()];
        buffer.duplicate().get(copy);
        return copy;
    }

    /** Decodes the bytes as UTF-8. */
    public String toUtf8() {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bytes that && buffer.equals(that.buffer);
    }

    @Override
    public int hashCode() {
        return buffer.hashCode();
    }

    @Override
    public String toString() {
        int shown = Math.min(size(), 16);
        StringBuilder text = new StringBuilder("Bytes[").append(size()).append(':');
        for (int i = 0; i < shown; i++) {
            text.append(String.format("%02x", byteAt(i)));
        }
        return text.append(shown < size() ? "…]" : "]").toString();
    }
}
