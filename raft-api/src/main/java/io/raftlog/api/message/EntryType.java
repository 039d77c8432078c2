package io.raftlog.api.message;

/** What a log entry carries. The codes are part of the wire and disk format: never reuse one. */
public enum EntryType {
    /** A record appended by a producer. */
    DATA(0),
    /** The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2, §8). */
    NOOP(1),
    /** A cluster membership configuration (reserved for membership changes). */
    CONFIGURATION(2),
    /**
     * Internal: the header of an idempotent producer's batch — producer id, first sequence number,
     * record count and the leader's clock — placed just before the batch's data entries, so every
     * replica rebuilds the same de-duplication state from its log.
     */
    PRODUCER_BATCH(3),
    /**
     * Internal: moves the log start offset to the 8-byte offset it carries (retention, or
     * {@link io.raftlog.api.ReplicatedLog#deleteRecordsBefore}); every replica applies it at the same
     * position, so all agree on which records the log still holds.
     */
    LOG_START(4);

    private static final EntryType[] BY_CODE = {DATA, NOOP, CONFIGURATION, PRODUCER_BATCH, LOG_START};

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    /** The stable numeric code used in encodings. */
    public int code() {
        return code;
    }

    /** The type with {@code code}, or {@code null} if the code is unknown. */
    public static EntryType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
