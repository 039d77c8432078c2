package io.raftlog.core.protocol;

/**
 * The AppendEntries messages in flight to one follower in replicate mode: a ring of each message's
 * last index and byte size, bounded by count and by bytes. Acknowledging index {@code i} frees
 * every message whose last index is {@code <= i}.
 */
final class Inflights {
    private final long[] lastIndexes;
    private final long[] sizes;
    private final long maxBytes;
    private int start;
    private int count;
    private long bytes;

    Inflights(int maxMessages, long maxBytes) {
        this.lastIndexes = new long[maxMessages];
        this.sizes = new long[maxMessages];
        this.maxBytes = maxBytes;
    }

    boolean full() {
        return count == lastIndexes.length || bytes >= maxBytes;
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    void add(long lastIndex, long size) {
        if (count == lastIndexes.length) {
            throw new IllegalStateException("inflight window is full");
        }
        int slot = (start + count) % lastIndexes.length;
        lastIndexes[slot] = lastIndex;
        sizes[slot] = size;
        count++;
        bytes += size;
    }

    /** Frees every message whose last index is at most {@code index}. */
    void freeTo(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            bytes -= sizes[start];
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    void reset() {
        start = 0;
        count = 0;
        bytes = 0;
    }
}
