package io.raftlog.examples.filestore;

import io.raftlog.api.message.LogEntry;
import io.raftlog.storage.files.SharedReadChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link FileLogStore#read}: entries read through the shared channel a window at a time, so that a
 * read of many small entries costs a few system calls, not one each. The caller holds the store's
 * read lock, so the index does not change meanwhile.
 */
final class EntryReads {
    private static final int READ_AHEAD_BYTES = 1 << 20;

    private EntryReads() {}

    /**
     * Entries from {@code from}: at most {@code maxEntries}, and no more than fit {@code maxBytes}
     * as {@link LogEntry#sizeInBytes()} counts them, but at least one. The limit is checked from the
     * index's payload lengths ({@link LogEntry#sizeInBytes(int)}), before anything is read, so an
     * entry that will not be returned is never read. Each entry returned is checked against its
     * checksums; payloads are views of the buffers read, which nothing writes to again.
     *
     * @throws io.raftlog.api.CorruptLogException if an entry fails its checks
     */
    static List<LogEntry> read(
            EntryIndex index, SharedReadChannel channel, String location, long from, int maxEntries, long maxBytes)
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
                window = channel.read(
                        position, (int) readAhead(index, next, maxEntries - result.size(), maxBytes - bytes));
                windowStart = position;
            }
            result.add(Frames.decode(window, (int) (position - windowStart), next, position, location));
            bytes += size;
        }
        return result;
    }

    /**
     * How many bytes to read at the frame of {@code from}: the frames of the entries the read may
     * still return (within {@code budgetBytes} as {@link LogEntry#sizeInBytes(int)} counts them),
     * while they lie one after another in the file, up to {@value #READ_AHEAD_BYTES} bytes (more
     * only if the first frame alone is larger).
     */
    private static long readAhead(EntryIndex index, long from, int entries, long budgetBytes) {
        long start = index.position(from);
        long end = start + index.frameBytes(from);
        long wanted = LogEntry.sizeInBytes(index.payloadBytes(from));
        for (long next = from + 1; next <= index.lastIndex() && next < from + entries; next++) {
            long position = index.position(next);
            wanted += LogEntry.sizeInBytes(index.payloadBytes(next));
            // Markers and truncations lie between operations: a small gap is read over.
            if (position < end || position > end + 4 * Frames.HEADER_BYTES || wanted > budgetBytes) {
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
