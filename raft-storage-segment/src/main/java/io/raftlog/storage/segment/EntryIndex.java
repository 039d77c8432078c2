package io.raftlog.storage.segment;

import io.raftlog.api.message.LogEntry;
import java.util.List;
import java.util.TreeSet;

/**
 * Where each entry of the log lies (segment and offset of its frame, packed in one long: see
 * {@link #position}), its payload length and its term: the whole log's shape, in memory (20 bytes an
 * entry). Rebuilt at open by replaying the segments' records; then kept in step with every record
 * the store writes. During the replay an entry may be <em>unplaced</em> ({@link #UNPLACED}): named by
 * the oldest segment's START record, held by a segment already deleted; a replay that ends with an
 * unplaced entry in the log has lost a segment.
 *
 * <p>The {@code check*} methods say whether an operation fits the log, with the message the SPI's
 * {@link IllegalArgumentException} carries; the mutators assume the check passed.
 *
 * <p>The figures live in pages of {@value #PAGE} entries: the log grows a page at a time and sheds
 * whole pages from its start, so no append copies the index or allocates more than a page. (Doubled
 * arrays did: at some millions of entries each growth allocated and copied hundreds of megabytes
 * under the store's write lock, and a node's loop waiting on that lock stopped heartbeating for
 * most of a second; the followers elected another leader.)
 *
 * <p>Not thread-safe: {@link SegmentLogStore} changes it under its write lock and reads it under its
 * read lock.
 */
final class EntryIndex {
    /** The position of an entry whose frame lies in a deleted segment (during the replay only). */
    static final long UNPLACED = -1;
    /** The term of such an entry when its START record does not say it (-1: any term fits). */
    static final long UNKNOWN_TERM = -1;

    private long firstIndex = 1;
    private long termBeforeFirst;
    static final int PAGE_BITS = 14;
    /** Entries a page holds: 16,384 (128 KiB of positions, as many of terms, 64 KiB of lengths). */
    static final int PAGE = 1 << PAGE_BITS;

    private static final int MASK = PAGE - 1;
    private static final int FIRST_DIRECTORY = 4;

    // Slot head + i holds entry firstIndex + i, for i < count; slot s lies in page s >>> PAGE_BITS.
    private long[][] positions = new long[FIRST_DIRECTORY][];
    private long[][] terms = new long[FIRST_DIRECTORY][];
    private int[][] payloadBytes = new int[FIRST_DIRECTORY][];
    /** Pages allocated: directory entries 0..pages - 1. */
    private int pages;
    /** The slot of the first entry: always in the first page. */
    private int head;

