package io.raftlog.examples;

import io.raftlog.examples.console.ConsoleServer;
import io.raftlog.testkit.sim.InteractiveSimulation;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftlog console}: the Raft console, a page on {@code http://127.0.0.1:PORT} that runs
 * real raftlog nodes on the simulator's virtual time and lets you watch, break and replay them.
 * Ctrl-C stops it.
 */
@Command(
        name = "console",
        mixinStandardHelpOptions = true,
        description = "Watch, break and replay a simulated cluster of real raftlog nodes in the browser.")
final class ConsoleCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--nodes",
            defaultValue = "3",
            paramLabel = "N",
            description = "3 or 5 nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(
            names = "--port",
            defaultValue = "8080",
            paramLabel = "P",
            description = "Serve the page on http://127.0.0.1:P (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "S",
            description =
                    "The seed of the run: the same seed and actions replay the same run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!InteractiveSimulation.SIZES.contains(nodes)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes is 3 or 5, not " + nodes);
        }
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port is 0 to 65535, not " + port);
        }
        ConsoleServer console = ConsoleServer.start(port, seed, nodes);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            console.close();
                            stopped.countDown();
                        },
                        "raftlog-console-stop"));
        System.out.println(
                "Raft console: " + console.address() + " (seed " + seed + ", " + nodes + " nodes). Ctrl-C stops it.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
