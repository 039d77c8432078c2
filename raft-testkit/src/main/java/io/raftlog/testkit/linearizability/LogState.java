package io.raftlog.testkit.linearizability;

import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Entry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A state of {@link AppendOnlyLogModel}: the records appended so far with their offsets, and the
 * least high watermark the history allows. Immutable; appending shares the older records with
 * the state before (a persistent list, newest first, with a running hash), so a step costs O(1)
 * and comparing two states that share their past is quick.
 *
 * @param <R> the record type
 */
public final class LogState<R> {
    /** How many of the newest records {@link #toString()} shows. */
    private static final int SHOWN = 4;

    /** One record and everything before it; compared by identity (a record would recurse). */
    private static final class Node<R> {
        private final Entry<R> entry;
        private final Node<R> previous;
        private final int hash;

        Node(Entry<R> entry, Node<R> previous, int hash) {
            this.entry = entry;
            this.previous = previous;
            this.hash = hash;
        }

        Entry<R> entry() {
            return entry;
        }

        Node<R> previous() {
            return previous;
        }

        int hash() {
            return hash;
        }
    }

    private final Node<R> newest;
    private final int size;
    private final long minHighWatermark;

    private LogState(Node<R> newest, int size, long minHighWatermark) {
        this.newest = newest;
        this.size = size;
        this.minHighWatermark = minHighWatermark;
    }

    static <R> LogState<R> empty() {
        return new LogState<>(null, 0, 0);
    }

    /** How many records the log holds. */
    public int size() {
        return size;
    }

    /** The offset of the last record, 0 if there is none. */
    public long lastOffset() {
        return newest == null ? 0 : newest.entry().offset();
    }

    /**
     * The least the high watermark can be: the last offset, or more if a high-watermark read showed
     * internal entries after it. Every later append takes an offset above it.
     */
    public long minHighWatermark() {
        return minHighWatermark;
    }

    /** Every record, oldest first. */
    public List<Entry<R>> entries() {
        return from(0, Integer.MAX_VALUE);
    }

    /** The first {@code limit} records at offsets {@code >= fromOffset}, oldest first. */
    List<Entry<R>> from(long fromOffset, int limit) {
        List<Entry<R>> newestFirst = new ArrayList<>();
        for (Node<R> node = newest; node != null && node.entry().offset() >= fromOffset; node = node.previous()) {
            newestFirst.add(node.entry());
        }
        Collections.reverse(newestFirst);
        return newestFirst.size() > limit ? newestFirst.subList(0, limit) : newestFirst;
    }

    LogState<R> append(Entry<R> entry) {
        int hash = 31 * (newest == null ? 1 : newest.hash()) + entry.hashCode();
        return new LogState<>(new Node<>(entry, newest, hash), size + 1, entry.offset());
    }

    LogState<R> withMinHighWatermark(long highWatermark) {
        return highWatermark == minHighWatermark ? this : new LogState<>(newest, size, highWatermark);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof LogState<?> that)
                || size != that.size
                || minHighWatermark != that.minHighWatermark
                || listHash() != that.listHash()) {
            return false;
        }
        // Walk back until both lists share their tail: states reached by the search mostly do.
        Node<?> a = newest;
        Node<?> b = that.newest;
        while (a != b) {
            if (!a.entry().equals(b.entry())) {
                return false;
            }
            a = a.previous();
            b = b.previous();
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * listHash() + Long.hashCode(minHighWatermark);
    }

    private int listHash() {
        return newest == null ? 1 : newest.hash();
    }

    @Override
    public String toString() {
        List<Entry<R>> shown = new ArrayList<>();
        Node<R> node = newest;
        for (int i = 0; i < SHOWN && node != null; i++, node = node.previous()) {
            shown.add(0, node.entry());
        }
        String records = size == 0
                ? "an empty log"
                : "a log of " + size + " records" + (size > SHOWN ? " ending …, " : ": ") + join(shown);
        return records + (minHighWatermark > lastOffset() ? ", high watermark at least " + minHighWatermark : "");
    }

    static String join(List<? extends Entry<?>> entries) {
        StringBuilder out = new StringBuilder();
        for (Entry<?> entry : entries) {
            out.append(out.length() == 0 ? "" : ", ").append(entry);
        }
        return out.toString();
    }
}
