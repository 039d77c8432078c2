package io.raftlog.core.protocol;

import io.raftlog.api.message.LogEntry;
import java.util.List;

/**
 * The log's in-memory entries, oldest first, in a ring: entries leave at the front in O(1) (an
 * {@code ArrayList} shifts every remaining entry), arrive at the back, and are read by position.
 * Owned by the protocol's thread.
 */
final class EntryRing {
    private LogEntry[] entries = new LogEntry[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The entry {@code position} places from the front. */
    LogEntry get(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " of " + size);
        }
        return entries[(head + position) & (entries.length - 1)];
    }

    LogEntry first() {
        return get(0);
    }

    void addAll(List<LogEntry> added) {
        int needed = size + added.size();
        if (needed > entries.length) {
            grow(needed);
        }
        int mask = entries.length - 1;
        for (int i = 0; i < added.size(); i++) {
            entries[(head + size + i) & mask] = added.get(i);
        }
        size = needed;
    }

    /** Drops the front entry. */
    void removeFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        entries[head] = null;
        head = (head + 1) & (entries.length - 1);
        size--;
    }

    /** Keeps the first {@code kept} entries, drops the rest. */
    void truncateTo(int kept) {
        if (kept < 0 || kept > size) {
            throw new IndexOutOfBoundsException("keep " + kept + " of " + size);
        }
        int mask = entries.length - 1;
        for (int i = kept; i < size; i++) {
            entries[(head + i) & mask] = null;
        }
        size = kept;
    }

    void clear() {
        truncateTo(0);
        head = 0;
    }

    /** A copy of the entries at positions {@code from} (inclusive) to {@code to} (exclusive). */
    List<LogEntry> copy(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("copy " + from + ".." + to + " of " + size);
        }
        LogEntry[] copy = new LogEntry[to - from];
        for (int i = from; i < to; i++) {
            copy[i - from] = get(i);
        }
        return List.of(copy);
    }

    private void grow(int needed) {
        int capacity = Integer.highestOneBit(needed - 1) << 1;
        LogEntry[] grown = new LogEntry[Math.max(capacity, entries.length * 2)];
        for (int i = 0; i < size; i++) {
            grown[i] = get(i);
        }
        entries = grown;
        head = 0;
    }
}
