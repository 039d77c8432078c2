package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of whole nodes ({@code NodeLoop}) under faults, with clients on the public API.
 *
 * <ul>
 *   <li>{@code -Draftlog.sim.nodeSeeds=N} runs seeds 1..N (default 1000);</li>
 *   <li>{@code -Draftlog.sim.seed=S} replays exactly seed S, as printed by a failure.</li>
 * </ul>
 */
class NodeSimulationTest {
    @Test
    void safetyAndLivenessHoldOnSeededRunsOfWholeNodes() {
        String single = System.getProperty("raftlog.sim.seed", "").trim();
        if (!single.isEmpty()) {
            NodeSimulationResult result = NodeSimulation.run(Long.parseLong(single));
            System.out.println("replayed " + result);
            return;
        }
        long seeds = Long.parseLong(
                System.getProperty("raftlog.sim.nodeSeeds", "1000").trim());
        ConcurrentLinkedQueue<SimulationFailure> failures = new ConcurrentLinkedQueue<>();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong crashes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicLong virtualMillis = new AtomicLong();
        long started = System.nanoTime();
        LongStream.rangeClosed(1, seeds).parallel().forEach(seed -> {
            try {
                NodeSimulationResult result = NodeSimulation.run(seed);
                acknowledged.addAndGet(result.acknowledged());
                crashes.addAndGet(result.crashes());
                reads.addAndGet(result.reads());
                virtualMillis.addAndGet(result.virtualMillis());
            } catch (SimulationFailure failure) {
                failures.add(failure);
            }
        });
        long realMillis = (System.nanoTime() - started) / 1_000_000;
        if (!failures.isEmpty()) {
            List<Long> failing =
                    failures.stream().map(SimulationFailure::seed).sorted().toList();
            SimulationFailure first = failures.stream()
                    .min((a, b) -> Long.compare(a.seed(), b.seed()))
                    .orElseThrow();
            throw new AssertionError(
                    failing.size() + " of " + seeds + " seeds failed: " + failing + "\nfirst: " + first.getMessage(),
                    first);
        }
        assertThat(crashes.get()).as("crash-restarts").isGreaterThan(seeds / 2);
        assertThat(acknowledged.get()).as("acknowledged records").isGreaterThan(seeds * 20);
        assertThat(reads.get()).as("reads answered").isGreaterThan(seeds * 5);
        System.out.printf(
                "%d whole-node seeds: %d acknowledged, %d reads, %d crash-restarts; %.1f simulated s in %.1f s%n",
                seeds,
                acknowledged.get(),
                reads.get(),
                crashes.get(),
                virtualMillis.get() / 1000.0,
                realMillis / 1000.0);
    }

    @Test
    void aSeedReplaysExactly() {
        assertThat(NodeSimulation.run(11)).isEqualTo(NodeSimulation.run(11));
    }
}
