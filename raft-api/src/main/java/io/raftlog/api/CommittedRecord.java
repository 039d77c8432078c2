package io.raftlog.api;

import java.util.Objects;

/**
 * A record that is committed: it is in the log at {@code offset} on a majority and never changes.
 *
 * @param offset  the record's position in the log (its Raft index)
 * @param payload the bytes the producer appended
 */
public record CommittedRecord(long offset, Bytes payload) {
    public CommittedRecord {
        if (offset < 1) {
            throw new IllegalArgumentException("offset must be >= 1, was " + offset);
        }
        Objects.requireNonNull(payload, "payload");
    }
}
