package io.raftlog.storage.lmdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test main class on this JVM's class path; its stdout is read as complete
 * lines (a line cut short by a kill is dropped), its stderr goes to a file shown on failure.
 */
final class ChildJvm implements AutoCloseable {
    /** The flags lmdbjava needs, as the parent pom passes them to tests. */
    static final List<String> ADD_OPENS =
            List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    private static final String END = "<eof>";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.pump = new Thread(this::pumpLines, "child-stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code mainClass} with {@code args}, with lmdbjava's flags unless {@code jvmFlags} replaces them. */
    static ChildJvm start(Path stderr, List<String> jvmFlags, Class<?> mainClass, String... args) {
        return start(stderr, jvmFlags, Map.of(), mainClass, args);
    }

    /** Like {@link #start(Path, List, Class, String...)}, with {@code environment} added to this one's. */
    static ChildJvm start(
            Path stderr, List<String> jvmFlags, Map<String, String> environment, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new ChildJvm(process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChildJvm start(Path stderr, Class<?> mainClass, String... args) {
        return start(stderr, ADD_OPENS, mainClass, args);
    }

    /** The next complete line, or null once the child's stdout has ended; fails after {@code timeout}. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("no output from the child within " + timeout + "; its stderr:\n" + stderr());
        }
        if (line.equals(END)) {
            lines.add(END);
            return null;
        }
        return line;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL (on Linux) and wait for the process to die. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL");
        }
        return process.exitValue();
    }

    /** Waits for the child to exit by itself. */
    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("child did not exit within " + timeout + "; its stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Every complete line the child printed after those already taken, once it has died. */
    List<String> remainingLines() throws InterruptedException {
        pump.join(TimeUnit.SECONDS.toMillis(20));
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        rest.remove(END);
        return rest;
    }

    String stderr() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            return "(cannot read " + stderr + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private void pumpLines() {
        StringBuilder line = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            int next;
            while ((next = in.read()) != -1) {
                if (next == '\n') {
                    lines.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) next);
                }
            }
        } catch (IOException e) {
            // the child died: what was complete has been queued
        } finally {
            lines.add(END);
        }
    }
}
