package io.raftlog.storage.segment;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a {@link SegmentLogStore} keeps its data.
 *
 * @param directory    the data directory (created if missing); holds the segment files, the hard
 *                     state, one file per metadata record and the {@code raftlog.lock} that keeps a
 *                     second store out
 * @param segmentBytes the size past which the next write starts a new segment file; segments are
 *                     the unit in which space is given back (a prefix truncation deletes whole
 *                     segments below the new log start), so smaller ones free space sooner and
 *                     larger ones cost fewer files and directory syncs
 */
public record SegmentStoreConfig(Path directory, long segmentBytes) {
    /** The default segment size, 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** The smallest segment size accepted, 4 KiB (tests roll segments often with it). */
    public static final long MIN_SEGMENT_BYTES = 4L << 10;
    /** The largest segment size accepted, 1 GiB (file offsets are kept in 32 bits). */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    public SegmentStoreConfig {
        Objects.requireNonNull(directory, "directory");
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be in " + MIN_SEGMENT_BYTES + ".." + MAX_SEGMENT_BYTES
                    + ", was " + segmentBytes);
        }
    }

    /** Defaults for {@code directory}. */
    public static SegmentStoreConfig of(Path directory) {
        return new SegmentStoreConfig(directory, DEFAULT_SEGMENT_BYTES);
    }

    /** A copy with segments of {@code bytes}. */
    public SegmentStoreConfig withSegmentBytes(long bytes) {
        return new SegmentStoreConfig(directory, bytes);
    }
}
