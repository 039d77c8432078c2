package io.raftlog.testkit.linearizability;

import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a concurrent history is linearizable (Herlihy &amp; Wing, 1990): that every
 * completed operation, and any of the indeterminate ones, can be given an instant between its
 * invocation and its return such that, applied in that order, the {@link Model} returns what each
 * operation returned. Indeterminate operations take effect at some instant after their
 * invocation, or never.
 *
 * <p>The search is Wing &amp; Gong's with Lowe's memoization: it tries, in time order, each
 * operation that may take effect next, backtracks when an operation's return passes without it
 * having taken effect, and prunes configurations (set of operations applied, model state) it has
 * seen. Three hints from the model prune further: operations on independent objects
 * ({@link Model#partitionKey}) are checked object by object; operations whose outputs fix their
 * order ({@link Model#orderKey}, a log's offsets) are only tried in that order; and read-only
 * operations ({@link Model#isReadOnly}) are applied as soon as the model accepts them, never
 * tried later instead. With them, 2,000 operations of 5 to 20 clients on
 * {@link AppendOnlyLogModel} check in tens of milliseconds. The problem is NP-complete, though:
 * many long-overlapping operations that change the state (or many indeterminate ones) can make
 * it exponential. A {@link Budget} bounds the search, which then answers {@link Verdict#UNKNOWN}
 * rather than running on.
 *
 * <p>Stateless and thread-safe; each check runs on the calling thread.
 *
 * <pre>{@code
 * History<RegisterModel.Op<Integer>, RegisterModel.Result<Integer>> history = new History<>();
 * var call = history.invoke(clientId, RegisterModel.put(3));   // just before calling
 * call.ok(RegisterModel.ok());                                 // or call.fail(), call.info()
 * ...
 * LinearizabilityChecker.check(RegisterModel.startingAt(0), history).assertLinearizable();
 * }</pre>
 */
public final class LinearizabilityChecker {
    /**
     * Bounds a search: at most {@code maxSteps} applications of an operation to the model and at
     * most {@code maxTime} of wall-clock time.
     *
     * @param maxSteps at least 1
     * @param maxTime  positive
     */
    public record Budget(long maxSteps, Duration maxTime) {
        private static final Duration NO_TIME_LIMIT = Duration.ofNanos(Long.MAX_VALUE);

        /** 10 million steps (seconds, not minutes, for a model whose steps are cheap) and no time limit. */
        public static final Budget DEFAULT = new Budget(10_000_000, NO_TIME_LIMIT);

        public Budget {
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be >= 1, was " + maxSteps);
            }
            Objects.requireNonNull(maxTime, "maxTime");
            if (maxTime.isNegative() || maxTime.isZero()) {
                throw new IllegalArgumentException("maxTime must be positive, was " + maxTime);
            }
        }

        /** At most {@code maxSteps} steps, with no time limit. */
        public static Budget ofSteps(long maxSteps) {
            return new Budget(maxSteps, NO_TIME_LIMIT);
        }

        /** At most {@code maxTime}, with no limit on steps. */
        public static Budget ofTime(Duration maxTime) {
            return new Budget(Long.MAX_VALUE, maxTime);
        }
    }

    private LinearizabilityChecker() {}

    /** Checks the operations {@code history} holds now, with {@link Budget#DEFAULT}. */
    public static <S, I, O> LinearizabilityResult<I, O> check(Model<S, I, O> model, History<I, O> history) {
        return check(model, history.operations(), Budget.DEFAULT);
    }

    /** Checks {@code operations}, in any order, with {@link Budget#DEFAULT}. */
    public static <S, I, O> LinearizabilityResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> operations) {
        return check(model, operations, Budget.DEFAULT);
    }

    /**
     * Checks {@code operations}, in any order, within {@code budget}. An operation is named in the
     * explanation as {@code #n}, its index in {@code operations}.
     *
     * @throws IllegalArgumentException if the model throws it for an input or output it does not know
     */
    public static <S, I, O> LinearizabilityResult<I, O> check(
            Model<S, I, O> model, List<Operation<I, O>> operations, Budget budget) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(budget, "budget");
        long origin = operations.stream().mapToLong(Operation::invokeTime).min().orElse(0);
        Map<Object, List<Integer>> objects = new LinkedHashMap<>();
        for (int i = 0; i < operations.size(); i++) {
            Object key =
                    Objects.requireNonNull(model.partitionKey(operations.get(i).input()), "partitionKey");
            objects.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        StepMeter meter = new StepMeter(budget);
        List<Operation<I, O>> linearization = new ArrayList<>();
        for (Map.Entry<Object, List<Integer>> object : objects.entrySet()) {
            int[] ids = object.getValue().stream().mapToInt(Integer::intValue).toArray();
            List<Operation<I, O>> ops = new ArrayList<>(ids.length);
            for (int id : ids) {
                ops.add(operations.get(id));
            }
            String name = objects.size() == 1 ? "" : " (object " + object.getKey() + ")";
            WingGongSearch.Outcome<S> outcome = new WingGongSearch<>(model, ops, meter).run();
            if (outcome.verdict() == Verdict.NOT_LINEARIZABLE) {
                return new LinearizabilityResult<>(
                        Verdict.NOT_LINEARIZABLE,
                        Explanations.notLinearizable(model, ops, ids, name, origin, outcome.deepest()),
                        List.of(),
                        meter.steps);
            }
            if (outcome.verdict() == Verdict.UNKNOWN) {
                return new LinearizabilityResult<>(
                        Verdict.UNKNOWN, unknown(budget, meter, name, ops.size(), outcome), List.of(), meter.steps);
            }
            for (int op : outcome.witness()) {
                linearization.add(ops.get(op));
            }
        }
        long indeterminate =
                operations.stream().filter(Operation::isIndeterminate).count();
        long placed = linearization.stream().filter(Operation::isIndeterminate).count();
        return new LinearizabilityResult<>(
                Verdict.LINEARIZABLE,
                "linearizable: " + operations.size() + " operations (" + indeterminate + " indeterminate, " + placed
                        + " of them taken to have had an effect)"
                        + (objects.size() > 1 ? " on " + objects.size() + " objects" : "") + ", " + meter.steps
                        + " steps",
                linearization,
                meter.steps);
    }

    private static String unknown(
            Budget budget, StepMeter meter, String object, int size, WingGongSearch.Outcome<?> outcome) {
        String limit = meter.steps > budget.maxSteps()
                ? "its budget of " + budget.maxSteps() + " steps"
                : "its budget of " + budget.maxTime() + " (after " + meter.steps + " steps)";
        return "unknown: the search ran out of " + limit + object + "; it had put at most "
                + outcome.depthReached() + " of " + size
                + " operations in a valid order, and found no violation in the objects checked before";
    }

    /** Counts steps and, every 1024 of them, looks at the clock. */
    private static final class StepMeter implements WingGongSearch.Meter {
        private final long maxSteps;
        private final long maxNanos;
        private final long start = System.nanoTime();
        private long steps;

        StepMeter(Budget budget) {
            this.maxSteps = budget.maxSteps();
            this.maxNanos = budget.maxTime().compareTo(Budget.NO_TIME_LIMIT) >= 0
                    ? Long.MAX_VALUE
                    : budget.maxTime().toNanos();
        }

        @Override
        public boolean spend() {
            steps++;
            return steps > maxSteps || ((steps & 1023) == 0 && System.nanoTime() - start > maxNanos);
        }
    }
}
