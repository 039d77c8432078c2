package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status}, {@code produce} and {@code consume} against a port where nothing listens say the
 * connection was refused.
 */
class UnreachableClusterIT {
    @TempDir
    Path data;

    @Test
    void statusSaysTheConnectionWasRefused() throws Exception {
        int port = NodeProcesses.freePort();
        try (NodeProcesses commands = new NodeProcesses(data, 0)) {
            Process status = commands.launch("status", "status", "--servers", "127.0.0.1:" + port);
            status.getOutputStream().close();

            assertThat(NodeProcesses.exited(status, Duration.ofSeconds(30))).isTrue();
            assertThat(status.exitValue()).isNotZero();
            assertThat(commands.output("status"))
                    .contains("connection to 127.0.0.1:" + port + " refused (is a node listening there?)")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void consumeSaysItFoundNoHighWatermarkToReadUpToAndWhy() throws Exception {
        int port = NodeProcesses.freePort();
        try (NodeProcesses commands = new NodeProcesses(data, 0)) {
            NodeProcesses.Run consume = commands.run("consume", "--servers", "127.0.0.1:" + port, "--timeout", "1");

            assertThat(consume.exitCode()).isNotZero();
            assertThat(consume.stdout()).isEmpty();
            assertThat(consume.stderr().strip())
                    .startsWith("error: could not find the high watermark to read up to (a linearizable read index)"
                            + " from --servers 127.0.0.1:" + port + ": no answer within the request timeout of 1000 ms")
                    .endsWith("connection to 127.0.0.1:" + port + " refused (is a node listening there?)")
                    .doesNotContain("\n");
        }
    }

    @Test
    void produceSaysTheConnectionWasRefused() throws Exception {
        int port = NodeProcesses.freePort();
        try (NodeProcesses commands = new NodeProcesses(data, 0)) {
            Process produce = commands.launch("produce", "produce", "--servers", "127.0.0.1:" + port, "--timeout", "1");
            try (OutputStream stdin = produce.getOutputStream()) {
                stdin.write("hello\n".getBytes(StandardCharsets.UTF_8));
            }

            assertThat(NodeProcesses.exited(produce, Duration.ofSeconds(30))).isTrue();
            assertThat(produce.exitValue()).isNotZero();
            assertThat(commands.output("produce").strip())
                    .startsWith("error: record on input line 1 was not committed")
                    .endsWith("connection to 127.0.0.1:" + port + " refused (is a node listening there?)")
                    .doesNotContain("\n");
        }
    }
}
