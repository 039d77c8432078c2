package io.raftlog.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Entry;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Input;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Output;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Page;
import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The checker against the definition: on thousands of small random histories (some linearizable,
 * some with one output changed), its verdict must be the one found by trying every order of every
 * subset of the indeterminate operations, with none of its pruning (cache, order keys, read-only
 * operations, operations that change nothing, objects checked apart). Replay with
 * {@code -Draftlog.linearizability.seed=S}.
 */
class ReferenceLinearizabilityTest {
    private static final int HISTORIES = 3000;

    private final long seed = Long.getLong("raftlog.linearizability.seed", 20261202L);

    @Test
    void registerVerdictsMatchTheDefinition() {
        compare(RegisterModel.startingAt(0), this::registerInput, (random, op) -> mutateRegister(random, op));
    }

    @Test
    void keyValueVerdictsMatchTheDefinition() {
        compare(
                new KeyValueModel<String, Integer>(),
                random -> new KeyValueModel.Op<>(random.nextBoolean() ? "x" : "y", registerInput(random)),
                (random, op) -> mutateRegister(random, op));
    }

    @Test
    void logVerdictsMatchTheDefinition() {
        compare(AppendOnlyLogModel.fullPages(), this::logInput, this::mutateLog);
    }

    @Test
    void logWithShortPagesVerdictsMatchTheDefinition() {
        compare(AppendOnlyLogModel.shortPagesAllowed(), this::logInput, this::mutateLog);
    }

    private int appendCounter;

    private RegisterModel.Op<Integer> registerInput(Random random) {
        int kind = random.nextInt(3);
        return kind == 0
                ? RegisterModel.put(random.nextInt(3))
                : kind == 1 ? RegisterModel.get() : RegisterModel.cas(random.nextInt(3), random.nextInt(3));
    }

    private static <O> O mutateRegister(Random random, O output) {
        @SuppressWarnings("unchecked")
        O changed = (O)
                (output instanceof RegisterModel.Value
                        ? RegisterModel.value(random.nextInt(3))
                        : output instanceof RegisterModel.Swapped<?> swapped
                                ? RegisterModel.swapped(!swapped.swapped())
                                : output);
        return changed;
    }

    private Input<String> logInput(Random random) {
        int kind = random.nextInt(5);
        if (kind < 2) {
            return AppendOnlyLogModel.append("r" + appendCounter++);
        }
        return kind < 4
                ? AppendOnlyLogModel.read(1 + random.nextInt(4), 1 + random.nextInt(3))
                : AppendOnlyLogModel.readHighWatermark();
    }

    private Output<String> mutateLog(Random random, Output<String> output) {
        if (output instanceof AppendOnlyLogModel.Appended<String> appended) {
            return AppendOnlyLogModel.appended(Math.max(1, appended.offset() + (random.nextBoolean() ? 1 : -1)));
        }
        if (output instanceof AppendOnlyLogModel.HighWatermark<String> hwm) {
            return AppendOnlyLogModel.highWatermark(Math.max(0, hwm.offset() + (random.nextBoolean() ? 1 : -1)));
        }
        List<Entry<String>> entries = new ArrayList<>(((Page<String>) output).entries());
        if (!entries.isEmpty() && random.nextBoolean()) {
            entries.remove(random.nextInt(entries.size()));
        } else {
            entries.add(AppendOnlyLogModel.entry(9, "r" + random.nextInt(appendCounter + 1)));
        }
        return AppendOnlyLogModel.page(entries);
    }

    /**
     * Runs a random sequential execution of the model on up to three clients with overlapping
     * calls (each takes effect at a random instant of its interval, some calls indeterminate),
     * changes one output half of the time, and compares the two verdicts.
     */
    private <S, I, O> void compare(Model<S, I, O> model, Function<Random, I> inputs, BiFunction<Random, O, O> mutate) {
        Random random = new Random(seed);
        int[] verdicts = new int[2];
        for (int h = 0; h < HISTORIES; h++) {
            List<Operation<I, O>> ops = execute(model, inputs, random);
            if (random.nextBoolean() && !ops.isEmpty()) {
                int i = random.nextInt(ops.size());
                Operation<I, O> op = ops.get(i);
                if (op.output().isPresent()) {
                    O changed = mutate.apply(random, op.output().get());
                    ops.set(
                            i,
                            op.isIndeterminate()
                                    ? Operation.<I, O>indeterminate(op.process(), op.input(), op.invokeTime())
                                            .withKnownOutput(changed)
                                    : Operation.completed(
                                            op.process(), op.input(), op.invokeTime(), changed, op.returnTime()));
                }
            }
            boolean expected = linearizable(model, ops, new boolean[ops.size()], model.initialState());
            var result = LinearizabilityChecker.check(model, ops);
            assertThat(result.verdict())
                    .as("seed %d, history %d: %s%n%s", seed, h, ops, result.explanation())
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
            verdicts[expected ? 0 : 1]++;
        }
        // both verdicts are well represented, or the comparison proves little
        assertThat(verdicts[0]).isGreaterThan(HISTORIES / 5);
        assertThat(verdicts[1]).isGreaterThan(HISTORIES / 10);
    }

