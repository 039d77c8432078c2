package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot go on ends its process, non-zero, with a one-line reason — it never stays up
 * with its metrics answering while it serves nothing, so a supervisor restarts it. The fatal error
 * here: the same committed entry corrupted on every node, so no intact copy exists anywhere.
 */
class FatalErrorExitIT {
    private static final Pattern FATAL_AT =
            Pattern.compile("^(\\S+) \\[.*stops after a fatal error", Pattern.MULTILINE);

    @TempDir
    Path data;

    @Test
    void aNodeThatHitsAFatalErrorExitsNonZeroWithAOneLineReason() throws Exception {
        String marker = "marker-record-17-";
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(20)))) {
                for (int i = 0; i < 40; i++) {
                    client.append(Bytes.ofUtf8("marker-record-" + i + "-" + "p".repeat(40)))
                            .get();
                }
            }
            for (String id : List.copyOf(cluster.addresses.keySet())) {
                cluster.kill(id);
            }
            for (String id : cluster.addresses.keySet()) {
                flipInEveryCopy(data.resolve(id), marker);
            }

            Map<String, Process> processes = new LinkedHashMap<>();
            for (String id : cluster.addresses.keySet()) {
                processes.put(id, cluster.start(id));
            }
            // Once a leader is elected and the commit index known, the first node that reads the
            // entry (to apply it, or to send it to a follower) meets the corruption and must exit.
            // The others may then lack a quorum and stay up, healthy: they have not failed.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> processes.values().stream().anyMatch(process -> !process.isAlive()));
            Instant exited = Instant.now();
            int failed = 0;
            for (Map.Entry<String, Process> entry : processes.entrySet()) {
                String id = entry.getKey();
                Process process = entry.getValue();
                if (process.isAlive()) {
                    continue;
                }
                failed++;
                String output = cluster.output(id);
                assertThat(process.exitValue()).as(output).isEqualTo(NodeCommand.EXIT_NODE_FAILED);
                List<String> lines = output.strip().lines().toList();
                assertThat(lines.get(lines.size() - 1))
                        .as(output)
                        .startsWith("error: node " + id + " stopped: corrupt log entry at index ")
                        .contains(data.resolve(id).toString());
                Matcher fatal = FATAL_AT.matcher(output);
                assertThat(fatal.find()).as(output).isTrue();
                Duration toExit = Duration.between(Instant.parse(fatal.group(1)), exited);
                System.out.println(id + ": exited within " + toExit.toMillis() + " ms of logging its fatal error");
            }
            assertThat(failed).isPositive();
        }
    }

    /**
     * Flips one payload byte in every copy of {@code marker} in the store files of a stopped node's
     * data directory (its top level: LMDB's {@code data.mdb}, or the segment files).
     */
    static void flipInEveryCopy(Path directory, String marker) throws IOException {
        int copies = 0;
        try (var files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                copies += flipIn(file, marker);
            }
        }
        assertThat(copies).as("copies of %s in %s", marker, directory).isPositive();
    }

    private static int flipIn(Path file, String marker) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] pattern = marker.getBytes(StandardCharsets.US_ASCII);
        int copies = 0;
        for (int at = 0; at <= bytes.length - pattern.length - 4; at++) {
            boolean match = true;
            for (int i = 0; i < pattern.length && match; i++) {
                match = bytes[at + i] == pattern[i];
            }
            if (match) {
                bytes[at + pattern.length + 2] ^= 0x5a;
                copies++;
            }
        }
        if (copies > 0) {
            Files.write(file, bytes);
        }
        return copies;
    }
}
