package io.raftlog.testkit.linearizability;

import java.util.Objects;
import java.util.Optional;

/**
 * One call of a concurrent history: who made it, with what input, when it was invoked, and how it
 * ended. An operation is either
 * <ul>
 *   <li><em>completed</em>: it returned {@link #output()} at {@link #returnTime()}; it took effect
 *       exactly once, at some instant between its invocation and its return; or</li>
 *   <li><em>indeterminate</em>: it failed with an error that leaves its outcome open (a timeout, a
 *       lost connection, raftlog's {@code IndeterminateResultException}) or never returned. It may
 *       have taken effect at any instant after its invocation, or never; its output is unknown
 *       unless the caller learnt later what it would have been ({@link #withKnownOutput}).</li>
 * </ul>
 * A call that certainly did not take effect (a definite failure such as {@code NotLeaderException})
 * is not an operation of the history at all: leave it out ({@link History.Call#fail()} does).
 *
 * <p>Times are in the units of whatever clock the history used ({@link System#nanoTime()} by
 * default); only their order matters. One operation precedes another only if it returned strictly
 * before the other was invoked. Outputs are never null: give an operation that returns nothing a
 * constant output. Immutable and thread-safe.
 *
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public final class Operation<I, O> {
    private final int process;
    private final I input;
    private final long invokeTime;
    private final O output;
    private final long returnTime;
    private final boolean indeterminate;

    private Operation(int process, I input, long invokeTime, O output, long returnTime, boolean indeterminate) {
        this.process = process;
        this.input = Objects.requireNonNull(input, "input");
        this.invokeTime = invokeTime;
        this.output = output;
        this.returnTime = returnTime;
        this.indeterminate = indeterminate;
    }

    /**
     * An operation that returned {@code output} at {@code returnTime}.
     *
     * @throws IllegalArgumentException if it returned before it was invoked
     */
    public static <I, O> Operation<I, O> completed(int process, I input, long invokeTime, O output, long returnTime) {
        Objects.requireNonNull(output, "output");
        if (returnTime < invokeTime) {
            throw new IllegalArgumentException(
                    "returnTime " + returnTime + " is before invokeTime " + invokeTime + " for " + input);
        }
        return new Operation<>(process, input, invokeTime, output, returnTime, false);
    }

    /**
     * An operation invoked at {@code invokeTime} whose outcome is unknown: it may take effect at any
     * later instant, or never.
     */
    public static <I, O> Operation<I, O> indeterminate(int process, I input, long invokeTime) {
        return new Operation<>(process, input, invokeTime, null, Long.MAX_VALUE, true);
    }

    /**
     * This indeterminate operation, with the output it has if it took effect — learnt afterwards,
     * say from a later read that shows the record it appended and at which offset. It stays
     * optional and untimed.
     *
     * @throws IllegalStateException if this operation completed
     */
    public Operation<I, O> withKnownOutput(O knownOutput) {
        if (!indeterminate) {
            throw new IllegalStateException("only an indeterminate operation can be given an output: " + this);
        }
        return new Operation<>(process, input, invokeTime, Objects.requireNonNull(knownOutput), returnTime, true);
    }

    /** The process (client, thread) that made the call; only used to explain a failed check. */
    public int process() {
        return process;
    }

    public I input() {
        return input;
    }

    public long invokeTime() {
        return invokeTime;
    }

    /** The output returned; empty for an indeterminate operation unless it was given one. */
    public Optional<O> output() {
        return Optional.ofNullable(output);
    }

    /** When it returned; {@link Long#MAX_VALUE} for an indeterminate operation. */
    public long returnTime() {
        return returnTime;
    }

    /** Whether its outcome is unknown: it may or may not have taken effect. */
    public boolean isIndeterminate() {
        return indeterminate;
    }

    /** Like {@link #toString()}, with times shown from {@code origin}. */
    String describe(long origin) {
        String result = output == null ? "?" : String.valueOf(output);
        String end = indeterminate ? "indeterminate" : Long.toString(returnTime - origin);
        return "p" + process + " " + input + " -> " + result + "  [" + (invokeTime - origin) + ", " + end + "]";
    }

    @Override
    public String toString() {
        return describe(0);
    }
}
