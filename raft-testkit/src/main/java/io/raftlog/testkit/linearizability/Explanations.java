package io.raftlog.testkit.linearizability;

import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Turns a search's dead end into a report a person can act on. */
final class Explanations {
    /** How many operations of the longest order found to show, counted from its end. */
    private static final int PREFIX_SHOWN = 8;
    /** How many candidates for the next place to show. */
    private static final int CANDIDATES_SHOWN = 16;

    private Explanations() {}

    /**
     * The report of a failed check of one object.
     *
     * @param ops    the object's operations; {@code ids[i]} is the index of {@code ops.get(i)} in the
     *               whole history, the number shown as {@code #n}
     * @param origin the time shown as 0
     */
    static <S, I, O> String notLinearizable(
            Model<S, I, O> model,
            List<Operation<I, O>> ops,
            int[] ids,
            String object,
            long origin,
            WingGongSearch.DeadEnd<S> deadEnd) {
        StringBuilder out = new StringBuilder();
        List<Integer> prefix = deadEnd.prefix();
        out.append("not linearizable")
                .append(object)
                .append(": of ")
                .append(ops.size())
                .append(" operations, at most ")
                .append(prefix.size())
                .append(" can be put in an order that respects real time and that the model accepts.\n");
        if (prefix.isEmpty()) {
            out.append("No operation can even come first.\n");
        } else {
            int from = Math.max(0, prefix.size() - PREFIX_SHOWN);
            out.append("The longest such order found ends with")
                    .append(from > 0 ? " (the last " + (prefix.size() - from) + ")" : "")
                    .append(":\n");
            for (int i = from; i < prefix.size(); i++) {
                line(out, ops, ids, prefix.get(i), origin).append('\n');
            }
        }
        out.append("Model state then: ").append(deadEnd.state()).append('\n');
        Operation<I, O> blocking = ops.get(deadEnd.blocking());
        out.append("Next, #")
                .append(ids[deadEnd.blocking()])
                .append(" had to take effect before it returned at ")
                .append(blocking.returnTime() - origin)
                .append(", but none of the operations pending then can come next:\n");
        BitSet applied = new BitSet(ops.size());
        prefix.forEach(applied::set);
        int shown = 0;
        int idle = 0;
        for (int candidate : deadEnd.candidates()) {
            Optional<String> verdict = verdictOn(model, ops, ids, origin, applied, deadEnd.state(), candidate);
            if (verdict.isEmpty()) {
                idle++;
            } else if (shown++ < CANDIDATES_SHOWN) {
                line(out, ops, ids, candidate, origin)
                        .append("\n      ")
                        .append(verdict.get())
                        .append('\n');
            }
        }
        if (shown > CANDIDATES_SHOWN) {
            out.append("  … and ").append(shown - CANDIDATES_SHOWN).append(" more\n");
        }
        if (idle > 0) {
            out.append("  (and ")
                    .append(idle)
                    .append(" indeterminate operations that could not take effect here or would change nothing)\n");
        }
        return out.toString();
    }

    private static <I, O> StringBuilder line(
            StringBuilder out, List<Operation<I, O>> ops, int[] ids, int op, long origin) {
        return out.append("  #").append(ids[op]).append(' ').append(ops.get(op).describe(origin));
    }

    /**
     * Why {@code op} cannot be next in {@code state}, or that it can but nothing works after it;
     * empty for an indeterminate operation that could as well never take effect.
     */
    private static <S, I, O> Optional<String> verdictOn(
            Model<S, I, O> model, List<Operation<I, O>> ops, int[] ids, long origin, BitSet applied, S state, int op) {
        Operation<I, O> candidate = ops.get(op);
        OptionalLong key = OrderKeys.of(model, candidate);
        if (key.isPresent()) {
            for (int other = 0; other < ops.size(); other++) {
                Operation<I, O> before = ops.get(other);
                OptionalLong otherKey = OrderKeys.of(model, before);
                if (!before.isIndeterminate()
                        && otherKey.isPresent()
                        && otherKey.getAsLong() < key.getAsLong()
                        && !applied.get(other)) {
                    return Optional.of("must come after #" + ids[other] + " " + before.describe(origin)
                            + " (its order key is smaller: Model.orderKey), which has not taken effect"
                            + (before.invokeTime() > candidate.returnTime()
                                    ? " and was invoked only after this returned"
                                    : ""));
                }
            }
        }
        Optional<O> output = candidate.output();
        if (output.isPresent()) {
            return Optional.of(
                    model.step(state, candidate.input(), output.get()).isPresent()
                            ? "accepted here, but no order of the rest works after it"
                            : "rejected: " + model.explainRejection(state, candidate.input(), output.get()));
        }
        Optional<S> after = model.stepUnobserved(state, candidate.input());
        return after.isEmpty() || after.get().equals(state)
                ? Optional.empty()
                : Optional.of("could take effect here, but no order of the rest works after it");
    }
}
