package io.raftlog.testkit.sim;

/**
 * What a run did, for reporting and for tests that check a run exercised something.
 *
 * @param seed          the seed
 * @param nodes         cluster size
 * @param events        events processed
 * @param messagesSent  messages put on the simulated wire
 * @param elections     distinct (term, leader) pairs seen
 * @param crashes       crash-restarts
 * @param acknowledged  records acknowledged to the client
 * @param commitIndex   the final commit index
 */
public record SimulationResult(
        long seed,
        int nodes,
        long events,
        long messagesSent,
        int elections,
        int crashes,
        long acknowledged,
        long commitIndex) {}
