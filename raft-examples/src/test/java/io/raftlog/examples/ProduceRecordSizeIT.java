package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.CommittedRecord;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raftlog produce} takes records up to the largest a cluster can replicate, and says so above it. */
class ProduceRecordSizeIT {
    /** 16 MiB frames less the framing of one record on a follower's AppendEntries (longest node ids). */
    private static final int LARGEST = 16_777_017;

    @TempDir
    Path data;

    private OneNodeCluster cluster;
    private NodeProcesses commands;

    @BeforeEach
    void start() throws Exception {
        cluster = new OneNodeCluster(data.resolve("n1"));
        commands = new NodeProcesses(data.resolve("commands"), 0);
    }

    @AfterEach
    void stop() {
        commands.close();
        cluster.close();
    }

    @Test
    void aRecordOfTheLargestSizeIsAppended() throws Exception {
        Process produce = produce("first\n" + "x".repeat(LARGEST) + "\n");

        assertThat(NodeProcesses.exited(produce, Duration.ofSeconds(60))).isTrue();
        assertThat(produce.exitValue()).as(commands.output("produce")).isZero();
        assertThat(commands.output("produce").lines()).hasSize(2).allMatch(line -> line.matches("\\d+"));
        List<CommittedRecord> log = log();
        assertThat(log).hasSize(2);
        assertThat(log.get(1).payload().size()).isEqualTo(LARGEST);
    }

    @Test
    void aRecordOneByteLargerIsRefusedWithTheLimitAndNothingAfterItIsSent() throws Exception {
        Process produce = produce("first\n" + "x".repeat(LARGEST + 1) + "\nnever\n");

        assertThat(NodeProcesses.exited(produce, Duration.ofSeconds(60))).isTrue();
        assertThat(produce.exitValue()).isNotZero();
        List<String> output = commands.output("produce").lines().toList();
        assertThat(output).hasSize(2);
        assertThat(output.get(0))
                .as("the line before it was committed and printed")
                .matches("\\d+");
        assertThat(output.get(1))
                .isEqualTo("error: record on input line 2 is " + (LARGEST + 1)
                        + " bytes; the largest record this cluster accepts is " + LARGEST
                        + " bytes (maxFrameBytes 16 MiB less framing)");
        assertThat(log()).extracting(record -> record.payload().toUtf8()).containsExactly("first");
    }

    private Process produce(String input) throws Exception {
        Process produce = commands.launch("produce", "produce", "--servers", cluster.servers(), "--timeout", "20");
        try (OutputStream stdin = produce.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        return produce;
    }

    /** The node's records (not its internal entries), page by page: a large one fills a response alone. */
    private List<CommittedRecord> log() throws Exception {
        List<CommittedRecord> log = new ArrayList<>();
        List<CommittedRecord> page;
        do {
            long next = log.isEmpty() ? 1 : log.get(log.size() - 1).offset() + 1;
            page = cluster.client.read(next, 100, Duration.ZERO).get(10, TimeUnit.SECONDS);
            log.addAll(page);
        } while (!page.isEmpty());
        return log;
    }
}
