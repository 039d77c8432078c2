package io.raftlog.core;

import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.Membership;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/**
 * Membership changes this leader proposed, waiting for their entry to be applied, owned by the
 * event loop. Applied with the term it was proposed in: committed, and the future completes with
 * the membership; applied with another term: a later leader replaced it, a definite failure (nothing
 * changed; retry). Not applied before the deadline, or before the node closes: indeterminate (it
 * may still commit).
 */
final class MembershipChanges {
    private record Pending(long term, CompletableFuture<Membership> future, long deadlineNanos) {}

    private final long timeoutNanos;
    private final Map<Long, Pending> pending = new LinkedHashMap<>();

    MembershipChanges(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    void proposed(long index, long term, CompletableFuture<Membership> future, long now) {
        pending.put(index, new Pending(term, future, now + timeoutNanos));
    }

    /** Entries up to {@code applied} are applied; {@code termAt} gives -1 for an entry no longer held. */
    void applied(long applied, LongUnaryOperator termAt, LongFunction<Membership> membershipAt) {
        if (pending.isEmpty()) {
            return;
        }
        for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> change = it.next();
            long index = change.getKey();
            if (index > applied) {
                continue;
            }
            it.remove();
            long term = termAt.applyAsLong(index);
            if (term == change.getValue().term()) {
                change.getValue().future().complete(membershipAt.apply(index));
            } else if (term >= 0) {
                change.getValue()
                        .future()
                        .completeExceptionally(new io.raftlog.api.MembershipChangeException(
                                "the change at index " + index
                                        + " was replaced by a later leader's entries: nothing changed; retry",
                                true));
            } else {
                change.getValue()
                        .future()
                        .completeExceptionally(new IndeterminateResultException("the change at index " + index
                                + " is no longer in this node's log (compacted or replaced by a snapshot):"
                                + " read the membership to see whether it took effect"));
            }
        }
    }

    void tick(long now) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending change = it.next();
            if (now - change.deadlineNanos() >= 0) {
                it.remove();
                change.future()
                        .completeExceptionally(new IndeterminateResultException(
                                "the membership change was not committed within " + timeoutNanos / 1_000_000
                                        + " ms: it may still take effect; read the membership to see"));
            }
        }
    }

    /**
     * The node stops: a change in flight is indeterminate, not refused — its followers may hold the
     * entry, and the next leader commit it.
     */
    void close(String reason) {
        pending.values()
                .forEach(change -> change.future().completeExceptionally(new IndeterminateResultException(reason)));
        pending.clear();
    }
}
