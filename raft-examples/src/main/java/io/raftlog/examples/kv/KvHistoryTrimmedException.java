package io.raftlog.examples.kv;

/**
 * A {@link KvView} cannot rebuild the map: the log no longer starts where the view must read from
 * (retention or {@code delete-records} removed the records below {@link #logStartOffset()}), and
 * the map those records built lives only in the nodes' snapshots, which a client cannot read.
 * Nothing changed; no retry helps. Keep the whole log on a cluster that remote key-value clients
 * use, or embed {@link KvStore} in the nodes.
 */
public final class KvHistoryTrimmedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long logStartOffset;

    public KvHistoryTrimmedException(long neededFrom, long logStartOffset, Throwable cause) {
        super(
                "the log starts at offset " + logStartOffset
                        + ", but this key-value view needs its records from offset "
                        + neededFrom
                        + ": the records before were removed (retention or delete-records), and the map they"
                        + " built is only in the nodes' snapshots, which a client cannot read. Keep the whole log on a"
                        + " cluster that 'raftlog kv' uses",
                cause);
        this.logStartOffset = logStartOffset;
    }

    /** The first offset the log still holds. */
    public long logStartOffset() {
        return logStartOffset;
    }
}
