package io.raftlog.examples.filestore;

import io.raftlog.api.message.LogEntry;
import java.util.List;

/**
 * Where each entry of the log lies in the file, and its term: the whole log's shape, in memory
 * (20 bytes an entry). Rebuilt from the file at open by replaying its operations; then kept in
 * step with every operation the store commits.
 *
 * <p>The {@code check*} methods say whether an operation fits the log, with the message the SPI's
 * {@link IllegalArgumentException} carries; the mutators assume the check passed.
 *
 * <p>Not thread-safe: {@link FileLogStore} changes it under its write lock and reads it under its
 * read lock.
 */
final class EntryIndex {
    private long firstIndex = 1;
    private long termBeforeFirst;
    // Slot head + i holds entry firstIndex + i, for i < count.
    private long[] positions = new long[1024];
    private long[] terms = new long[1024];
    private int[] payloadBytes = new int[1024];
    private int head;
    private int count;
    /** Bytes of the frames of the entries present: what a rewrite of the file would keep. */
    private long liveBytes;

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return firstIndex + count - 1;
    }

    long termBeforeFirst() {
        return termBeforeFirst;
    }

    long lastTerm() {
        return count == 0 ? termBeforeFirst : terms[head + count - 1];
    }

    long liveBytes() {
        return liveBytes;
    }

    /** The term of {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}. */
    long term(long index) {
        if (index < firstIndex - 1 || index > lastIndex()) {
            throw new IllegalArgumentException("term(" + index + ") is outside " + (firstIndex - 1) + ".." + lastIndex()
                    + " (firstIndex() - 1 .. lastIndex())");
        }
        return index == firstIndex - 1 ? termBeforeFirst : terms[slot(index)];
    }

    long position(long index) {
        return positions[slot(index)];
    }

    int payloadBytes(long index) {
        return payloadBytes[slot(index)];
    }

    long frameBytes(long index) {
        return Frames.HEADER_BYTES + (long) payloadBytes(index);
    }

    // ---- checks -------------------------------------------------------------------------------

    void checkAppend(List<LogEntry> entries) {
        long expected = lastIndex() + 1;
        long previousTerm = lastTerm();
        for (LogEntry entry : entries) {
            if (entry.index() != expected) {
                throw new IllegalArgumentException("expected an entry at index " + expected + ", got " + entry.index()
                        + " (entries must continue the log without gap or overlap)");
            }
            if (entry.term() < previousTerm) {
                throw new IllegalArgumentException("entry " + entry.index() + " has term " + entry.term()
                        + ", below the preceding term " + previousTerm);
            }
            previousTerm = entry.term();
            expected++;
        }
    }

    /** For truncations and reads: {@code index} in {@code firstIndex()..lastIndex() + 1}. */
    void checkBoundary(String operation, long index) {
        if (index < firstIndex || index > lastIndex() + 1) {
            throw new IllegalArgumentException(operation + "(" + index + ") is outside " + firstIndex + ".."
                    + (lastIndex() + 1) + " (firstIndex() .. lastIndex() + 1)");
        }
    }

    /** A repair keeps the entry's index and term: the stored term passed its header checksum. */
    void checkReplace(LogEntry entry) {
        if (entry.index() < firstIndex || entry.index() > lastIndex()) {
            throw new IllegalArgumentException(
                    "replace(" + entry.index() + ") is outside the stored entries " + firstIndex + ".." + lastIndex());
        }
        if (entry.term() != term(entry.index())) {
            throw new IllegalArgumentException("replace(" + entry.index() + ") must keep the stored term "
                    + term(entry.index()) + ", got " + entry.term());
        }
    }

    // ---- mutators -----------------------------------------------------------------------------

    void append(long position, int payloadLength, long term) {
        if (head + count == positions.length) {
            grow();
        }
        int slot = head + count;
        positions[slot] = position;
        terms[slot] = term;
        payloadBytes[slot] = payloadLength;
        count++;
        liveBytes += Frames.HEADER_BYTES + (long) payloadLength;
    }

    void replace(long index, long position, int payloadLength) {
        int slot = slot(index);
        liveBytes += (long) payloadLength - payloadBytes[slot];
        positions[slot] = position;
        payloadBytes[slot] = payloadLength;
    }

    void truncateSuffix(long fromIndex) {
        for (long index = fromIndex; index <= lastIndex(); index++) {
            liveBytes -= frameBytes(index);
        }
        count = (int) (fromIndex - firstIndex);
    }

    void truncatePrefix(long toIndex) {
        long newTermBefore = term(toIndex - 1);
        for (long index = firstIndex; index < toIndex; index++) {
            liveBytes -= frameBytes(index);
        }
        int removed = (int) (toIndex - firstIndex);
        head += removed;
        count -= removed;
        firstIndex = toIndex;
        termBeforeFirst = newTermBefore;
    }

    void reset(long index, long term) {
        positions = new long[1024]; // a reset drops the whole log: give back what a long one held
        terms = new long[1024];
        payloadBytes = new int[1024];
        head = 0;
        count = 0;
        liveBytes = 0;
        firstIndex = index + 1;
        termBeforeFirst = term;
    }

    /** After a rewrite of the file: the entries present now lie at {@code newPositions}, in order. */
    void relocate(long[] newPositions) {
        System.arraycopy(newPositions, 0, positions, head, count);
    }

    private int slot(long index) {
        return head + (int) (index - firstIndex);
    }

    /** Makes room at the end: drops the slots of removed entries first, doubles only if needed. */
    private void grow() {
        int capacity = count * 2 > positions.length ? positions.length * 2 : positions.length;
        positions = moved(positions, capacity);
        terms = moved(terms, capacity);
        int[] lengths = new int[capacity];
        System.arraycopy(payloadBytes, head, lengths, 0, count);
        payloadBytes = lengths;
        head = 0;
    }

    private long[] moved(long[] from, int capacity) {
        long[] to = new long[capacity];
        System.arraycopy(from, head, to, 0, count);
        return to;
    }
}
