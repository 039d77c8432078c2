package io.raftlog.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the outcome of a queued append goes: the future its caller holds, told by the loop (or
 * by close) once; later calls do nothing. The loop completes it directly, so an append costs one
 * future and no callback stage, and a one-record append no list of offsets.
 *
 * <p>Every outcome records the append's latency, from its submission to the outcome (a timeout
 * of the caller's future does not count: it is the real outcome that is measured).
 *
 * @param <T> what the caller's future holds: the offset of a one-record append, or the offsets
 */
abstract sealed class AppendOutcome<T> extends CompletableFuture<T> {
    /** Records the latency of an append; must not throw (a broken metrics plugin is contained). */
    interface Latency {
        Latency NONE = submittedNanos -> {};

        void answered(long submittedNanos);
    }

    private final Latency latency;
    private final long submittedNanos;

    // Where the loop placed the append, for the tracker; owned by the loop (an append is accepted
    // at most once: a part proposed again after a retry is an outcome of its own).
    long firstIndex;
    long lastIndex;
    long term;
    long acceptedNanos;

    private AppendOutcome(Latency latency, long submittedNanos) {
        this.latency = latency;
        this.submittedNanos = submittedNanos;
    }

    /** When the append was submitted; its timeout runs from here. */
    final long submittedNanos() {
        return submittedNanos;
    }

    /** The offset of a one-record append. */
    static One one(Latency latency, long submittedNanos) {
        return new One(latency, submittedNanos);
    }

    /** The offsets of an append of records, in order. */
    static Offsets offsets(Latency latency, long submittedNanos) {
        return new Offsets(latency, submittedNanos);
    }

    /** The append's {@code count} records committed at {@code first} onwards. */
    final void committed(long first, int count) {
        complete(value(first, count));
        latency.answered(submittedNanos);
    }

    /** The append's records are in the log at {@code offsets} (known from an earlier copy of it). */
    final void committed(List<Long> offsets) {
        complete(value(offsets));
        latency.answered(submittedNanos);
    }

    final void failed(Throwable error) {
        completeExceptionally(error);
        latency.answered(submittedNanos);
    }

    abstract T value(long first, int count);

    abstract T value(List<Long> offsets);

    /** The outcome of a one-record append: its offset. */
    static final class One extends AppendOutcome<Long> {
        private One(Latency latency, long submittedNanos) {
            super(latency, submittedNanos);
        }

        @Override
        Long value(long first, int count) {
            return first;
        }

        @Override
        Long value(List<Long> offsets) {
            return offsets.get(0);
        }
    }

    /** The outcome of an append of records: their offsets. */
    static final class Offsets extends AppendOutcome<List<Long>> {
        private Offsets(Latency latency, long submittedNanos) {
            super(latency, submittedNanos);
        }

        @Override
        List<Long> value(long first, int count) {
            return new AppendTracker.Offsets(first, count);
        }

        @Override
        List<Long> value(List<Long> offsets) {
            return offsets;
        }
    }
}
