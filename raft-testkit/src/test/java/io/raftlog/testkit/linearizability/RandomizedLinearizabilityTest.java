package io.raftlog.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Input;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Output;
import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import io.raftlog.testkit.linearizability.RegisterModel.Cas;
import io.raftlog.testkit.linearizability.RegisterModel.Op;
import io.raftlog.testkit.linearizability.RegisterModel.Put;
import io.raftlog.testkit.linearizability.RegisterModel.Result;
import io.raftlog.testkit.linearizability.RegisterModel.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Histories of implementations that are linearizable by construction must check linearizable;
 * the same histories with one read made stale must not. Seeds are printed; replay one with
 * {@code -Draftlog.linearizability.seed=S}.
 */
class RandomizedLinearizabilityTest {
    private static final String SEED_PROPERTY = "raftlog.linearizability.seed";

    /** Seeds 1..20 for the virtual-time histories, or the one given. */
    static LongStream seeds() {
        Long seed = Long.getLong(SEED_PROPERTY);
        return seed != null ? LongStream.of(seed) : LongStream.rangeClosed(1, 20);
    }

    private static long threadSeed() {
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        System.out.println("RandomizedLinearizabilityTest seed " + seed + " (-D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void virtualTimeLogHistoriesAreLinearizableAndAStaleReadIsCaught(long seed) {
        var ops = LogHistories.simulated(seed, 5, 400, 100, 0.02);

        var result = LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops);

        assertThat(result.verdict())
                .as("seed %d: %s", seed, result.explanation())
                .isEqualTo(Verdict.LINEARIZABLE);
        assertStaleReadCaught(ops, seed);
    }

    @Test
    void threadsOnASynchronizedLogMakeLinearizableHistoriesAndAStaleReadIsCaught() throws InterruptedException {
        long seed = threadSeed();
        var ops = LogHistories.threaded(seed, 5, 300);

        var result = LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops);

