package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the {@code raftlog} command logs, from the shaded {@code raftlog.jar} run as a real JVM:
 * one format for every line, whoever logged it (our SLF4J loggers, Guice through
 * java.util.logging, the JDK through System.Logger), and the level that {@code --log-level} or
 * {@code RAFTLOG_LOG_LEVEL} sets.
 */
class LoggingIT {
    /** simplelogger.properties' format: ISO-8601 time, [thread], level, logger, " - ", message. */
    static final Pattern LOG_LINE = Pattern.compile("(?<time>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}"
            + "(?:Z|[+-]\\d{2}:\\d{2})) \\[(?<thread>[^\\]]+)] (?<level>TRACE|DEBUG|INFO|WARN|ERROR)"
            + " (?<logger>[\\w$.]+) - (?<message>.*)");
    /**
     * java.util.logging's default console format, two lines per record: "Dec 01, 2026 7:21:00 AM
     * com.example.Class method", then "INFO: message".
     */
    static final Pattern JUL_LINE = Pattern.compile("(?:SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): .*"
            + "|[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M .*");
    /** A line of the stack trace slf4j-simple prints below a log line that carries an exception. */
    static final Pattern STACK_TRACE_LINE = Pattern.compile(
            "\\s+at .+|\\s*\\.\\.\\. \\d+ more|\\s*(?:Caused by|Suppressed): .+|[\\w$.]+(?:Exception|Error)(?:: .*)?");

    @TempDir
    Path temp;

