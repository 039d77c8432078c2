package io.raftlog.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this JVM's java and class path. Its stdout is read as complete lines (a line a
 * kill cut short is dropped); its stderr goes to a file shown in failure messages; its stdin stays
 * open until {@link #close()}, so a child can notice that its parent died.
 */
final class ChildJvmProcess implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;
    private boolean ended;

    private ChildJvmProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.pump = new Thread(this::pumpLines, "child-jvm-stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code mainClass} with {@code jvmArguments} and {@code arguments}, {@code classPath}
     * before this JVM's class path.
     */
    static ChildJvmProcess start(
            Path stderr, List<String> jvmArguments, List<Path> classPath, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Starting fast matters more than running fast: each kill costs a JVM start.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.addAll(jvmArguments);
        command.add("-cp");
        StringBuilder path = new StringBuilder();
        for (Path entry : classPath) {
            path.append(entry).append(File.pathSeparatorChar);
        }
        command.add(path.append(System.getProperty("java.class.path")).toString());
        command.add(mainClass);
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .start();
            return new ChildJvmProcess(process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM: " + command, e);
        }
    }

    /** The next complete line, or null once stdout has ended; fails after {@code timeout}. */
    String nextLine(Duration timeout) throws InterruptedException {
        if (ended) {
            return null;
        }
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("the child JVM printed nothing for " + timeout + "; its stderr:\n" + stderr());
        }
        if (line.equals(END)) {
            ended = true;
            return null;
        }
        return line;
    }

    /** SIGKILL (on Unix) and wait until the process is gone; returns its exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return waitForExit(Duration.ofSeconds(30));
    }

    /** Waits for the process to end by itself. */
    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not end within " + timeout + "; its stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Every complete line after those taken, once the process has ended. */
    List<String> remainingLines() throws InterruptedException {
        pump.join(TimeUnit.SECONDS.toMillis(30));
        List<String> rest = new ArrayList<>();
        if (!ended) {
            lines.drainTo(rest);
            ended = true;
        }
        rest.remove(END);
        return rest;
    }

    /** The child's stderr so far (its last 8 KiB). */
    String stderr() {
        try {
            if (!Files.exists(stderr)) {
                return "";
            }
            String text = Files.readString(stderr, StandardCharsets.UTF_8);
            return text.length() <= 8192 ? text : "…" + text.substring(text.length() - 8192);
        } catch (IOException e) {
            return "(cannot read " + stderr + ": " + e + ")";
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the kill is sent; the caller sees the interrupt
            }
        }
    }

    private void pumpLines() {
        StringBuilder line = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) != -1) {
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        lines.add(line.toString());
                        line.setLength(0);
                    } else {
                        line.append((char) (buffer[i] & 0xff));
                    }
                }
            }
        } catch (IOException e) {
            // the child died: every complete line has been queued
        } finally {
            lines.add(END);
        }
    }
}
