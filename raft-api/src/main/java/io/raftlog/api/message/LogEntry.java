package io.raftlog.api.message;

import io.raftlog.api.Bytes;
import java.util.Objects;

/**
 * One entry of the replicated log.
 *
 * @param index   its position, from 1
 * @param term    the leader term in which it was created, from 1
 * @param type    what it carries
 * @param payload the record bytes ({@link Bytes#EMPTY} for internal entries)
 */
public record LogEntry(long index, long term, EntryType type, Bytes payload) {
    /** What {@link #sizeInBytes(int)} adds to a payload: an estimate of an entry's index, term and type. */
    private static final long HEADER_ESTIMATE_BYTES = 24;

    public LogEntry {
        if (index < 1) {
            throw new IllegalArgumentException("entry index must be >= 1, was " + index);
        }
        if (term < 1) {
            throw new IllegalArgumentException("entry term must be >= 1, was " + term);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
    }

    /** A data entry. */
    public static LogEntry data(long index, long term, Bytes payload) {
        return new LogEntry(index, term, EntryType.DATA, payload);
    }

    /**
     * Bytes this entry counts against size limits (a read's {@code maxBytes}, a batch's bound): its
     * payload plus a fixed header estimate, {@link #sizeInBytes(int)} of its payload's length.
     */
    public long sizeInBytes() {
        return sizeInBytes(payload.size());
    }

    /**
     * What {@link #sizeInBytes()} is for an entry whose payload has {@code payloadLength} bytes,
     * whatever its type: for a store that knows an entry's length before it reads the payload, so
     * it can stop a read at {@code maxBytes} without reading (or decoding) an entry it will not
     * return.
     *
     * @throws IllegalArgumentException if {@code payloadLength} is negative
     */
    public static long sizeInBytes(int payloadLength) {
        if (payloadLength < 0) {
            throw new IllegalArgumentException("a payload length is >= 0, was " + payloadLength);
        }
        return payloadLength + HEADER_ESTIMATE_BYTES;
    }
}