    @Test
    void everyLineTheDemoLogsAtTheDefaultLevelHasTheOneFormat() throws Exception {
        Run run = raftlog(Map.of(), "demo", "--records", "20", "--metrics-port", "0", "--data", data());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.stdout).as(run.toString()).contains("done: produced 20, consumed 20");
        assertThat(run.stderrLines())
                .as(run.toString())
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).matches(LOG_LINE));
        List<LogLine> lines = run.logLines();
        assertThat(lines).extracting(LogLine::level).as(run.toString()).doesNotContain("DEBUG", "TRACE");
        assertThat(lines)
                .as(run.toString())
                .anySatisfy(line -> assertThat(line.logger()).isEqualTo("io.raftlog.core.RaftNode"))
                .anySatisfy(line -> assertThat(line.message()).contains("became leader in term"))
                .anySatisfy(line -> assertThat(line.logger()).isEqualTo("io.raftlog.storage.segment.SegmentLogStore"))
                .anySatisfy(line -> assertThat(line.logger()).startsWith("io.raftlog.transport.netty."));
        assertThat(run.stdoutLines())
                .as("the demo's report, and no log line, on standard output")
                .noneMatch(line -> LOG_LINE.matcher(line).matches());
        assertNoJavaUtilLoggingFormat(run);
    }

    @Test
    void debugShowsDebugLinesAndTheLinesOfJavaUtilLoggingAndSystemLoggerInTheSameFormat() throws Exception {
        // The flag beats the environment variable.
        Run run = raftlog(
                Map.of(Logging.ENVIRONMENT_VARIABLE, "error"),
                "--log-level",
                "debug",
                "demo",
                "--records",
                "20",
                "--metrics-port",
                String.valueOf(NodeProcesses.freePort()),
                "--data",
                data());

        assertThat(run.exitCode).as(run.toString()).isZero();
        List<String> stderr = run.stderrLines();
        assertThat(stderr.get(0)).as(run.toString()).matches(LOG_LINE);
        assertThat(stderr)
                .as("log lines, and stack traces below some DEBUG lines: " + run)
                .allSatisfy(line -> assertThat(LOG_LINE.matcher(line).matches()
                                || STACK_TRACE_LINE.matcher(line).matches())
                        .as(line)
                        .isTrue());
        List<LogLine> lines = run.logLines();
        assertThat(lines)
                .as(run.toString())
                .anySatisfy(line -> {
                    assertThat(line.level()).isEqualTo("DEBUG");
                    assertThat(line.logger()).startsWith("io.raftlog.");
                })
                // System.Logger: the JDK's HTTP server behind --metrics-port logs its setup at DEBUG.
                .anySatisfy(line -> assertThat(line.logger()).isEqualTo("com.sun.net.httpserver"))
                // java.util.logging: Guice logs how long building the injector took at FINE.
                .anySatisfy(line -> assertThat(line.logger()).startsWith("com.google.inject."));
        assertNoJavaUtilLoggingFormat(run);
    }

    @Test
    void warnFromTheEnvironmentHidesInfoLines() throws Exception {
        Run run = raftlog(
                Map.of(Logging.ENVIRONMENT_VARIABLE, "WARN"),
                "demo",
                "--records",
                "20",
                "--metrics-port",
                "0",
                "--data",
                data());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.stdout).as(run.toString()).contains("done: produced 20, consumed 20");
        assertThat(run.stderrLines())
                .as(run.toString())
                .allSatisfy(line -> assertThat(line).matches(LOG_LINE));
        assertThat(run.logLines())
                .extracting(LogLine::level)
                .as(run.toString())
                .allMatch(level -> level.equals("WARN") || level.equals("ERROR"));
        assertNoJavaUtilLoggingFormat(run);
    }

    @Test
    void aBadLevelIsAOneLineErrorWithExitStatusTwo() throws Exception {
        Run flag = raftlog(Map.of(), "demo", "--log-level", "loud", "--data", data());
        assertThat(flag.exitCode).as(flag.toString()).isEqualTo(2);
        assertThat(flag.stdout).as(flag.toString()).isEmpty();
        assertThat(flag.stderrLines())
                .as(flag.toString())
                .singleElement()
                .asString()
                .startsWith("error: --log-level must be one of trace, debug, info, warn, error, got 'loud'");

        Run environment = raftlog(Map.of(Logging.ENVIRONMENT_VARIABLE, "chatty"), "demo", "--data", data());
        assertThat(environment.exitCode).as(environment.toString()).isEqualTo(2);
        assertThat(environment.stderrLines())
                .as(environment.toString())
                .singleElement()
                .asString()
                .startsWith("error: " + Logging.ENVIRONMENT_VARIABLE + " must be one of")
                .contains("'chatty'");
    }

    @Test
    void theShadedJarHasOneBindingAndTheSystemLoggerBridge() throws IOException {
        // Shading merges META-INF/services; without the LoggerFinder entry System.Logger would fall
        // back to java.util.logging (and still reach SLF4J through its bridge, so the runs above
        // cannot tell).
        try (JarFile jar = new JarFile(jar())) {
            assertThat(service(jar, "org.slf4j.spi.SLF4JServiceProvider"))
                    .containsExactly("org.slf4j.simple.SimpleServiceProvider");
            assertThat(service(jar, "java.lang.System$LoggerFinder"))
                    .containsExactly("org.slf4j.jdk.platform.logging.SLF4JSystemLoggerFinder");
            assertThat(jar.getEntry("simplelogger.properties")).isNotNull();
        }
    }

    private static List<String> service(JarFile jar, String type) throws IOException {
        JarEntry entry = jar.getJarEntry("META-INF/services/" + type);
        assertThat(entry)
                .as("META-INF/services/" + type + " in " + jar.getName())
                .isNotNull();
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .collect(Collectors.toList());
        }
    }

    private static String jar() {
        return Objects.requireNonNull(System.getProperty("raftlog.jar"), "the raftlog.jar system property");
    }

    private static void assertNoJavaUtilLoggingFormat(Run run) {
        List<String> all = new ArrayList<>(run.stdoutLines());
        all.addAll(run.stderrLines());
        assertThat(all)
                .as(run.toString())
                .noneMatch(line -> JUL_LINE.matcher(line).matches());
    }

    private String data() {
        return temp.resolve("data").toString();
    }

    /** Runs {@code java -jar raftlog.jar ARGS} with {@code environment} added to a clean one. */
    private Run raftlog(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(temp, "stdout", ".txt");
        Path stderr = Files.createTempFile(temp, "stderr", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().remove(Logging.ENVIRONMENT_VARIABLE);
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("raftlog " + String.join(" ", args) + " did not exit within 60 s; stderr:\n"
                    + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return new Run(
                String.join(" ", args),
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    record LogLine(String thread, String level, String logger, String message) {}

    record Run(String args, int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().collect(Collectors.toList());
        }

        List<String> stderrLines() {
            return stderr.lines().collect(Collectors.toList());
        }

        /** The lines of standard error that are log lines, parsed. */
        List<LogLine> logLines() {
            List<LogLine> lines = new ArrayList<>();
            for (String line : stderrLines()) {
                Matcher matcher = LOG_LINE.matcher(line);
                if (matcher.matches()) {
                    lines.add(new LogLine(
                            matcher.group("thread"),
                            matcher.group("level"),
                            matcher.group("logger"),
                            matcher.group("message")));
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "raftlog " + args + " exited " + exitCode + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
        }
    }
}
