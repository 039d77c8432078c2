package io.raftlog.testkit.linearizability;

import java.util.List;
import java.util.Objects;

/**
 * What {@link LinearizabilityChecker} found: a verdict, an explanation a person can act on, and,
 * for a linearizable history, an order of its operations that the model accepts.
 *
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public final class LinearizabilityResult<I, O> {
    /** The three answers a bounded search can give. */
    public enum Verdict {
        /** Some order of the operations respects real time and is accepted by the model. */
        LINEARIZABLE,
        /** No such order exists: the explanation says where every attempt got stuck. */
        NOT_LINEARIZABLE,
        /** The budget ran out before either was proven. */
        UNKNOWN
    }

    private final Verdict verdict;
    private final String explanation;
    private final List<Operation<I, O>> linearization;
    private final long steps;

    LinearizabilityResult(Verdict verdict, String explanation, List<Operation<I, O>> linearization, long steps) {
        this.verdict = Objects.requireNonNull(verdict);
        this.explanation = Objects.requireNonNull(explanation);
        this.linearization = List.copyOf(linearization);
        this.steps = steps;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** {@code verdict() == LINEARIZABLE}. */
    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    /**
     * For a history that is not linearizable: the longest linearizable prefix the search found,
     * the model's state after it, the operation that had to take effect next but could not, and the
     * operations concurrent with it with the model's reason for rejecting each. For an unknown
     * verdict: how far the search got. For a linearizable one: a one-line summary.
     */
    public String explanation() {
        return explanation;
    }

    /**
     * For a linearizable history: the order found, which holds every completed operation and the
     * indeterminate ones taken to have had an effect. With several objects
     * ({@link Model#partitionKey}), each object's operations are in a valid order and the objects
     * follow one another. Empty for the other verdicts.
     */
    public List<Operation<I, O>> linearization() {
        return linearization;
    }

    /** How many times the search applied an operation to the model. */
    public long steps() {
        return steps;
    }

    /**
     * Throws an {@link AssertionError} carrying the explanation unless the history is
     * linearizable; for use in tests.
     *
     * @return this result
     */
    public LinearizabilityResult<I, O> assertLinearizable() {
        if (!isLinearizable()) {
            throw new AssertionError(explanation);
        }
        return this;
    }

    @Override
    public String toString() {
        return verdict + ": " + explanation;
    }
}
