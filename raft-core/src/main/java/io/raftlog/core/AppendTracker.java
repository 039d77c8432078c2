package io.raftlog.core;

import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.spi.metrics.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

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
    private record Accepted(
            long firstIndex, long lastIndex, long term, CompletableFuture<List<Long>> future, long acceptedNanos) {}

    private final NodeMetrics metrics;
    private final NodeClock clock;

    AppendTracker(NodeMetrics metrics, NodeClock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    private final PriorityQueue<Accepted> accepted =
            new PriorityQueue<>((a, b) -> Long.compare(a.lastIndex(), b.lastIndex()));

    void accepted(long firstIndex, int count, long term, CompletableFuture<List<Long>> future) {
        accepted.add(new Accepted(firstIndex, firstIndex + count - 1, term, future, clock.nanoTime()));
    }

    int size() {
        return accepted.size();
    }

    /** Resolves every append whose entries are all at or below the applied index. */
    void applied(long appliedIndex, java.util.function.LongUnaryOperator termAt, NodeId self, Optional<NodeId> leader) {
        while (!accepted.isEmpty() && accepted.peek().lastIndex() <= appliedIndex) {
            Accepted append = accepted.poll();
            if (termAt.applyAsLong(append.lastIndex()) == append.term()) {
                List<Long> offsets = new ArrayList<>((int) (append.lastIndex() - append.firstIndex() + 1));
                for (long index = append.firstIndex(); index <= append.lastIndex(); index++) {
                    offsets.add(index);
                }
                metrics.commitLatency(clock.nanoTime() - append.acceptedNanos());
                append.future().complete(offsets);
            } else if (termAt.applyAsLong(append.firstIndex()) == append.term()) {
                append.future()
                        .completeExceptionally(
                                new IndeterminateResultException("only a prefix of the batch at " + append.firstIndex()
                                        + ".." + append.lastIndex() + " committed; a new leader replaced the rest"));
            } else if (termAt.applyAsLong(append.firstIndex()) < 0) {
                append.future()
                        .completeExceptionally(new IndeterminateResultException("the entries at " + append.firstIndex()
                                + ".." + append.lastIndex() + " were replaced by a snapshot before their outcome was"
                                + " known here"));
            } else {
                append.future().completeExceptionally(new NotLeaderException(self, leader));
            }
        }
    }

    /** The node stops: every outcome is unknown to the caller. */
    void failAll(String reason) {
        for (Accepted append : accepted) {
            append.future().completeExceptionally(new IndeterminateResultException(reason));
        }
        accepted.clear();
    }
}
