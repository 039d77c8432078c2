package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.CommittedRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog bench} in a child JVM against a three-node cluster (the default store, Netty) in this one:
 * every record it reports committed is in the log, its summary parses, and a bad flag is one line.
 */
class BenchCommandIT {
    @TempDir
    Path data;

    private InProcessCluster cluster;
    private NodeProcesses commands;

    @BeforeEach
    void startACluster() throws Exception {
        cluster = new InProcessCluster(data, "n1", "n2", "n3");
        commands = new NodeProcesses(data.resolve("commands"), 0);
    }

    @AfterEach
    void stop() {
        commands.close();
        cluster.close();
    }

    @Test
    void appendsEveryRecordAndSummarisesInOneParsableLine() throws Exception {
        long before = cluster.status(cluster.leader()).commitIndex();

        NodeProcesses.Run run = commands.run(
                "bench",
                "--servers",
                cluster.servers(),
                "--records",
                "3000",
                "--warmup",
                "500",
                "--size",
                "100",
                "--concurrency",
                "32",
                "--producers",
                "2");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Map<String, String> summary = Arrays.stream(run.stdout().strip().split(" "))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
        assertThat(summary)
                .containsEntry("records", "3000")
                .containsEntry("committed", "3000")
                .containsEntry("failed", "0")
                .containsEntry("producers", "2")
                .containsKeys("ops_per_s", "mib_per_s", "p50_us", "p99_us", "p999_us", "max_us");
        assertThat(Double.parseDouble(summary.get("ops_per_s"))).isPositive();
        assertThat(Long.parseLong(summary.get("p50_us")))
                .isPositive()
                .isLessThanOrEqualTo(Long.parseLong(summary.get("p99_us")));
        assertThat(Long.parseLong(summary.get("p99_us"))).isLessThanOrEqualTo(Long.parseLong(summary.get("max_us")));
        assertThat(run.stderr()).contains("measured").contains("3,000/3,000");
        // Warm-up and measured records are all in the log, and not one twice.
        long end = cluster.status(cluster.leader()).commitIndex();
        Map<Integer, Long> sizes = new java.util.TreeMap<>();
        for (long offset = before + 1; offset <= end; ) {
            List<CommittedRecord> batch =
                    cluster.client.read(offset, 1000, Duration.ZERO).get(30, TimeUnit.SECONDS);
            for (CommittedRecord record : batch) {
                sizes.merge(record.payload().size(), 1L, Long::sum);
            }
            offset = batch.get(batch.size() - 1).offset() + 1;
        }
        assertThat(sizes).containsEntry(100, 3500L);
    }

    @Test
    void moreProducersThanAppendsOutstandingIsRefusedInOneLine() throws Exception {
        NodeProcesses.Run run =
                commands.run("bench", "--servers", cluster.servers(), "--concurrency", "2", "--producers", "4");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr().strip())
                .isEqualTo("error: --concurrency (2) must be at least --producers (4): each producer keeps one or more"
                        + " appends outstanding");
    }
}
