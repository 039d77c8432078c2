package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of whole nodes ({@code NodeLoop}) under faults, with clients on the public API.
 *
 * <ul>
 *   <li>{@code -Draftlog.sim.nodeSeeds=N} runs seeds 1..N (default 1000); on most seeds an
 *       operator changes the members meanwhile (adds learners, promotes, removes);</li>
 *   <li>{@code -Draftlog.sim.seed=S} replays exactly seed S, as printed by a failure.</li>
 * </ul>
 */
class NodeSimulationTest {
    @Test
    void safetyAndLivenessHoldOnSeededRunsOfWholeNodes() {
        long replay = SeedRuns.replaySeed();
        if (replay >= 0) {
            System.out.println("replayed " + NodeSimulation.run(replay));
            return;
        }
        long seeds = SeedRuns.count("raftlog.sim.nodeSeeds");
        long started = System.nanoTime();
        List<NodeSimulationResult> results = SeedRuns.run(seeds, NodeSimulation::run);
        long realMillis = (System.nanoTime() - started) / 1_000_000;
        long acknowledged =
                results.stream().mapToLong(NodeSimulationResult::acknowledged).sum();
        long crashes = results.stream().mapToLong(NodeSimulationResult::crashes).sum();
        long reads = results.stream().mapToLong(NodeSimulationResult::reads).sum();
        long storageFailures = results.stream()
                .mapToLong(NodeSimulationResult::storageFailures)
                .sum();
        long lostDisks =
                results.stream().mapToLong(NodeSimulationResult::lostDisks).sum();
        long flips = results.stream().mapToLong(NodeSimulationResult::bitFlips).sum();
        long refused = results.stream()
                .mapToLong(NodeSimulationResult::lostDisksRefused)
                .sum();
        long olderCopies =
                results.stream().mapToLong(NodeSimulationResult::olderCopies).sum();
        long olderCopiesRefused = results.stream()
                .mapToLong(NodeSimulationResult::olderCopiesRefused)
                .sum();
        long pauses = results.stream().mapToLong(NodeSimulationResult::pauses).sum();
        long jumps =
                results.stream().mapToLong(NodeSimulationResult::clockJumps).sum();
        long transfers =
                results.stream().mapToLong(NodeSimulationResult::transfers).sum();
        long virtualMillis =
                results.stream().mapToLong(NodeSimulationResult::virtualMillis).sum();
        long installed = results.stream()
                .mapToLong(NodeSimulationResult::snapshotsInstalled)
                .sum();
        long damagedSnapshots = results.stream()
                .mapToLong(NodeSimulationResult::snapshotsDamaged)
                .sum();
        long unusable = results.stream()
                .mapToLong(NodeSimulationResult::snapshotsUnusable)
                .sum();
        long deletions =
                results.stream().mapToLong(NodeSimulationResult::deletions).sum();
        long outOfRange = results.stream()
                .mapToLong(NodeSimulationResult::outOfRangeReads)
                .sum();
        long trimmed = results.stream().filter(result -> result.logStart() > 1).count();
        long linearizable = results.stream()
                .mapToLong(NodeSimulationResult::linearizableReads)
                .sum();
        long added =
                results.stream().mapToLong(NodeSimulationResult::nodesAdded).sum();
        long promotions =
                results.stream().mapToLong(NodeSimulationResult::promotions).sum();
        long removals =
                results.stream().mapToLong(NodeSimulationResult::removals).sum();
        long membershipRefusals = results.stream()
                .mapToLong(NodeSimulationResult::membershipRefusals)
                .sum();
        long changedRuns = results.stream()
                .filter(result -> result.promotions() > 0 && result.removals() > 0)
                .count();
        // The runs must have exercised something: every kind of fault, and a lot of traffic.
        assertThat(added).as("nodes added as learners").isGreaterThan(seeds / 2);
        assertThat(promotions).as("learners promoted").isGreaterThan(seeds / 4);
        assertThat(removals).as("members removed").isGreaterThan(seeds / 4);
        assertThat(changedRuns).as("runs that both promoted and removed").isGreaterThan(seeds / 10);
        assertThat(crashes).as("crash-restarts").isGreaterThan(seeds / 2);
        assertThat(pauses).as("pauses").isGreaterThan(seeds / 4);
        assertThat(storageFailures).as("failed writes retried").isGreaterThan(seeds / 4);
        assertThat(lostDisks).as("lost disks").isGreaterThan(seeds / 10);
        assertThat(flips).as("bit flips").isGreaterThan(seeds / 10);
        assertThat(refused).as("lost disks started as if new and refused").isGreaterThan(seeds / 40);
        assertThat(olderCopies).as("restarts on older copies").isGreaterThan(seeds / 40);
        long olderCopiesWiped = results.stream()
                .mapToLong(NodeSimulationResult::olderCopiesWiped)
                .sum();
        long olderCopiesMooted = results.stream()
                .mapToLong(NodeSimulationResult::olderCopiesMooted)
                .sum();
        assertThat(olderCopiesRefused + olderCopiesWiped + olderCopiesMooted)
                .as("older copies refused (or wiped first, or removed first; never vetted)")
                .isEqualTo(olderCopies);
        assertThat(jumps).as("wall-clock jumps").isGreaterThan(seeds / 4);
        assertThat(transfers).as("leadership transfers").isGreaterThan(seeds / 4);
        assertThat(acknowledged).as("acknowledged records").isGreaterThan(seeds * 20);
        assertThat(reads).as("reads answered").isGreaterThan(seeds * 5);
        assertThat(installed).as("snapshots installed by lagging followers").isGreaterThan(seeds / 4);
        assertThat(damagedSnapshots).as("snapshots damaged at rest").isGreaterThan(seeds / 10);
        assertThat(deletions).as("deleteRecordsBefore completed").isGreaterThan(seeds);
        assertThat(outOfRange).as("reads below the log start refused").isGreaterThan(seeds);
        assertThat(trimmed).as("runs whose log start moved").isGreaterThan(seeds / 2);
        assertThat(linearizable).as("linearizable reads answered and checked").isGreaterThan(seeds);
        System.out.printf(
                "%d whole-node seeds: %d acknowledged, %d reads, %d crash-restarts, %d failed writes retried,"
                        + " %d lost disks (%d started as if new, refused), %d older copies restored (%d refused),"
                        + " %d bit flips, %d pauses, %d clock jumps,"
                        + " %d transfers, %d snapshots installed, %d snapshots damaged (%d starts refused),"
                        + " %d deletions, %d reads below the log start, %d runs with the log start moved,"
                        + " %d linearizable reads; %d nodes added, %d promoted, %d removed (%d refusals);"
                        + " %.1f simulated s in %.1f s%n",
                seeds,
                acknowledged,
                reads,
                crashes,
                storageFailures,
                lostDisks,
                refused,
                olderCopies,
                olderCopiesRefused,
                flips,
                pauses,
                jumps,
                transfers,
                installed,
                damagedSnapshots,
                unusable,
                deletions,
                outOfRange,
                trimmed,
                linearizable,
                added,
                promotions,
                removals,
                membershipRefusals,
                virtualMillis / 1000.0,
                realMillis / 1000.0);
    }

    /**
     * Seeds beyond the default range that once failed, each on a bug since fixed: 293 and 12594 (a
     * learner that missed a rejoin refused the rejoined store for good), 3254 (a new leader could
     * not count rejoining members' acknowledgements), 8440 (a membership change handed a
     * corruption to its caller), 15138 (flags taken for the bootstrap membership), 16922 (an
     * uncommitted entry could not be repaired). A later change of the simulator or the nodes may
     * take a seed down another path (seed 6684, which found the rejoin catch-up rule, no longer
     * reaches it), so these guard the paths as they were found; the LocalCluster tests named in
     * the commits guard the rules themselves.
     */
    @Test
    void seedsThatOnceFailedStayClean() {
        for (long seed : new long[] {293, 3254, 8440, 12594, 15138, 16922}) {
            NodeSimulation.run(seed);
        }
    }

    @Test
    void aSeedReplaysExactly() {
        assertThat(NodeSimulation.run(11)).isEqualTo(NodeSimulation.run(11));
    }
}
