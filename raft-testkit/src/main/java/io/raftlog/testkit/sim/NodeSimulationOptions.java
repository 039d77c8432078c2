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
 * @param membershipChanges whether an operator changes the members on most seeds (adds learners
 *                       with new ids, promotes them, removes voters, shuts removed nodes down)
 */
public record NodeSimulationOptions(
        int minNodes,
        int maxNodes,
        long chaosMillis,
        long calmMillis,
        long settleMillis,
        int clients,
        boolean crashes,
        boolean membershipChanges) {

    public NodeSimulationOptions {
        if (minNodes < 1 || maxNodes < minNodes) {
            throw new IllegalArgumentException("need 1 <= minNodes <= maxNodes, got " + minNodes + ".." + maxNodes);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be positive, was " + clients);
        }
    }

    /** Without membership changes. */
    public NodeSimulationOptions(
            int minNodes,
            int maxNodes,
            long chaosMillis,
            long calmMillis,
            long settleMillis,
            int clients,
            boolean crashes) {
        this(minNodes, maxNodes, chaosMillis, calmMillis, settleMillis, clients, crashes, false);
    }

    /** Three or five nodes, three seconds of faults, then calm; membership changes on most seeds. */
    public static NodeSimulationOptions defaults() {
        return new NodeSimulationOptions(3, 5, 3_000, 1_500, 6_000, 4, true, true);
    }

    /** These options with membership changes on or off. */
    public NodeSimulationOptions withMembershipChanges(boolean on) {
        return new NodeSimulationOptions(
                minNodes, maxNodes, chaosMillis, calmMillis, settleMillis, clients, crashes, on);
    }
}
