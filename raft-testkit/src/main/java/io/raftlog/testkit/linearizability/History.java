package io.raftlog.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records a concurrent history as clients run: each client calls {@link #invoke} just before it
 * makes a call and, once the call returns, {@link Call#ok}, {@link Call#fail} or
 * {@link Call#info} on the handle it got. Thread-safe: any number of client threads may record
 * at once.
 *
 * <p>Times come from the clock given, {@link System#nanoTime()} by default; it must never go
 * back. Because {@code invoke} reads it before the call starts and {@code ok} after the call
 * ends, each recorded interval contains the real one: the check may miss a violation that
 * happened within the slack, but never reports one that did not happen.
 *
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public final class History<I, O> {
    private final LongSupplier clock;
    private final List<Call> calls = new ArrayList<>();

    /** A history timed by {@link System#nanoTime()}. */
    public History() {
        this(System::nanoTime);
    }

    /** A history timed by {@code clock} (a simulator's virtual time, say); it must never go back. */
    public History(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records that {@code process} is about to call with {@code input}; complete the handle later. */
    public Call invoke(int process, I input) {
        Objects.requireNonNull(input, "input");
        Call call = new Call(process, input, clock.getAsLong());
        synchronized (this) {
            calls.add(call);
        }
        return call;
    }

    /**
     * The operations recorded so far, in the order they were invoked: calls completed with
     * {@code ok} are completed operations; those ended with {@code info}, and those still
     * running, are indeterminate; those ended with {@code fail} are left out.
     */
    public synchronized List<Operation<I, O>> operations() {
        List<Operation<I, O>> operations = new ArrayList<>(calls.size());
        for (Call call : calls) {
            call.toOperation(operations);
        }
        return List.copyOf(operations);
    }

    /** One call in flight; end it exactly once. */
    public final class Call {
        private final int process;
        private final I input;
        private final long invokeTime;
        private boolean ended;
        private boolean failed;
        private O output;
        private long returnTime;

        private Call(int process, I input, long invokeTime) {
            this.process = process;
            this.input = input;
            this.invokeTime = invokeTime;
        }

        /** The call returned {@code output} (never null). */
        public void ok(O output) {
            Objects.requireNonNull(output, "output");
            long now = clock.getAsLong();
            synchronized (History.this) {
                end();
                this.output = output;
                this.returnTime = now;
            }
        }

        /** The call failed definitely: it did not and will not take effect. It leaves the history. */
        public void fail() {
            synchronized (History.this) {
                end();
                failed = true;
            }
        }

        /** The call failed and may or may not take effect: an indeterminate operation. */
        public void info() {
            synchronized (History.this) {
                end();
            }
        }

        private void end() {
            if (ended) {
                throw new IllegalStateException("call already ended: p" + process + " " + input);
            }
            ended = true;
        }

        private void toOperation(List<Operation<I, O>> into) {
            if (failed) {
                return;
            }
            into.add(
                    output != null
                            ? Operation.completed(process, input, invokeTime, output, returnTime)
                            : Operation.indeterminate(process, input, invokeTime));
        }
    }
}
