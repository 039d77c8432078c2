package io.raftlog.testkit.linearizability;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The order keys of one object's operations ({@link Model#orderKey}). */
final class OrderKeys {
    private OrderKeys() {}

    /** The key of {@code op}, if its output is known and fixes one. */
    static <S, I, O> OptionalLong of(Model<S, I, O> model, Operation<I, O> op) {
        Optional<O> output = op.output();
        return output.isPresent() ? model.orderKey(op.input(), output.get()) : OptionalLong.empty();
    }

    /**
     * For each operation with a key, how many completed operations have a smaller key (all of them
     * must take effect before it); -1 for an operation without a key.
     */
    static <S, I, O> int[] smallerCompleted(Model<S, I, O> model, List<Operation<I, O>> ops) {
        long[] keys = new long[ops.size()];
        boolean[] keyed = new boolean[ops.size()];
        long[] completed = new long[ops.size()];
        int count = 0;
        for (int i = 0; i < ops.size(); i++) {
            OptionalLong key = of(model, ops.get(i));
            if (key.isPresent()) {
                keys[i] = key.getAsLong();
                keyed[i] = true;
                if (!ops.get(i).isIndeterminate()) {
                    completed[count++] = keys[i];
                }
            }
        }
        long[] sorted = Arrays.copyOf(completed, count);
        Arrays.sort(sorted);
        int[] smaller = new int[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            smaller[i] = keyed[i] ? lowerBound(sorted, keys[i]) : -1;
        }
        return smaller;
    }

    /** The index of the first element of {@code sorted} that is not below {@code key}. */
    private static int lowerBound(long[] sorted, long key) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sorted[middle] < key) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
