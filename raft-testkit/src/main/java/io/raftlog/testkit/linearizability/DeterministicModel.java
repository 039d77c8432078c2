package io.raftlog.testkit.linearizability;

import java.util.Optional;

/**
 * A {@link Model} whose next state and output follow from the state and the input alone — most
 * state machines. Implement {@link #apply}; an observed output is accepted when it
 * {@link #matches} the model's.
 *
 * @param <S> the state, an immutable value with {@code equals} and {@code hashCode}
 * @param <I> the input of an operation
 * @param <O> the output of an operation
 */
public interface DeterministicModel<S, I, O> extends Model<S, I, O> {
    /**
     * What one operation does: the state after it and what it returns.
     *
     * @param state  the state after the operation
     * @param output what it returns
     * @param <S>    the state type
     * @param <O>    the output type
     */
    record Transition<S, O>(S state, O output) {}

    /** Applies {@code input} to {@code state}. */
    Transition<S, O> apply(S state, I input);

    /** Whether an observed output is the one the model returns; {@code equals} by default. */
    default boolean matches(O modelOutput, O observed) {
        return modelOutput.equals(observed);
    }

    @Override
    default Optional<S> step(S state, I input, O output) {
        Transition<S, O> transition = apply(state, input);
        return matches(transition.output(), output) ? Optional.of(transition.state()) : Optional.empty();
    }

    /**
     * The state {@link #apply} gives, whatever the output. An operation that does nothing unless a
     * condition holds (a compare-and-set that fails) leaves the state as it was, which the checker
     * treats like the operation never taking effect.
     */
    @Override
    default Optional<S> stepUnobserved(S state, I input) {
        return Optional.of(apply(state, input).state());
    }

    @Override
    default String explainRejection(S state, I input, O output) {
        return "the model returns " + apply(state, input).output() + " in state " + state;
    }
}
