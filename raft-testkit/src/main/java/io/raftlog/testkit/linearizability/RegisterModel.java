package io.raftlog.testkit.linearizability;

import java.util.Objects;

/**
 * One read/write register with compare-and-set, the textbook object of linearizability:
 * <ul>
 *   <li>{@link #put put(v)} sets the value and returns {@link #ok()};</li>
 *   <li>{@link #get()} returns the {@link #value value} (null for an empty register);</li>
 *   <li>{@link #cas cas(expected, update)} sets the value to {@code update} and returns
 *       {@link #swapped swapped(true)} if it equals {@code expected}, else changes nothing and
 *       returns {@code swapped(false)}.</li>
 * </ul>
 * Values are compared with {@code equals} and may be null (the empty register). An indeterminate
 * {@code put} or {@code cas} may take effect once, or never; an indeterminate {@code get} is
 * ignored. Use {@link KeyValueModel} for a map of registers.
 *
 * @param <V> the value type, with {@code equals} and {@code hashCode}
 */
public final class RegisterModel<V>
        implements DeterministicModel<RegisterModel.Register<V>, RegisterModel.Op<V>, RegisterModel.Result<V>> {
    /** What an operation asks of the register. */
    public sealed interface Op<V> permits Put, Get, Cas {}

    /**
     * Sets the value.
     *
     * @param value the new value, null to empty the register
     * @param <V>   the value type
     */
    public record Put<V>(V value) implements Op<V> {
        @Override
        public String toString() {
            return "put(" + value + ")";
        }
    }

    /**
     * Reads the value.
     *
     * @param <V> the value type
     */
    public record Get<V>() implements Op<V> {
        @Override
        public String toString() {
            return "get()";
        }
    }

    /**
     * Sets the value to {@code update} if it is {@code expected}.
     *
     * @param expected the value the register must hold (null: empty)
     * @param update   the value to set
     * @param <V>      the value type
     */
    public record Cas<V>(V expected, V update) implements Op<V> {
        @Override
        public String toString() {
            return "cas(" + expected + ", " + update + ")";
        }
    }

    /** What an operation returns. */
    public sealed interface Result<V> permits Ok, Value, Swapped {}

    /**
     * A put's answer.
     *
     * @param <V> the value type
     */
    public record Ok<V>() implements Result<V> {
        @Override
        public String toString() {
            return "ok";
        }
    }

    /**
     * A get's answer.
     *
     * @param value the value read, null if the register is empty
     * @param <V>   the value type
     */
    public record Value<V>(V value) implements Result<V> {
        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /**
     * A compare-and-set's answer.
     *
     * @param swapped whether the register held the expected value (and now holds the update)
     * @param <V>     the value type
     */
    public record Swapped<V>(boolean swapped) implements Result<V> {
        @Override
        public String toString() {
            return swapped ? "swapped" : "not swapped";
        }
    }

    /**
     * The register's state.
     *
     * @param value what it holds, null if empty
     * @param <V>   the value type
     */
    public record Register<V>(V value) {
        @Override
        public String toString() {
            return "register holding " + value;
        }
    }

    private final V initialValue;

    private RegisterModel(V initialValue) {
        this.initialValue = initialValue;
    }

    /** A register that starts empty (a get returns {@code value(null)}). */
    public static <V> RegisterModel<V> empty() {
        return new RegisterModel<>(null);
    }

    /** A register that starts holding {@code initialValue}. */
    public static <V> RegisterModel<V> startingAt(V initialValue) {
        return new RegisterModel<>(initialValue);
    }

    public static <V> Op<V> put(V value) {
        return new Put<>(value);
    }

    public static <V> Op<V> get() {
        return new Get<>();
    }

    public static <V> Op<V> cas(V expected, V update) {
        return new Cas<>(expected, update);
    }

    public static <V> Result<V> ok() {
        return new Ok<>();
    }

    public static <V> Result<V> value(V value) {
        return new Value<>(value);
    }

    public static <V> Result<V> swapped(boolean swapped) {
        return new Swapped<>(swapped);
    }

    /** A get, and a compare-and-set that did not swap. */
    @Override
    public boolean isReadOnly(Op<V> input, Result<V> output) {
        return input instanceof Get || output.equals(swapped(false));
    }

    @Override
    public Register<V> initialState() {
        return new Register<>(initialValue);
    }

    @Override
    public Transition<Register<V>, Result<V>> apply(Register<V> state, Op<V> input) {
        if (input instanceof Put<V> put) {
            return new Transition<>(new Register<>(put.value()), ok());
        }
        if (input instanceof Cas<V> cas) {
            return Objects.equals(state.value(), cas.expected())
                    ? new Transition<>(new Register<>(cas.update()), swapped(true))
                    : new Transition<>(state, swapped(false));
        }
        return new Transition<>(state, value(state.value()));
    }
}
