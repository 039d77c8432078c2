package io.raftlog.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable sequence of bytes: a record's payload.
 *
 * <p>Backed by a {@link ByteBuffer} view that never leaves this class except as a read-only
 * duplicate, so a store or transport can hand out a payload without copying it (for example a
 * slice of a memory-mapped page). Equality and hash code are by content. Instances are safe to
 * share between threads: the view's position and limit are never moved.
 */
public final class Bytes {
    /** The empty byte sequence. */
    public static final Bytes EMPTY = new Bytes(ByteBuffer.allocate(0));

    /** Never written through, and its position and limit never move: only absolute reads. */
    private final ByteBuffer buffer;

    private Bytes(ByteBuffer view) {
        this.buffer = view;
    }

    /** Copies {@code bytes}; later changes to the array do not show through. */
    public static Bytes copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(bytes.clone()));
    }

    /** Copies {@code length} bytes of {@code bytes} from {@code offset}. */
    public static Bytes copyOf(byte[] bytes, int offset, int length) {
        return length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)));
    }

    /** The UTF-8 encoding of {@code text}. */
    public static Bytes ofUtf8(String text) {
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        return encoded.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(encoded));
    }

    /** Copies the remaining bytes of {@code buffer}; its position is not moved. */
    public static Bytes copyOf(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(buffer.position(), copy);
        return copy.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(copy));
    }

    /**
     * Wraps the remaining bytes of {@code buffer} without copying. The caller promises that
     * nobody writes to those bytes while this instance or a view of it is reachable; stores use
     * this to return payloads that live in a read transaction or a reused buffer they own.
     */
    public static Bytes wrap(ByteBuffer buffer) {
        return buffer.remaining() == 0 ? EMPTY : new Bytes(buffer.slice());
    }

    /**
     * Wraps {@code array} without copying it, for a caller that has just filled a new array and
     * hands it over: nobody may write to the array afterwards.
     */
    public static Bytes wrap(byte[] array) {
        return array.length == 0 ? EMPTY : new Bytes(ByteBuffer.wrap(array));
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
        return buffer.asReadOnlyBuffer();
    }

    /**
     * Writes all bytes to {@code target} at its position, advancing it.
     *
     * @throws java.nio.BufferOverflowException if fewer than {@link #size()} bytes remain in {@code target}
     * @throws java.nio.ReadOnlyBufferException if {@code target} is read-only
     */
    public void copyTo(ByteBuffer target) {
        int size = buffer.remaining();
        int at = target.position();
        if (target.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (target.limit() - at < size) {
            throw new java.nio.BufferOverflowException();
        }
        // Absolute bulk copy: no duplicate of either buffer.
        target.put(at, buffer, buffer.position(), size);
        target.position(at + size);
    }

    /** A new array holding a copy of the bytes. */
    public byte[] toByteArray() {
        byte[] copy = new byte[size()];
        buffer.get(buffer.position(), copy);
        return copy;
    }

    /** Decodes the bytes as UTF-8. */
    public String toUtf8() {
        if (buffer.hasArray()) {
            return new String(buffer.array(), buffer.arrayOffset() + buffer.position(), size(), StandardCharsets.UTF_8);
        }
        return new String(toByteArray(), StandardCharsets.UTF_8);
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