        assertThat(result.verdict())
                .as("seed %d: %s", seed, result.explanation())
                .isEqualTo(Verdict.LINEARIZABLE);
        assertStaleReadCaught(ops, seed);
    }

    private static void assertStaleReadCaught(List<Operation<Input<String>, Output<String>>> ops, long seed) {
        var mutation = LogHistories.staleRead(ops, new Random(seed));
        assertThat(mutation).as("seed %d: no read to make stale", seed).isPresent();

        var result = LinearizabilityChecker.check(
                AppendOnlyLogModel.fullPages(), mutation.get().ops());

        assertThat(result.verdict())
                .as("seed %d, %s: %s", seed, mutation.get().description(), result.explanation())
                .isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    /**
     * About 2,000 operations of five clients, about four of them overlapping at any time, with a
     * few indeterminate ones: must check linearizable, and quickly (it prints the time; no timed
     * assertion).
     */
    @Test
    void twoThousandOperationsFromFiveClients() {
        var ops = LogHistories.simulated(42, 5, 2000, 100, 0.01);

        long start = System.nanoTime();
        var result = LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops);
        long micros = (System.nanoTime() - start) / 1000;

        System.out.println("checked " + ops.size() + " operations in " + micros + " µs, " + result.steps() + " steps: "
                + result.explanation());
        assertThat(ops).hasSizeGreaterThan(1990);
        result.assertLinearizable();
    }

    /**
     * The same with twenty clients, about sixteen calls overlapping at any time: without the order
     * keys and read-only hints it runs out of the default budget (10 million steps); with them it
     * takes a few tens of thousands.
     */
    @Test
    void twoThousandOperationsFromTwentyClients() {
        var ops = LogHistories.simulated(42, 20, 2000, 100, 0.01);

        var result = LinearizabilityChecker.check(AppendOnlyLogModel.fullPages(), ops);

        result.assertLinearizable();
        assertThat(result.steps()).isLessThan(1_000_000);
    }

    @Test
    void threadsOnASynchronizedRegisterMakeLinearizableHistoriesAndAStaleGetIsCaught() throws InterruptedException {
        long seed = threadSeed();
        var ops = registerHistory(seed, 5, 300);
        var model = RegisterModel.<Integer>startingAt(0);

        var result = LinearizabilityChecker.check(model, ops);

        assertThat(result.verdict())
                .as("seed %d: %s", seed, result.explanation())
                .isEqualTo(Verdict.LINEARIZABLE);
        var stale = staleGet(ops);
        assertThat(stale).as("seed %d: no get to make stale", seed).isPresent();
        var mutated = LinearizabilityChecker.check(model, stale.get());
        assertThat(mutated.verdict())
                .as("seed %d: %s", seed, mutated.explanation())
                .isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    /** A register behind one lock; every value written is unique. */
    private static final class SynchronizedRegister {
        private int value;

        synchronized Result<Integer> run(Op<Integer> op) {
            if (op instanceof Put<Integer> put) {
                value = put.value();
                return RegisterModel.ok();
            }
            if (op instanceof Cas<Integer> cas) {
                boolean swapped = value == cas.expected();
                if (swapped) {
                    value = cas.update();
                }
                return RegisterModel.swapped(swapped);
            }
            return RegisterModel.value(value);
        }
    }

    private static List<Operation<Op<Integer>, Result<Integer>>> registerHistory(long seed, int threads, int each)
            throws InterruptedException {
        SynchronizedRegister register = new SynchronizedRegister();
        History<Op<Integer>, Result<Integer>> history = new History<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int process = t;
            Random random = new Random(seed * 31 + t);
            clients.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                int lastSeen = 0;
                for (int i = 1; i <= each; i++) {
                    int unique = process * 1_000_000 + i;
                    int kind = random.nextInt(3);
                    Op<Integer> op = kind == 0
                            ? RegisterModel.put(unique)
                            : kind == 1 ? RegisterModel.cas(lastSeen, unique) : RegisterModel.get();
                    var call = history.invoke(process, op);
                    Result<Integer> output = register.run(op);
                    if (output instanceof Value<Integer> value) {
                        lastSeen = value.value();
                    }
                    call.ok(output);
                }
            }));
        }
        clients.forEach(Thread::start);
        start.countDown();
        for (Thread client : clients) {
            client.join();
        }
        return history.operations();
    }

    /**
     * A get G changed to return the value of a write W1 that a write W2 overwrote: W1 returned
     * before W2 was invoked, and W2 before G was. Values are unique, so no order explains it.
     */
    private static Optional<List<Operation<Op<Integer>, Result<Integer>>>> staleGet(
            List<Operation<Op<Integer>, Result<Integer>>> ops) {
        List<Operation<Op<Integer>, Result<Integer>>> writes =
                ops.stream().filter(op -> written(op) != null).toList();
        for (int g = ops.size() - 1; g >= 0; g--) {
            Operation<Op<Integer>, Result<Integer>> get = ops.get(g);
            if (!(get.input() instanceof RegisterModel.Get)) {
                continue;
            }
            for (var w2 : writes) {
                if (w2.returnTime() >= get.invokeTime()) {
                    continue;
                }
                for (var w1 : writes) {
                    if (w1.returnTime() < w2.invokeTime() && !Objects.equals(written(w1), value(get))) {
                        List<Operation<Op<Integer>, Result<Integer>>> mutated = new ArrayList<>(ops);
                        mutated.set(
                                g,
                                Operation.completed(
                                        get.process(),
                                        get.input(),
                                        get.invokeTime(),
                                        RegisterModel.value(written(w1)),
                                        get.returnTime()));
                        return Optional.of(mutated);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The value a completed write put in the register, or null if it wrote nothing. */
    private static Integer written(Operation<Op<Integer>, Result<Integer>> op) {
        if (op.input() instanceof Put<Integer> put) {
            return put.value();
        }
        if (op.input() instanceof Cas<Integer> cas && op.output().orElseThrow().equals(RegisterModel.swapped(true))) {
            return cas.update();
        }
        return null;
    }

    private static Integer value(Operation<Op<Integer>, Result<Integer>> get) {
        return ((Value<Integer>) get.output().orElseThrow()).value();
    }
}
