package io.raftlog.examples;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Real {@code raftlog node} JVMs on loopback, for the multi-process tests. */
final class NodeProcesses implements AutoCloseable {
    final Path root;
    final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<String, Process> running = new LinkedHashMap<>();

    NodeProcesses(Path root, int size) throws IOException {
        this.root = root;
        for (int i = 1; i <= size; i++) {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", freePort()));
        }
    }

    /**
     * Starts node {@code id} with the cluster's standard flags, and {@code --bootstrap} the first
     * time (a restart uses the store it made).
     */
    Process start(String id, String... extra) throws IOException {
        String peers = addresses.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(id))
                .map(entry -> entry.getKey() + "=" + hostPort(entry.getValue()))
                .collect(Collectors.joining(","));
        return startWithPeers(id, peers, extra);
    }

    /**
     * As {@link #start}, with {@code peers} as the node's {@code --peers} (say, addresses of a
     * {@link PeerLinkProxy} instead of the other nodes' own).
     */
    Process startWithPeers(String id, String peers, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "node",
                "--id",
                id,
                "--listen",
                hostPort(addresses.get(id)),
                "--peers",
                peers,
                "--data",
                root.resolve(id).toString()));
        if (bootstrapped.add(id) && extra.length == 0) {
            args.add("--bootstrap");
        }
        args.addAll(List.of(extra));
        return launch(id, args.toArray(String[]::new));
    }

    private final java.util.Set<String> bootstrapped = new java.util.HashSet<>();

    /** Gives node {@code id} an address (a fresh loopback port), for a node to be added later. */
    InetSocketAddress allocate(String id) {
        return addresses.computeIfAbsent(id, ignored -> new InetSocketAddress("127.0.0.1", freePort()));
    }

    /**
     * Starts {@code id}, a new node, with {@code --join} on an empty data directory; its
     * {@code --peers} are {@code members}, the cluster's members now.
     */
    Process startJoining(String id, java.util.Collection<String> members) throws IOException {
        allocate(id);
        bootstrapped.add(id);
        String peers = members.stream()
                .map(member -> member + "=" + hostPort(addresses.get(member)))
                .collect(Collectors.joining(","));
        return startWithPeers(id, peers, "--join");
    }

    /** SIGTERM, as an operator's stop: the node shuts down gracefully (a leader hands off first). */
    void stop(String id) throws InterruptedException {
        Process process = running.remove(id);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(id + " did not stop within 30 s of SIGTERM");
        }
    }

    /**
     * Launches {@code raftlog ARGS...} with output to {@code root/<name>.log}; {@link #close()}
     * stops it if it is still running.
     */
    Process launch(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(args));
        Files.createDirectories(root);
        File log = root.resolve(name + ".log").toFile();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        running.put(name, process);
        return process;
    }

    /** What a {@code raftlog} process wrote to standard output and standard error, apart. */
    record Run(int exitCode, String stdout, String stderr) {}

    private int runs;

    /**
     * Runs {@code raftlog ARGS} in a child JVM as {@link #launch} does, but with standard output and
     * standard error in separate files under {@code root/runs}, and waits for it to exit (at most
     * 30 s, then it is killed and the test fails).
     */
    Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(args));
        Path directory = Files.createDirectories(root.resolve("runs"));
        int run = ++runs;
        Path stdout = directory.resolve(run + ".out");
        Path stderr = directory.resolve(run + ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        try {
            if (!exited(process, Duration.ofSeconds(30))) {
                throw new AssertionError("raftlog " + String.join(" ", args) + " did not exit within 30 s");
            }
        } finally {
            process.destroyForcibly();
        }
        return new Run(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    /** {@code java} with the flags LMDB needs and this test's class path, running {@code raftlog}. */
    private static List<String> javaCommand() {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                RaftlogCommand.class.getName());
    }

    /** The running process of {@code name}. */
    Process process(String name) {
        return running.get(name);
    }

    String output(String name) throws IOException {
        Path log = root.resolve(name + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill(String id) throws InterruptedException {
        Process process = running.remove(id);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String servers() {
        return addresses.values().stream().map(NodeProcesses::hostPort).collect(Collectors.joining(","));
    }

    List<InetSocketAddress> seeds() {
        return List.copyOf(addresses.values());
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    static int freePort() {
        return io.raftlog.testkit.LoopbackPorts.next();
    }

    static boolean exited(Process process, Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        for (Process process : running.values()) {
            process.destroy();
        }
        for (Process process : running.values()) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
    }
}
