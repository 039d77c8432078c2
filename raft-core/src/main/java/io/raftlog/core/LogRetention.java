package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The log start offset and what retention needs to move it: sparse marks of how many bytes the
 * log held, and when, as entries were applied. Owned by the event loop; {@link #logStart()} may be
 * read from any thread.
 *
 * <p>The log start offset moves only when a {@link EntryType#LOG_START} entry is applied, so every
 * replica moves it at the same position. The marks are this node's own (the apply times are its
 * clock's): only a leader uses them, to decide when to propose such an entry, so replicas need
 * not agree on them.
 */
final class LogRetention {
    /** Marks are taken at about this fraction of the retained bytes, so removal goes in steps of it. */
    private static final int STEPS = 64;

    private static final long MIN_MARK_BYTES = 4 * 1024;

    private final long retentionBytes;
    private final long retentionMillis;
    private final long markBytes;
    private final long markMillis;

    private volatile long logStart = 1;
    /** Bytes of every entry applied since index 1 (those below the log start included). */
    private long appliedBytes;

    private long lastIndex;
    /** {index, appliedBytes through index, apply time in ms}, oldest first. */
    private final ArrayDeque<long[]> marks = new ArrayDeque<>();

    LogRetention(LogConfig config) {
        this.retentionBytes = config.retentionBytes();
        this.retentionMillis = config.retentionTime().toMillis();
        this.markBytes = retentionBytes > 0 ? Math.max(MIN_MARK_BYTES, retentionBytes / STEPS) : 1L << 20;
        this.markMillis = retentionMillis > 0 ? Math.max(100, retentionMillis / STEPS) : Long.MAX_VALUE;
    }

    /** The first offset readers may read; entries below it are removed, or about to be. */
    long logStart() {
        return logStart;
    }

    /** Bytes of entries from the log start to the last applied one (estimated from the marks). */
    long bytesHeld() {
        long[] base = null;
        for (long[] mark : marks) {
            if (mark[0] >= logStart) {
                break;
            }
            base = mark;
        }
        return appliedBytes - (base == null ? 0 : base[1]);
    }

    /** Total bytes of entries applied since index 1. */
    long appliedBytes() {
        return appliedBytes;
    }

    /** The payload of a LOG_START entry moving the log start to {@code offset}. */
    static Bytes encode(long offset) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(0, offset));
    }

    /** An entry was applied at {@code nowMillis} (this node's wall clock). */
    void applied(LogEntry entry, long nowMillis) {
        appliedBytes += entry.sizeInBytes();
        lastIndex = entry.index();
        if (entry.type() == EntryType.LOG_START) {
            long offset = entry.payload().asReadOnlyBuffer().getLong();
            // Proposed at most at the high watermark + 1, which is at or below the entry's own index.
            logStart = Math.max(logStart, Math.min(offset, entry.index()));
            dropMarksBelowStart();
        }
        long[] last = marks.peekLast();
        if (last == null || appliedBytes - last[1] >= markBytes || nowMillis - last[2] >= markMillis) {
            marks.addLast(new long[] {entry.index(), appliedBytes, nowMillis});
        }
    }

    /** Keeps one mark below the log start: the base that {@link #bytesHeld()} counts from. */
    private void dropMarksBelowStart() {
        while (marks.size() >= 2) {
            Iterator<long[]> oldest = marks.iterator();
            oldest.next();
            if (oldest.next()[0] >= logStart) {
                return;
            }
            marks.removeFirst();
        }
    }

    /**
     * Where retention would have the log start now, if past where it is: the first offset whose
     * records fit in the retained bytes and are younger than the retention time (judged at mark
     * granularity, never removing more than they allow). 0 if it need not move.
     */
    long wantedStart(long nowMillis) {
        long wanted = 0;
        if (retentionBytes > 0 && bytesHeld() > retentionBytes) {
            for (long[] mark : marks) {
                if (appliedBytes - mark[1] <= retentionBytes) {
                    wanted = Math.max(wanted, mark[0] + 1);
                    break;
                }
            }
        }
        if (retentionMillis > 0) {
            for (long[] mark : marks) {
                if (mark[2] > nowMillis - retentionMillis) {
                    break;
                }
                wanted = Math.max(wanted, mark[0] + 1);
            }
        }
        wanted = Math.min(wanted, lastIndex + 1);
        return wanted > logStart ? wanted : 0;
    }

    /** Writes the log start and the marks: what a snapshot keeps. */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeLong(logStart);
        out.writeLong(appliedBytes);
        out.writeLong(lastIndex);
        out.writeInt(marks.size());
        for (long[] mark : marks) {
            out.writeLong(mark[0]);
            out.writeLong(mark[1]);
            out.writeLong(mark[2]);
        }
    }

    /**
     * Replaces the state with what {@link #writeTo} wrote, for a snapshot ending at {@code index}:
     * the log start is at least {@code index + 1} when the entries up to it are not here (an
     * installed snapshot).
     */
    void readFrom(DataInputStream in, long minimumStart) throws IOException {
        logStart = Math.max(in.readLong(), minimumStart);
        appliedBytes = in.readLong();
        lastIndex = in.readLong();
        marks.clear();
        for (int n = in.readInt(); n > 0; n--) {
            marks.addLast(new long[] {in.readLong(), in.readLong(), in.readLong()});
        }
        dropMarksBelowStart();
    }
}
