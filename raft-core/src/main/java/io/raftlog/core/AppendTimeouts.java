package io.raftlog.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The append timeout of every outstanding append of one node, with one timer for all of them
 * rather than one each.
 *
 * <p>Every append has the same timeout, so deadlines arrive in the order appends do: they wait in
 * one queue, oldest first, and a single timer is armed for the oldest deadline. When it fires it
 * fails the answers whose deadline has passed, drops those already answered, and re-arms for the
 * next. Appends are answered roughly in the order they arrive (they commit in log order), so each
 * new append first drops the answered ones at the head: the queue holds about the outstanding
 * appends, not every append of the last timeout. The timer runs on the clock's thread, not the
 * node's loop, so an append times out even while the loop is stuck.
 *
 * <p>Before, each append scheduled and cancelled a task of its own on the shared timer: a lock,
 * a heap insertion and a removal, and a wake-up of the timer thread whenever the new task became
 * the earliest, on the hot path of every append.
 */
final class AppendTimeouts {
    private final NodeClock clock;
    private final long timeoutNanos;
    private final Supplier<? extends Throwable> timedOut;
    private final ConcurrentLinkedQueue<AppendOutcome<?>> pending = new ConcurrentLinkedQueue<>();
    /** True while a timer is scheduled (or a sweep runs); at most one of them at a time. */
    private final AtomicBoolean armed = new AtomicBoolean();
    /** True while some thread drops answered appends from the head; one at a time. */
    private final AtomicBoolean trimming = new AtomicBoolean();

    /**
     * @param timeoutNanos {@link Long#MAX_VALUE} for none
     * @param timedOut     the error a timed-out answer fails with
     */
    AppendTimeouts(NodeClock clock, long timeoutNanos, Supplier<? extends Throwable> timedOut) {
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
        this.timedOut = timedOut;
    }

    /**
     * Fails {@code answer} with the timeout error unless it completes within the timeout of its
     * submission. Answers are watched in the order they were submitted (their deadlines are).
     */
    void watch(AppendOutcome<?> answer) {
        if (timeoutNanos == Long.MAX_VALUE || answer.isDone()) {
            return;
        }
        trimAnswered();
        pending.add(answer);
        if (!armed.get() && armed.compareAndSet(false, true)) {
            clock.schedule(Math.max(0, deadline(answer) - clock.nanoTime()), this::sweep);
        }
    }

    private long deadline(AppendOutcome<?> answer) {
        return answer.submittedNanos() + timeoutNanos;
    }

    /** Appends watched and not yet dropped (answered ones at the head go at the next append). */
    int size() {
        return pending.size();
    }

    private void trimAnswered() {
        if (!trimming.compareAndSet(false, true)) {
            return; // another caller is at it
        }
        try {
            AppendOutcome<?> head;
            while ((head = pending.peek()) != null && head.isDone()) {
                pending.remove(head); // by identity: the sweep may have taken it, and poll could take the next
            }
        } finally {
            trimming.set(false);
        }
    }

    private void sweep() {
        while (true) {
            long now = clock.nanoTime();
            AppendOutcome<?> head;
            while ((head = pending.peek()) != null) {
                if (head.isDone()) {
                    pending.remove(head); // by identity; a concurrent trim may have taken it already
                } else if (deadline(head) - now <= 0) {
                    if (pending.remove(head)) {
                        head.completeExceptionally(timedOut.get());
                    }
                } else {
                    clock.schedule(deadline(head) - now, this::sweep); // stays armed
                    return;
                }
            }
            armed.set(false);
            // An append added after the empty peek saw the timer armed and did not arm it.
            if (pending.isEmpty() || !armed.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
