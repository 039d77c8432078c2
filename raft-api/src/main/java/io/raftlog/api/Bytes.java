package io.raftlog.api;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable sequence of bytes: a record's payload.
 *
 * <p>Backed either by a range of an array that only this instance holds (what copies and
 * decoders make: one object besides the array), or by a {@link ByteBuffer} view, so a store or
 * transport can hand out a payload without copying it (for example a slice of a memory-mapped
 * page). Neither backing ever leaves this class except as a read-only view or a copy. Equality
 * and hash code are by content, whatever the backing. Instances are safe to share between
 * threads: nothing in them moves after construction.
 */
public final class Bytes {
    /** The empty byte sequence. */
    public static final Bytes EMPTY = new Bytes(new byte[0], 0, 0);

    /** The backing array, or null when the bytes live in {@link #buffer}. */
    private final byte[] array;

    private final int offset;
    private final int length;
    /** The backing view when {@link #array} is null: never written through, position and limit never moved. */
    private final ByteBuffer buffer;

    private Bytes(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        this.buffer = null;
    }

    private Bytes(ByteBuffer view) {
        this.array = null;
        this.offset = 0;
        this.length = view.remaining();
        this.buffer = view;
    }

    /** Copies {@code bytes}; later changes to the array do not show through. */
    public static Bytes copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone(), 0, bytes.length);
    }

    /** Copies {@code length} bytes of {@code bytes} from {@code offset}. */
    public static Bytes copyOf(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, offset, offset + length), 0, length);
    }

    /** The UTF-8 encoding of {@code text}. */
    public static Bytes ofUtf8(String text) {
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        return encoded.length == 0 ? EMPTY : new Bytes(encoded, 0, encoded.length);
    }

    /** Copies the remaining bytes of {@code buffer}; its position is not moved. */
    public static Bytes copyOf(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(buffer.position(), copy);
        return copy.length == 0 ? EMPTY : new Bytes(copy, 0, copy.length);
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
        return array.length == 0 ? EMPTY : new Bytes(array, 0, array.length);
    }

    /** Number of bytes. */
    public int size() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** The byte at {@code index}, counted from 0. */
    public byte byteAt(int index) {
        Objects.checkIndex(index, length);
        return array != null ? array[offset + index] : buffer.get(buffer.position() + index);
    }

    /** A fresh read-only view positioned at the first byte; reading it does not affect this instance. */
    public ByteBuffer asReadOnlyBuffer() {
        if (array != null) {
            return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
        }
        return buffer.asReadOnlyBuffer();
    }

    /**
     * Writes all bytes to {@code target} at its position, advancing it.
     *
     * @throws BufferOverflowException if fewer than {@link #size()} bytes remain in {@code target}
     * @throws ReadOnlyBufferException if {@code target} is read-only
     */
    public void copyTo(ByteBuffer target) {
        if (target.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int at = target.position();
        if (target.limit() - at < length) {
            throw new BufferOverflowException();
        }
        // Absolute bulk copies: no view of either side is made.
        if (array != null) {
            target.put(at, array, offset, length);
        } else {
            target.put(at, buffer, buffer.position(), length);
        }
        target.position(at + length);
    }

    /** A new array holding a copy of the bytes. */
    public byte[] toByteArray() {
        if (array != null) {
            return Arrays.copyOfRange(array, offset, offset + length);
        }
        byte[] copy = new byte[length];
        buffer.get(buffer.position(), copy);
        return copy;
    }

    /** Decodes the bytes as UTF-8. */
    public String toUtf8() {
        if (array != null) {
            return new String(array, offset, length, StandardCharsets.UTF_8);
        }
        return new String(toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Bytes that) || length != that.length) {
            return false;
        }
        if (array != null && that.array != null) {
            return Arrays.equals(array, offset, offset + length, that.array, that.offset, that.offset + length);
        }
        return asView().equals(that.asView());
    }

    @Override
    public int hashCode() {
        int hash = 1;
        if (array != null) {
            for (int i = offset; i < offset + length; i++) {
                hash = 31 * hash + array[i];
            }
        } else {
            int first = buffer.position();
            for (int i = first; i < first + length; i++) {
                hash = 31 * hash + buffer.get(i);
            }
        }
        return hash;
    }

    /** A view for comparisons only: never handed out. */
    private ByteBuffer asView() {
        return array != null ? ByteBuffer.wrap(array, offset, length) : buffer;
    }

    @Override
    public String toString() {
        int shown = Math.min(length, 16);
        StringBuilder text = new StringBuilder("Bytes[").append(length).append(':');
        for (int i = 0; i < shown; i++) {
            text.append(String.format("%02x", byteAt(i)));
        }
        return text.append(shown < length ? "…]" : "]").toString();
    }
}
