package io.raftlog.testkit.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

/** Runs seeds 1..N of a simulator in parallel and fails with the first failing seed's report. */
final class SeedRuns {
    private SeedRuns() {}

    /** The seed to replay alone ({@code -Draftlog.sim.seed=S}), or -1 if none was asked for. */
    static long replaySeed() {
        String single = System.getProperty("raftlog.sim.seed", "").trim();
        return single.isEmpty() ? -1 : Long.parseLong(single);
    }

    /** The number of seeds the system property {@code property} asks for, 1000 by default. */
    static long count(String property) {
        return Long.parseLong(System.getProperty(property, "1000").trim());
    }

    /** Runs seeds 1..{@code seeds}; returns their results in seed order, or throws naming the failures. */
    static <R> List<R> run(long seeds, LongFunction<R> simulation) {
        ConcurrentLinkedQueue<SimulationFailure> failures = new ConcurrentLinkedQueue<>();
        List<R> results = new ArrayList<>(LongStream.rangeClosed(1, seeds)
                .parallel()
                .mapToObj(seed -> {
                    try {
                        return simulation.apply(seed);
                    } catch (SimulationFailure failure) {
                        failures.add(failure);
                        return null;
                    }
                })
                .toList());
        if (!failures.isEmpty()) {
            List<Long> failing =
                    failures.stream().map(SimulationFailure::seed).sorted().toList();
            SimulationFailure first = failures.stream()
                    .min(Comparator.comparingLong(SimulationFailure::seed))
                    .orElseThrow();
            throw new AssertionError(
                    failing.size() + " of " + seeds + " seeds failed: " + failing + "\nfirst: " + first.getMessage(),
                    first);
        }
        return results;
    }
}
