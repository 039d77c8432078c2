package io.raftlog.testkit.sim;

/**
 * Runs simulated clusters from the command line and prints what each run did:
 *
 * <pre>
 * mvn -q -pl raft-testkit -am compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp raft-testkit/target/classes:$(cat raft-testkit/cp.txt) io.raftlog.testkit.sim.SimulationMain [--seed S | --seeds N]
 * </pre>
 *
 * <p>Exits with status 1 and the failing seed's report if an invariant breaks. In the build, the
 * same runs are {@code RaftSimulationTest} ({@code -Draftlog.sim.seed=S} replays one seed).
 */
public final class SimulationMain {
    private SimulationMain() {}

    public static void main(String[] args) {
        long first = 1;
        long count = 10;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--seed" -> {
                    first = parse(args[i], value);
                    count = 1;
                    i++;
                }
                case "--seeds" -> {
                    count = parse(args[i], value);
                    i++;
                }
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        for (long seed = first; seed < first + count; seed++) {
            try {
                SimulationResult result = Simulation.run(seed);
                System.out.printf(
                        "seed %d: %d nodes, %d events, %d messages, %d leaders elected, %d crash-restarts,"
                                + " %d records acknowledged, commit index %d — all invariants held%n",
                        seed,
                        result.nodes(),
                        result.events(),
                        result.messagesSent(),
                        result.elections(),
                        result.crashes(),
                        result.acknowledged(),
                        result.commitIndex());
            } catch (SimulationFailure failure) {
                System.err.println(failure.getMessage());
                System.exit(1);
            }
        }
    }

    private static long parse(String flag, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 1) {
                usage(flag + " needs a positive number, got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            usage(flag + " needs a number, got " + value);
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("error: " + problem + "\nusage: SimulationMain [--seed S | --seeds N]");
        System.exit(2);
    }
}
