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

    /** Bytes this entry counts against size limits: its payload plus a fixed header estimate. */
    public long sizeInBytes() {
        return payload.size() + 24L;
    }
}
