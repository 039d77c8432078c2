package io.raftlog.api;

/**
 * A read asked for an offset the log no longer holds (below its log start offset, removed by
 * retention or {@link ReplicatedLog#deleteRecordsBefore}), like Kafka's exception of the same
 * name. Reset the position: to {@link #logStartOffset()} for the earliest record still held, or to
 * {@link #highWatermark()} + 1 for only new ones.
 */
public final class OffsetOutOfRangeException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final long logStartOffset;
    private final long highWatermark;

    public OffsetOutOfRangeException(long offset, long logStartOffset, long highWatermark) {
        super("offset " + offset + " is out of range: the log holds offsets " + logStartOffset + " to "
                + highWatermark + " (log start offset " + logStartOffset + ", high watermark " + highWatermark
                + "); earlier records were removed by retention");
        this.offset = offset;
        this.logStartOffset = logStartOffset;
        this.highWatermark = highWatermark;
    }

    /** The offset asked for. */
    public long offset() {
        return offset;
    }

    /** The first offset the log holds now. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** The highest committed offset when the read was refused. */
    public long highWatermark() {
        return highWatermark;
    }
}
