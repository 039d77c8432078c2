package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of whole clusters under faults, checking Raft's safety invariants at every
 * event and liveness once the faults stop.
 *
 * <ul>
 *   <li>{@code -Draftlog.sim.seeds=N} runs seeds 1..N (default 1000);</li>
 *   <li>{@code -Draftlog.sim.seed=S} replays exactly seed S, as printed by a failure.</li>
 * </ul>
 */
class RaftSimulationTest {
    @Test
    void safetyAndLivenessHoldOnSeededRuns() {
        String single = System.getProperty("raftlog.sim.seed", "").trim();
        if (!single.isEmpty()) {
            SimulationResult result = Simulation.run(Long.parseLong(single));
            System.out.println("replayed " + result);
            return;
        }
        long seeds =
                Long.parseLong(System.getProperty("raftlog.sim.seeds", "1000").trim());
        ConcurrentLinkedQueue<SimulationFailure> failures = new ConcurrentLinkedQueue<>();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong elections = new AtomicLong();
        AtomicLong crashes = new AtomicLong();
        LongStream.rangeClosed(1, seeds).parallel().forEach(seed -> {
            try {
                SimulationResult result = Simulation.run(seed);
                acknowledged.addAndGet(result.acknowledged());
                elections.addAndGet(result.elections());
                crashes.addAndGet(result.crashes());
            } catch (SimulationFailure failure) {
                failures.add(failure);
            }
        });
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
        // The runs must have exercised something: leaders, crashes and many acknowledged appends.
        assertThat(elections.get()).as("elections").isGreaterThanOrEqualTo(seeds);
        assertThat(crashes.get()).as("crash-restarts").isGreaterThan(seeds / 2);
        assertThat(acknowledged.get()).as("acknowledged appends").isGreaterThan(seeds * 50);
        System.out.printf(
                "%d seeds: %d acknowledged appends, %d elections, %d crash-restarts%n",
                seeds, acknowledged.get(), elections.get(), crashes.get());
    }

    @Test
    void aSeedReplaysExactly() {
        SimulationResult first = Simulation.run(7);
        SimulationResult second = Simulation.run(7);
        assertThat(second).isEqualTo(first);
    }
}
