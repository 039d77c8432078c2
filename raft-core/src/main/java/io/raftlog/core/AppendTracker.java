package io.raftlog.core;

import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.spi.metrics.NodeMetrics;
import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.RandomAccess;

/**
 * The appends a leader accepted and whose outcome is not yet known, ordered by index. Owned by
 * the event loop.
 *
 * <p>An append's outcome is learnt when this node applies its last index, even if the node lost
 * leadership meanwhile: if the committed entry there has the append's term, the append committed
 * (Log Matching: the whole batch did); otherwise a later leader replaced it and it never will
 * commit — a definite failure.
 */
final class AppendTracker {
    private final NodeMetrics metrics;
    private final NodeClock clock;

    AppendTracker(NodeMetrics metrics, NodeClock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Ordered by last index. A leader accepts appends in log order, so new ones go at the end of
     * {@code accepted}; only a node that leads again after its log was cut back accepts below older
     * outstanding ones, and those wait in {@code belowOlder} (a heap, so that a backlog of them
     * costs O(log n) each rather than a rebuild of the queue). Resolution takes the lower head.
     */
    private final ArrayDeque<AppendOutcome<?>> accepted = new ArrayDeque<>();

    private final PriorityQueue<AppendOutcome<?>> belowOlder =
            new PriorityQueue<>((a, b) -> Long.compare(a.lastIndex, b.lastIndex));

    void accepted(long firstIndex, int count, long term, AppendOutcome<?> append) {
        append.firstIndex = firstIndex;
        append.lastIndex = firstIndex + count - 1;
        append.term = term;
        append.acceptedNanos = clock.nanoTime();
        AppendOutcome<?> last = accepted.peekLast();
        if (last == null || last.lastIndex <= append.lastIndex) {
            accepted.addLast(append);
        } else {
            belowOlder.add(append);
        }
    }

    /** The outstanding append with the lowest last index, or null. */
    private AppendOutcome<?> lowest() {
        AppendOutcome<?> inOrder = accepted.peekFirst();
        AppendOutcome<?> other = belowOlder.peek();
        if (other == null || (inOrder != null && inOrder.lastIndex <= other.lastIndex)) {
            return inOrder;
        }
        return other;
    }

    private void remove(AppendOutcome<?> append) {
        if (accepted.peekFirst() == append) {
            accepted.pollFirst();
        } else {
            belowOlder.poll();
        }
    }

    int size() {
        return accepted.size() + belowOlder.size();
    }

    /** Resolves every append whose entries are all at or below the applied index. */
    void applied(long appliedIndex, java.util.function.LongUnaryOperator termAt, NodeId self, Optional<NodeId> leader) {
        AppendOutcome<?> append;
        long appliedTerm = Long.MIN_VALUE; // looked up once, for the first append resolved
        while ((append = lowest()) != null && append.lastIndex <= appliedIndex) {
            // Looked up before the append leaves the queue: a lookup that meets a damaged entry
            // throws, and the append must still be here when the repaired entry is applied.
            if (appliedTerm == Long.MIN_VALUE) {
                appliedTerm = termAt.applyAsLong(appliedIndex);
            }
            // The applied entry has the append's term: this node made it as that term's leader,
            // and by Log Matching the committed log up to it is that leader's, the append's
            // entries included. One lookup then answers a whole run of appends of the term.
            long lastTerm = appliedTerm == append.term ? appliedTerm : termAt.applyAsLong(append.lastIndex);
            long firstTerm = lastTerm == append.term ? lastTerm : termAt.applyAsLong(append.firstIndex);
            remove(append);
            if (lastTerm == append.term) {
                metrics.commitLatency(clock.nanoTime() - append.acceptedNanos);
                append.committed(append.firstIndex, (int) (append.lastIndex - append.firstIndex + 1));
            } else if (firstTerm == append.term) {
                append.failed(new IndeterminateResultException("only a prefix of the batch at " + append.firstIndex
                        + ".." + append.lastIndex + " committed; a new leader replaced the rest"));
            } else if (firstTerm < 0) {
                append.failed(new IndeterminateResultException("the entries at " + append.firstIndex
                        + ".." + append.lastIndex + " were replaced by a snapshot before their outcome was"
                        + " known here"));
            } else {
                append.failed(new NotLeaderException(self, leader));
            }
        }
    }

    /**
     * The offsets of a committed append, {@code first} to {@code first + count - 1}: an immutable
     * list that stores two numbers rather than a boxed Long each.
     */
    static final class Offsets extends AbstractList<Long> implements RandomAccess {
        private final long first;
        private final int count;

        Offsets(long first, int count) {
            this.first = first;
            this.count = count;
        }

        @Override
        public Long get(int index) {
            java.util.Objects.checkIndex(index, count);
            return first + index;
        }

        @Override
        public int size() {
            return count;
        }
    }

    /** The node stops: every outcome is unknown to the caller. */
    void failAll(String reason) {
        for (AppendOutcome<?> append : accepted) {
            append.failed(new IndeterminateResultException(reason));
        }
        for (AppendOutcome<?> append : belowOlder) {
            append.failed(new IndeterminateResultException(reason));
        }
        accepted.clear();
        belowOlder.clear();
    }
}