    private int count;
    /** The present entries that were repaired: their frames lie out of order (rare). */
    private final TreeSet<Long> replaced = new TreeSet<>();

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
        return count == 0 ? termBeforeFirst : termAtSlot(head + count - 1);
    }

    /** The term of {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}. */
    long term(long index) {
        if (index < firstIndex - 1 || index > lastIndex()) {
            throw new IllegalArgumentException("term(" + index + ") is outside " + (firstIndex - 1) + ".." + lastIndex()
                    + " (firstIndex() - 1 .. lastIndex())");
        }
        return index == firstIndex - 1 ? termBeforeFirst : termAtSlot(slot(index));
    }

    /** The frame's place: the segment's sequence in the high 32 bits, the file offset in the low 32. */
    long position(long index) {
        int slot = slot(index);
        return positions[slot >>> PAGE_BITS][slot & MASK];
    }

    static long position(long sequence, long offset) {
        return (sequence << 32) | offset;
    }

    static long sequenceOf(long position) {
        return position >>> 32;
    }

    static long offsetOf(long position) {
        return position & 0xFFFF_FFFFL;
    }

    int payloadBytes(long index) {
        int slot = slot(index);
        return payloadBytes[slot >>> PAGE_BITS][slot & MASK];
    }

    long frameBytes(long index) {
        return Records.FRAME_HEADER_BYTES + (long) payloadBytes(index);
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
        long stored = term(entry.index());
        if (stored != UNKNOWN_TERM && entry.term() != stored) {
            throw new IllegalArgumentException(
                    "replace(" + entry.index() + ") must keep the stored term " + stored + ", got " + entry.term());
        }
    }

    // ---- mutators -----------------------------------------------------------------------------

    void append(long position, int payloadLength, long term) {
        int slot = head + count;
        int page = slot >>> PAGE_BITS;
        if (page == pages) {
            addPage();
        }
        set(slot, position, payloadLength, term);
        count++;
    }

    void replace(long index, long position, int payloadLength, long term) {
        set(slot(index), position, payloadLength, term);
        replaced.add(index);
    }

    void truncateSuffix(long fromIndex) {
        replaced.tailSet(fromIndex).clear();
        count = (int) (fromIndex - firstIndex);
        // Pages past the last entry go back (one stays, half filled or not).
        int needed = Math.max(1, (head + count + MASK) >>> PAGE_BITS);
        for (int page = needed; page < pages; page++) {
            positions[page] = null;
            terms[page] = null;
            payloadBytes[page] = null;
        }
        pages = Math.min(pages, needed);
    }

    void truncatePrefix(long toIndex) {
        truncatePrefix(toIndex, term(toIndex - 1));
    }

    void truncatePrefix(long toIndex, long newTermBefore) {
        replaced.headSet(toIndex).clear();
        int removed = (int) (toIndex - firstIndex);
        head += removed;
        count -= removed;
        firstIndex = toIndex;
        termBeforeFirst = newTermBefore;
        int dead = Math.min(head >>> PAGE_BITS, pages); // pages wholly before the first entry
        if (dead > 0) {
            shed(positions, dead);
            shed(terms, dead);
            shed(payloadBytes, dead);
            pages -= dead;
            head -= dead << PAGE_BITS;
        }
    }

    void reset(long index, long term) {
        positions = new long[FIRST_DIRECTORY][]; // a reset drops the whole log: give back what a long one held
        terms = new long[FIRST_DIRECTORY][];
        payloadBytes = new int[FIRST_DIRECTORY][];
        pages = 0;
        head = 0;
        count = 0;
        replaced.clear();
        firstIndex = index + 1;
        termBeforeFirst = term;
    }

    /**
     * The lowest segment sequence holding a present entry, or -1 if the log is empty. Entries are
     * appended in order, so their frames' positions rise with the index, except where an entry was
     * repaired (its frame moved to a later REPLACE record): the lowest is among the repaired entries
     * at the start of the log and the first entry after them that was not repaired.
     */
    long lowestSequence() {
        long lowest = -1;
        for (long index = firstIndex; index <= lastIndex(); index++) {
            long sequence = sequenceOf(position(index));
            lowest = lowest < 0 ? sequence : Math.min(lowest, sequence);
            if (!replaced.contains(index)) {
                break;
            }
        }
        return lowest;
    }

    /** The first index in {@code firstIndex()..lastIndex()} whose frame is not placed, or -1. */
    long firstUnplaced() {
        for (int slot = head; slot < head + count; slot++) {
            if (positions[slot >>> PAGE_BITS][slot & MASK] == UNPLACED) {
                return firstIndex + (slot - head);
            }
        }
        return -1;
    }

    private int slot(long index) {
        return head + (int) (index - firstIndex);
    }

    private long termAtSlot(int slot) {
        return terms[slot >>> PAGE_BITS][slot & MASK];
    }

    private void set(int slot, long position, int payloadLength, long term) {
        int page = slot >>> PAGE_BITS;
        int at = slot & MASK;
        positions[page][at] = position;
        terms[page][at] = term;
        payloadBytes[page][at] = payloadLength;
    }

    /** A page more at the end; the directories (a reference a page) double when full. */
    private void addPage() {
        if (pages == positions.length) {
            positions = java.util.Arrays.copyOf(positions, pages * 2);
            terms = java.util.Arrays.copyOf(terms, pages * 2);
            payloadBytes = java.util.Arrays.copyOf(payloadBytes, pages * 2);
        }
        positions[pages] = new long[PAGE];
        terms[pages] = new long[PAGE];
        payloadBytes[pages] = new int[PAGE];
        pages++;
    }

    /** Drops the first {@code dead} pages of {@code directory}, moving the rest to its front. */
    private void shed(Object[] directory, int dead) {
        System.arraycopy(directory, dead, directory, 0, pages - dead);
        java.util.Arrays.fill(directory, pages - dead, pages, null);
    }
}
