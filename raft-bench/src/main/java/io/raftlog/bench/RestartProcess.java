package io.raftlog.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The child process of {@link RestartBenchmark#restartNewProcess}: restarts the node in the
 * directory given, appends once, prints {@code appended OFFSET MILLIS_SINCE_JVM_START DETAILS}
 * and exits after closing the node. Not a tool: the benchmark launches it.
 */
final class RestartProcess {
    static final String DONE = "appended ";

    private RestartProcess() {}

    public static void main(String[] args) {
        RestartBenchmark.Restart restart = RestartBenchmark.restart(Path.of(args[0]));
        // Read after the append: loading the management classes is not part of the restart.
        long sinceJvmStart = System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println(DONE + restart.offset() + " " + sinceJvmStart + " " + restart);
        System.out.flush();
        restart.node().close();
        System.exit(0);
    }
}