    /** A linearizable history of 2 to 7 calls; indeterminate calls keep the output they would have had. */
    private <S, I, O> List<Operation<I, O>> execute(Model<S, I, O> model, Function<Random, I> inputs, Random random) {
        int n = 2 + random.nextInt(6);
        long[] invoke = new long[n];
        long[] effect = new long[n];
        long[] ret = new long[n];
        for (int i = 0; i < n; i++) {
            invoke[i] = random.nextInt(12);
            effect[i] = invoke[i] + random.nextInt(4);
            ret[i] = effect[i] + random.nextInt(4);
        }
        // apply in effect order (ties broken by index): a valid linearization by construction
        List<Integer> byEffect = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byEffect.add(i);
        }
        byEffect.sort((a, b) -> effect[a] != effect[b] ? Long.compare(effect[a], effect[b]) : a - b);
        List<I> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in.add(inputs.apply(random));
        }
        List<O> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(null);
        }
        boolean[] indeterminate = new boolean[n];
        boolean[] happened = new boolean[n];
        S state = model.initialState();
        for (int i : byEffect) {
            indeterminate[i] = random.nextInt(5) == 0;
            happened[i] = !indeterminate[i] || random.nextBoolean();
            Optional<O> output = outputOf(model, state, in.get(i), random);
            if (output.isEmpty()) {
                continue; // the model cannot do it here: leave it out
            }
            out.set(i, output.get());
            if (happened[i]) {
                state = model.step(state, in.get(i), output.get()).orElseThrow();
            }
        }
        List<Operation<I, O>> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (out.get(i) == null) {
                continue;
            }
            if (!indeterminate[i]) {
                ops.add(Operation.completed(i % 3, in.get(i), invoke[i], out.get(i), ret[i]));
            } else if (in.get(i) instanceof AppendOnlyLogModel.Append || random.nextBoolean()) {
                // an append's offset must be known (as resolveIndeterminateAppends makes it)
                ops.add(Operation.<I, O>indeterminate(i % 3, in.get(i), invoke[i])
                        .withKnownOutput(out.get(i)));
            } else {
                ops.add(Operation.indeterminate(i % 3, in.get(i), invoke[i]));
            }
        }
        return ops;
    }

    /** An output the model accepts for {@code input} in {@code state}: tried from a few candidates. */
    @SuppressWarnings("unchecked")
    private static <S, I, O> Optional<O> outputOf(Model<S, I, O> model, S state, I input, Random random) {
        List<Object> candidates = new ArrayList<>();
        if (model instanceof DeterministicModel<?, ?, ?>) {
            candidates.add(
                    ((DeterministicModel<S, I, O>) model).apply(state, input).output());
        } else {
            LogState<String> log = (LogState<String>) state;
            Input<String> logInput = (Input<String>) input;
            if (logInput instanceof AppendOnlyLogModel.Append) {
                candidates.add(AppendOnlyLogModel.appended(log.minHighWatermark() + 1 + random.nextInt(2)));
            } else if (logInput instanceof AppendOnlyLogModel.Read<String> read) {
                List<Entry<String>> page = log.from(read.fromOffset(), read.maxRecords());
                candidates.add(
                        AppendOnlyLogModel.page(random.nextBoolean() || page.isEmpty() ? page : page.subList(0, 1)));
                candidates.add(AppendOnlyLogModel.page(page));
            } else {
                candidates.add(AppendOnlyLogModel.highWatermark(log.minHighWatermark() + random.nextInt(2)));
            }
        }
        for (Object candidate : candidates) {
            if (model.step(state, input, (O) candidate).isPresent()) {
                return Optional.of((O) candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The definition: some operation that no remaining completed operation precedes in real time
     * takes effect next, until every completed operation has; indeterminate ones may be left out.
     */
    private static <S, I, O> boolean linearizable(
            Model<S, I, O> model, List<Operation<I, O>> ops, boolean[] used, S state) {
        boolean done = true;
        for (int i = 0; i < ops.size(); i++) {
            done &= used[i] || ops.get(i).isIndeterminate();
        }
        if (done) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i] || precededByAnother(ops, used, i)) {
                continue;
            }
            Operation<I, O> op = ops.get(i);
            Optional<S> next = op.output().isPresent()
                    ? model.step(state, op.input(), op.output().get())
                    : model.stepUnobserved(state, op.input());
            if (next.isPresent()) {
                used[i] = true;
                boolean found = linearizable(model, ops, used, next.get());
                used[i] = false;
                if (found) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean precededByAnother(List<? extends Operation<?, ?>> ops, boolean[] used, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!used[j]
                    && !ops.get(j).isIndeterminate()
                    && ops.get(j).returnTime() < ops.get(i).invokeTime()) {
                return true;
            }
        }
        return false;
    }
}
