package io.raftlog.testkit.sim;

/** A simulated run broke a safety invariant or failed to make progress; names the seed that replays it. */
public final class SimulationFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long seed;

    SimulationFailure(long seed, String message, String trace, Throwable cause) {
        super(
                "seed " + seed + ": " + message + " (replay: -Draftlog.sim.seed=" + seed + ")\nlast events:\n" + trace,
                cause);
        this.seed = seed;
    }

    /** A failure whose {@code report} already names the seed and how to replay it. */
    SimulationFailure(long seed, String report, Throwable cause) {
        super(report, cause);
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }
}
