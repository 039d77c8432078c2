package io.raftlog.testkit.sim;

/**
 * The shape of one whole-node run ({@link NodeSimulation}). Each seed draws its own fault rates,
 * cluster size and protocol settings within these bounds.
 *
 * @param minNodes       smallest cluster to draw
 * @param maxNodes       largest cluster to draw
 * @param chaosMillis    virtual time during which faults happen
 * @param calmMillis     virtual time after the faults during which the clients keep working
 * @param settleMillis   extra virtual time by which every operation must have completed and the
 *                       nodes converged (the liveness bound)
 * @param clients        concurrent clients (each with one operation outstanding at a time)
 * @param crashes        whether nodes crash and restart, losing what was not yet durable
 */
public record NodeSimulationOptions(
        int minNodes,
        int maxNodes,
        long chaosMillis,
        long calmMillis,
        long settleMillis,
        int clients,
        boolean crashes) {

    public NodeSimulationOptions {
        if (minNodes < 1 || maxNodes < minNodes) {
            throw new IllegalArgumentException("need 1 <= minNodes <= maxNodes, got " + minNodes + ".." + maxNodes);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be positive, was " + clients);
        }
    }

    /** Three or five nodes, three seconds of faults, then calm. */
    public static NodeSimulationOptions defaults() {
        return new NodeSimulationOptions(3, 5, 3_000, 1_500, 6_000, 4, true);
    }
}
