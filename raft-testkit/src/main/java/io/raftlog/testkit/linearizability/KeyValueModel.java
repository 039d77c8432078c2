package io.raftlog.testkit.linearizability;

import io.raftlog.testkit.linearizability.RegisterModel.Register;
import io.raftlog.testkit.linearizability.RegisterModel.Result;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A map of independent {@link RegisterModel registers}, one per key, all empty at first: put,
 * get and compare-and-set on one key each. Each key is its own object ({@link #partitionKey}), so
 * the checker checks each key's operations on their own — the locality of linearizability — and
 * a history of many keys costs about as much as its busiest key.
 *
 * @param <K> the key type, with {@code equals} and {@code hashCode}
 * @param <V> the value type, with {@code equals} and {@code hashCode}
 */
public final class KeyValueModel<K, V>
        implements DeterministicModel<Map<K, V>, KeyValueModel.Op<K, V>, RegisterModel.Result<V>> {
    /**
     * An operation on one key.
     *
     * @param key the key
     * @param op  what it does to that key's register
     * @param <K> the key type
     * @param <V> the value type
     */
    public record Op<K, V>(K key, RegisterModel.Op<V> op) {
        public Op {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(op, "op");
        }

        @Override
        public String toString() {
            return key + "." + op;
        }
    }

    private final RegisterModel<V> register = RegisterModel.empty();

    /** A map with no keys. */
    public KeyValueModel() {}

    public static <K, V> Op<K, V> put(K key, V value) {
        return new Op<>(key, RegisterModel.put(value));
    }

    public static <K, V> Op<K, V> get(K key) {
        return new Op<>(key, RegisterModel.get());
    }

    public static <K, V> Op<K, V> cas(K key, V expected, V update) {
        return new Op<>(key, RegisterModel.cas(expected, update));
    }

    /** An empty, unmodifiable map: an absent key reads as null. */
    @Override
    public Map<K, V> initialState() {
        return Map.of();
    }

    @Override
    public Transition<Map<K, V>, Result<V>> apply(Map<K, V> state, Op<K, V> input) {
        V before = state.get(input.key());
        Transition<Register<V>, Result<V>> step = register.apply(new Register<>(before), input.op());
        V after = step.state().value();
        if (Objects.equals(before, after)) {
            return new Transition<>(state, step.output());
        }
        Map<K, V> next = new HashMap<>(state);
        if (after == null) {
            next.remove(input.key());
        } else {
            next.put(input.key(), after);
        }
        return new Transition<>(Map.copyOf(next), step.output());
    }

    /** A get, and a compare-and-set that did not swap. */
    @Override
    public boolean isReadOnly(Op<K, V> input, Result<V> output) {
        return register.isReadOnly(input.op(), output);
    }

    /** The key: each key is an independent register. */
    @Override
    public Object partitionKey(Op<K, V> input) {
        return input.key();
    }
}
