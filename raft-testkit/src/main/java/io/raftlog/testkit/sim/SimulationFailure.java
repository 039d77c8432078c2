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

    public long seed() {
        return seed;
    }
}
