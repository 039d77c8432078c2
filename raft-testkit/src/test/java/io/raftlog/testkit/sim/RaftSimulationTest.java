package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
        long replay = SeedRuns.replaySeed();
        if (replay >= 0) {
            System.out.println("replayed " + Simulation.run(replay));
            return;
        }
        long seeds = SeedRuns.count("raftlog.sim.seeds");
        List<SimulationResult> results = SeedRuns.run(seeds, Simulation::run);
        long acknowledged =
                results.stream().mapToLong(SimulationResult::acknowledged).sum();
        long elections = results.stream().mapToLong(SimulationResult::elections).sum();
        long crashes = results.stream().mapToLong(SimulationResult::crashes).sum();
        // The runs must have exercised something: leaders, crashes and many acknowledged appends.
        assertThat(elections).as("elections").isGreaterThanOrEqualTo(seeds);
        assertThat(crashes).as("crash-restarts").isGreaterThan(seeds / 2);
        assertThat(acknowledged).as("acknowledged appends").isGreaterThan(seeds * 50);
        System.out.printf(
                "%d seeds: %d acknowledged appends, %d elections, %d crash-restarts%n",
                seeds, acknowledged, elections, crashes);
    }

    @Test
    void aSeedReplaysExactly() {
        SimulationResult first = Simulation.run(7);
        SimulationResult second = Simulation.run(7);
        assertThat(second).isEqualTo(first);
    }
}
