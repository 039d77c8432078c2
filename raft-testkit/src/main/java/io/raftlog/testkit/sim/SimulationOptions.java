package io.raftlog.testkit.sim;

/**
 * The shape of one simulated run. Each seed draws its own fault rates and cluster size within
 * these bounds, so a few thousand seeds cover many combinations.
 *
 * @param minNodes        smallest cluster to draw (odd or even)
 * @param maxNodes        largest cluster to draw
 * @param chaosMillis     virtual time during which faults happen
 * @param calmMillis      virtual time after the faults during which the client keeps appending
 * @param settleMillis    extra virtual time after that by which everything must have committed
 *                        and converged (the liveness bound)
 * @param tickMillis      virtual time between two ticks of a node
 * @param maxDropRate     highest per-message drop probability drawn for a run
 * @param maxDuplicateRate highest per-message duplication probability drawn for a run
 * @param maxDelayMillis  highest per-message delay drawn for a run
 * @param maxReorderRate  highest probability drawn for a run that a message ignores its link's
 *                        order and may overtake earlier ones (links are otherwise FIFO, like TCP,
 *                        and always FIFO once the faults stop)
 * @param crashes         whether nodes crash and restart, losing writes not yet durable
 */
public record SimulationOptions(
        int minNodes,
        int maxNodes,
        long chaosMillis,
        long calmMillis,
        long settleMillis,
        int tickMillis,
        double maxDropRate,
        double maxDuplicateRate,
        int maxDelayMillis,
        double maxReorderRate,
        boolean crashes) {

    public SimulationOptions {
        if (minNodes < 1 || maxNodes < minNodes) {
            throw new IllegalArgumentException("need 1 <= minNodes <= maxNodes, got " + minNodes + ".." + maxNodes);
        }
        if (tickMillis < 1 || maxDelayMillis < 1) {
            throw new IllegalArgumentException("tickMillis and maxDelayMillis must be positive");
        }
    }

    /** Three or five nodes, three seconds of faults, then calm. */
    public static SimulationOptions defaults() {
        return new SimulationOptions(3, 5, 3_000, 1_000, 4_000, 10, 0.2, 0.05, 40, 0.5, true);
    }
}
