package io.raftlog.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the protocol package a pure, deterministic state machine (DESIGN.md): no threads, locks,
 * futures, clocks, I/O, ambient randomness or Guice. Imports must come from an allow-list, and a
 * few calls that need no import are banned outright.
 */
class ProtocolPurityTest {
    private static final Path SOURCES = Path.of("src/main/java/io/raftlog/core/protocol");

    private static final List<String> ALLOWED_IMPORTS = List.of(
            "io.raftlog.api.",
            "java.util.ArrayDeque",
            "java.util.ArrayList",
            "java.util.Arrays",
            "java.util.Collections",
            "java.util.HashMap",
            "java.util.LinkedHashMap",
            "java.util.List",
            "java.util.Map",
            "java.util.Objects",
            "java.util.Optional",
            "java.util.random.RandomGenerator",
            "java.util.function.");

    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)(\\.\\*)?;", Pattern.MULTILINE);

    private static final List<String> BANNED_CALLS = List.of(
            "System.currentTimeMillis",
            "System.nanoTime",
            "Math.random",
            "new Thread",
            "synchronized",
            "Thread.",
            "Instant.now",
            "LocalDateTime.now",
            "new Random(",
            "ThreadLocalRandom",
            "System.getenv",
            "System.getProperty",
            "volatile ",
            "CompletableFuture",
            "System.out",
            "System.err");

    @Test
    void protocolSourcesUseOnlyPureDependencies() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file :
                    files.filter(path -> path.toString().endsWith(".java")).toList()) {
                violations.addAll(violations(file.getFileName().toString(), Files.readString(file)));
            }
        }
        assertThat(violations).as("impure code in the protocol package").isEmpty();
    }

    @Test
    void theCheckCatchesImpureCode() {
        String impure = """
                package io.raftlog.core.protocol;
                import java.util.concurrent.locks.ReentrantLock;
                import java.time.Clock;
                class Bad {
                    long now() { return System.nanoTime(); }
                    synchronized void lock() { }
                }
                """;
        assertThat(violations("Bad.java", impure)).hasSize(4);
    }

    private static List<String> violations(String name, String source) {
        List<String> found = new ArrayList<>();
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
            String imported = imports.group(2);
            if (ALLOWED_IMPORTS.stream().noneMatch(imported::startsWith)) {
                found.add(name + " imports " + imported);
            }
        }
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        for (String call : BANNED_CALLS) {
            if (code.contains(call)) {
                found.add(name + " uses " + call.trim());
            }
        }
        return found;
    }
}
