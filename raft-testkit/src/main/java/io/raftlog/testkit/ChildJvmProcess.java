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
 *
 * <p>The pipe is read while the child runs, but it is not the record: when a process dies the JDK
 * drains what is left in its pipe and the last bytes can be lost. So the child also writes every
 * line, before it reaches the pipe, to a report file ({@value #REPORT_PROPERTY}), which the page
 * cache keeps through SIGKILL; {@link #remainingLines()} reads the rest from there.
 */
final class ChildJvmProcess implements AutoCloseable {
    /** The system property naming the child's report file. */
    static final String REPORT_PROPERTY = "raftlog.tck.child.report";

    private static final String END = "\u0000end";

    private final Process process;
    private final Path stderr;
    private final Path report;
    private final List<String> taken = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;
    private boolean ended;
    private int lostFromPipe;

    private ChildJvmProcess(Process process, Path stderr, Path report) {
        this.process = process;
        this.stderr = stderr;
        this.report = report;
        this.pump = new Thread(this::pumpLines, "child-jvm-stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code mainClass} with {@code jvmArguments} and {@code arguments}, {@code classPath}
     * before this JVM's class path; its stderr goes to {@code stderr}, its report file is
     * {@code stderr} with {@code .report} in place of its extension.
     */
    static ChildJvmProcess start(
            Path stderr, List<String> jvmArguments, List<Path> classPath, String mainClass, List<String> arguments) {
        Path report = stderr.resolveSibling(stderr.getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".report");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Starting fast matters more than running fast: each kill costs a JVM start.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.addAll(jvmArguments);
        command.add("-D" + REPORT_PROPERTY + "=" + report);
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
            return new ChildJvmProcess(process, stderr, report);
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
        taken.add(line);
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

    /**
     * Every complete line the child reported after those {@link #nextLine} returned, once it has
     * died: from its report file, which must begin with the lines the pipe carried.
     */
    List<String> remainingLines() throws InterruptedException {
        pump.join(TimeUnit.SECONDS.toMillis(30));
        List<String> queued = new ArrayList<>();
        if (!ended) {
            lines.drainTo(queued);
            queued.remove(END);
        }
        ended = true;
        List<String> recorded = completeLines(report);
        lostFromPipe = Math.max(0, recorded.size() - taken.size() - queued.size());
        if (recorded.size() < taken.size() || !recorded.subList(0, taken.size()).equals(taken)) {
            throw new AssertionError("the child's report " + report + " does not begin with the " + taken.size()
                    + " lines its pipe carried; its stderr:\n" + stderr());
        }
        return new ArrayList<>(recorded.subList(taken.size(), recorded.size()));
    }

    /** The lines of {@code file} that end in a newline (the child may have died inside the last). */
    private static List<String> completeLines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            lines.remove(lines.size() - 1);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the child's report " + file, e);
        }
    }

    /** How many lines {@link #remainingLines()} found in the report that the pipe never delivered. */
    int lostFromPipe() {
        return lostFromPipe;
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
