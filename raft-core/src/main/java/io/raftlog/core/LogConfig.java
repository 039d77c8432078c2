package io.raftlog.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a node's log is kept over time: what retention removes, and how often the node snapshots
 * its state so that a restart replays only the tail and the log below a snapshot can go.
 *
 * <p>Retention works as Kafka's does: the leader decides from its own view of the log and
 * replicates the decision as an entry, so every replica moves its log start offset at the same
 * position. Records below the log start offset are gone for readers at once; their disk space
 * is freed once a snapshot lies at or past them (a node snapshots every
 * {@code snapshotEveryEntries} entries or {@code snapshotEveryBytes} bytes applied).
 *
 * @param retentionBytes       keep about this many bytes of records (entry sizes as counted
 *                             for batching), 0 for no size limit; removal goes in steps of about
 *                             1/64 of it
 * @param retentionTime        remove records applied longer ago than this, {@link Duration#ZERO}
 *                             for no age limit (the age is measured on the leader, from when
 *                             it applied them)
 * @param snapshotEveryEntries take a snapshot after this many entries applied since the last
 * @param snapshotEveryBytes   … or after this many bytes of entries applied since the last
 * @param snapshotChunkBytes   the size of the chunks a snapshot is sent to a follower in
 * @param snapshotWindowChunks chunks in flight to one follower (flow control)
 */
public record LogConfig(
        long retentionBytes,
        Duration retentionTime,
        long snapshotEveryEntries,
        long snapshotEveryBytes,
        int snapshotChunkBytes,
        int snapshotWindowChunks) {

    /** Nothing removed; a snapshot every 100,000 entries or 64 MiB; 1 MiB chunks, 4 in flight. */
    public static LogConfig defaults() {
        return new LogConfig(0, Duration.ZERO, 100_000, 64L << 20, 1 << 20, 4);
    }

    public LogConfig {
        Objects.requireNonNull(retentionTime, "retentionTime");
        if (retentionBytes < 0) {
            throw new IllegalArgumentException("retentionBytes must be >= 0 (0: no limit), was " + retentionBytes);
        }
        if (retentionTime.isNegative()) {
            throw new IllegalArgumentException("retentionTime must be >= 0 (0: no limit), was " + retentionTime);
        }
        if (snapshotEveryEntries < 1 || snapshotEveryBytes < 1) {
            throw new IllegalArgumentException("snapshotEveryEntries and snapshotEveryBytes must be positive, were "
                    + snapshotEveryEntries + " and " + snapshotEveryBytes);
        }
        if (snapshotChunkBytes < 1024 || snapshotWindowChunks < 1) {
            throw new IllegalArgumentException("snapshotChunkBytes must be >= 1024 and snapshotWindowChunks >= 1, were "
                    + snapshotChunkBytes + " and " + snapshotWindowChunks);
        }
    }

    /** This configuration keeping about {@code bytes} of records (0: no limit). */
    public LogConfig withRetentionBytes(long bytes) {
        return new LogConfig(
                bytes,
                retentionTime,
                snapshotEveryEntries,
                snapshotEveryBytes,
                snapshotChunkBytes,
                snapshotWindowChunks);
    }

    /** This configuration keeping records for about {@code time} (zero: no limit). */
    public LogConfig withRetentionTime(Duration time) {
        return new LogConfig(
                retentionBytes,
                time,
                snapshotEveryEntries,
                snapshotEveryBytes,
                snapshotChunkBytes,
                snapshotWindowChunks);
    }

    /** This configuration snapshotting every {@code entries} entries or {@code bytes} bytes applied. */
    public LogConfig withSnapshotEvery(long entries, long bytes) {
        return new LogConfig(retentionBytes, retentionTime, entries, bytes, snapshotChunkBytes, snapshotWindowChunks);
    }

    /** This configuration sending snapshots in chunks of {@code bytes}, {@code window} at a time. */
    public LogConfig withSnapshotChunks(int bytes, int window) {
        return new LogConfig(retentionBytes, retentionTime, snapshotEveryEntries, snapshotEveryBytes, bytes, window);
    }
}
