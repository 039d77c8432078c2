package io.raftlog.storage.segment;

import io.raftlog.api.message.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SegmentLogStore#read}: entries read a window at a time, so that a read of many small
 * entries costs a few system calls, not one each. The caller holds the store's read lock, so the
 * index and the segments do not change meanwhile.
 */
final class EntryReads {
    private static final int READ_AHEAD_BYTES = 1 << 20;
    /** Bytes between two frames read over rather than read apart: a record header between batches. */
    private static final int MAX_GAP_BYTES = 4096;

    private EntryReads() {}

    /**
     * Entries from {@code from}: at most {@code maxEntries}, and no more than fit {@code maxBytes}
     * as {@link LogEntry#sizeInBytes()} counts them, but at least one. The limit is checked from the
     * index's payload lengths before anything is read, so an entry that will not be returned is
     * never read. Each entry returned is checked against its checksum; payloads are views of the
     * buffers read, which nothing writes to again.
     *
     * @throws io.raftlog.api.CorruptLogException if an entry fails its checks
     */
    static List<LogEntry> read(
            EntryIndex index, SegmentFiles files, String location, long from, int maxEntries, long maxBytes)
            throws IOException {
        List<LogEntry> result = new ArrayList<>();
        ByteBuffer window = null;
        long windowStart = 0;
        long bytes = 0;
        for (long next = from; next <= index.lastIndex() && result.size() < maxEntries; next++) {
            long size = LogEntry.sizeInBytes(index.payloadBytes(next));
            if (!result.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            long position = index.position(next);
            long frameEnd = position + index.frameBytes(next);
            if (window == null || position < windowStart || frameEnd > windowStart + window.limit()) {
                int length = (int) readAhead(index, next, maxEntries - result.size(), maxBytes - bytes);
                window = files.read(EntryIndex.sequenceOf(position), EntryIndex.offsetOf(position), length);
                windowStart = position;
            }
            result.add(Records.decode(
                    window,
                    (int) (position - windowStart),
                    next,
                    index.term(next),
                    index.payloadBytes(next),
                    "segment " + EntryIndex.sequenceOf(position) + " at offset " + EntryIndex.offsetOf(position),
                    location));
            bytes += size;
        }
        return result;
    }

    /**
     * How many bytes to read at the frame of {@code from}: the frames of the entries the read may
     * still return (within {@code budgetBytes}), while they lie close together in one segment, up
     * to {@value #READ_AHEAD_BYTES} bytes (more only if the first frame alone is larger).
     */
    private static long readAhead(EntryIndex index, long from, int entries, long budgetBytes) {
        long start = index.position(from);
        long end = start + index.frameBytes(from);
        long wanted = LogEntry.sizeInBytes(index.payloadBytes(from));
        for (long next = from + 1; next <= index.lastIndex() && next < from + entries; next++) {
            long position = index.position(next);
            wanted += LogEntry.sizeInBytes(index.payloadBytes(next));
            // Positions carry the segment in their high bits: another segment is never "close".
            if (position < end || position > end + MAX_GAP_BYTES || wanted > budgetBytes) {
                break;
            }
            if (position + index.frameBytes(next) - start > READ_AHEAD_BYTES) {
                break;
            }
            end = position + index.frameBytes(next);
        }
        return end - start;
    }
}
