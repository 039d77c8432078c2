package io.raftlog.testkit.linearizability;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A sequential specification: what one copy of the object, called one operation at a time, may
 * answer. {@link LinearizabilityChecker} asks whether a concurrent history can be explained by
 * some order of its operations that this model accepts and that respects real time.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode}: the checker
 * remembers every (set of operations applied, state) pair it has explored and prunes a branch
 * that reaches one again, so two states that answer every later operation alike should be equal,
 * and states that differ must not be. A model whose output is a function of state and input is
 * easiest written as a {@link DeterministicModel}; implement this interface directly when an
 * output is one of several the specification allows (a log that may skip offsets) or decides
 * the next state.
 *
 * <p>Methods are called from the checking thread only, and must not throw for an input or
 * output the model does not allow: they return empty. They may throw
 * {@link IllegalArgumentException} for an input or output the model does not know at all, which
 * aborts the check.
 *
 * @param <S> the state, an immutable value
 * @param <I> the input of an operation (its kind and arguments)
 * @param <O> the output of an operation
 */
public interface Model<S, I, O> {
    /** The state before any operation. */
    S initialState();

    /**
     * Applies a completed operation (or an indeterminate one whose output is known).
     *
     * @return the state after it, or empty if the specification cannot return {@code output} for
     *     {@code input} in {@code state}
     */
    Optional<S> step(S state, I input, O output);

    /**
     * Applies an indeterminate operation whose output is unknown, as if it took effect now.
     *
     * @return the state after it, or empty if it cannot take effect in {@code state} (which is fine:
     *     an indeterminate operation may also never take effect)
     */
    Optional<S> stepUnobserved(S state, I input);

    /**
     * Why {@link #step} rejected {@code output}, for the report of a failed check: say what the
     * model would have allowed.
     */
    default String explainRejection(S state, I input, O output) {
        return "not possible in state " + state;
    }

    /**
     * Whether the operation, with this output, never changes the state: in every state where
     * {@link #step} accepts it, it returns that same state — a read, or a compare-and-set that did
     * not swap. The checker then applies such an operation as soon as the model accepts it and
     * never tries it at a later place instead (a later place is no better, since nothing changes),
     * which keeps many overlapping reads from multiplying the orders to explore. The default is
     * false, which is always safe; a wrong true can make a linearizable history fail the check.
     */
    default boolean isReadOnly(I input, O output) {
        return false;
    }

    /**
     * A position the output fixes for the operation among all others, if any: a log's offset, a
     * store's version or revision. It promises that in every sequence the model accepts,
     * operations with keys come in non-decreasing key order. The checker then never tries an
     * operation before every completed operation with a smaller key: the model would reject
     * that order anyway, but maybe only much later — a log with gaps accepts any higher offset, so
     * without keys the search tries offset 7 before offset 5 and learns its mistake only when the
     * call that got 5 returns. Empty (the default) for an operation the keys do not order.
     */
    default OptionalLong orderKey(I input, O output) {
        return OptionalLong.empty();
    }

    /**
     * The object {@code input} acts on, for models of several independent objects (the keys of a
     * map). Linearizability is local (Herlihy &amp; Wing, 1990, §3.5): a history is linearizable if
     * and only if each object's sub-history is, so the checker checks each object on its own,
     * which is exponentially cheaper than checking them together. Operations on several objects
     * at once must share a key. By default every input has the same key: one object.
     */
    default Object partitionKey(I input) {
        return "";
    }
}
