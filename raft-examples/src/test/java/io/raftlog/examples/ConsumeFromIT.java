package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.transport.netty.client.RaftClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code raftlog consume --from earliest|latest|OFFSET} in a child JVM against a one-node cluster
 * (the default store, Netty) in this one; and, once {@code raftlog delete-records} moved the log start, where
 * {@code consume --reset earliest|latest|none} goes on and what {@code status} shows.
 */
class ConsumeFromIT {
    @TempDir
    Path data;

    private OneNodeCluster cluster;
    private RaftClient client;
    private NodeProcesses commands;
    private long offsetOfB;
    private long offsetOfC;

    @BeforeEach
    void startANodeWithThreeRecords() throws Exception {
        cluster = new OneNodeCluster(data.resolve("n1"));
        client = cluster.client;
        client.append(Bytes.ofUtf8("a")).get(10, TimeUnit.SECONDS);
        offsetOfB = client.append(Bytes.ofUtf8("b")).get(10, TimeUnit.SECONDS);
        offsetOfC = client.append(Bytes.ofUtf8("c")).get(10, TimeUnit.SECONDS);
        commands = new NodeProcesses(data.resolve("commands"), 0);
    }

    @AfterEach
    void stop() {
        commands.close();
        cluster.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"earliest", "0", "1"})
    void fromTheStartOfTheLog(String from) throws Exception {
        assertThat(records(consume("--from", from))).containsExactly("a", "b", "c");
    }

    @Test
    void withoutFromStartsAtTheStartOfTheLog() throws Exception {
        assertThat(records(consume())).containsExactly("a", "b", "c");
    }

    @Test
    void fromAnOffset() throws Exception {
        assertThat(consume("--from", Long.toString(offsetOfB))).isEqualTo(offsetOfB + "\tb\n" + offsetOfC + "\tc\n");
    }

    @Test
    void fromLatestPrintsOnlyRecordsCommittedAfterTheConsumerStarted() throws Exception {
        Process consumer = commands.launch("consume", consumeArgs("--from", "latest", "--follow", "--max", "1"));
        consumer.getOutputStream().close();
        // The consumer reads the commit offset when it starts: keep appending until it has one.
        AtomicInteger appended = new AtomicInteger();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            client.append(Bytes.ofUtf8("new-" + appended.incrementAndGet())).get(10, TimeUnit.SECONDS);
            return consumer.waitFor(100, TimeUnit.MILLISECONDS);
        });

        assertThat(consumer.exitValue()).as(commands.output("consume")).isZero();
        String[] line = commands.output("consume").strip().split("\t");
        assertThat(line).hasSize(2);
        assertThat(Long.parseLong(line[0])).isGreaterThan(offsetOfC);
        assertThat(line[1]).startsWith("new-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "garbage", "1.5", ""})
    void anythingElseIsAOneLineErrorNamingTheAcceptedForms(String from) throws Exception {
        Process consumer = commands.launch("bad", consumeArgs("--from", from));
        consumer.getOutputStream().close();

        assertThat(NodeProcesses.exited(consumer, Duration.ofSeconds(30))).isTrue();
        assertThat(consumer.exitValue()).isEqualTo(2);
        assertThat(commands.output("bad").strip())
                .startsWith("error:")
                .contains("--from")
                .contains("earliest, latest or an offset >= 0")
                .contains("'" + from + "'")
                .doesNotContain("\n");
    }

    @Test
    void deleteRecordsPrintsTheNewLogStartWhichStatusShowsAndEarliestStartsAt() throws Exception {
        List<Long> offsets = appendFifty();

        NodeProcesses.Run deleted = raftlog("delete-records", "--servers", cluster.servers(), "--before", "20");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.stdout()).isEqualTo("20\n");

        NodeProcesses.Run status = raftlog("status", "--servers", cluster.servers());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains("\"logStartOffset\":20,");

        NodeProcesses.Run earliest = raftlog(consumeArgs("--from", "earliest"));
        assertThat(earliest.exitCode()).as(earliest.toString()).isZero();
        assertThat(earliest.stdout()).isEqualTo(printed(offsets, 20));
        assertThat(earliest.stderr())
                .as("the start of the log is not out of range")
                .doesNotContain("below");
    }

    @Test
    void belowTheLogStartTheConsumerResumesThereByDefaultAndSaysSoOnStandardError() throws Exception {
        List<Long> offsets = appendFifty();
        assertThat(client.deleteRecordsBefore(20).get(10, TimeUnit.SECONDS)).isEqualTo(20);

        NodeProcesses.Run consume = raftlog(consumeArgs("--from", "5"));

        assertThat(consume.exitCode()).as(consume.toString()).isZero();
        assertThat(consume.stdout()).as(consume.toString()).isEqualTo(printed(offsets, 20));
        assertThat(consume.stderr().lines().filter(line -> line.contains("below the log start")))
                .as(consume.toString())
                .containsExactly("offset 5 is below the log start 20: resuming at 20");
    }

    @Test
    void resetLatestResumesAfterTheNewestRecord() throws Exception {
        List<Long> offsets = appendFifty();
        assertThat(client.deleteRecordsBefore(20).get(10, TimeUnit.SECONDS)).isEqualTo(20);

        NodeProcesses.Run consume = raftlog(consumeArgs("--from", "5", "--reset", "latest"));

        assertThat(consume.exitCode()).as(consume.toString()).isZero();
        assertThat(consume.stdout())
                .as("nothing committed after the newest record")
                .isEmpty();
        List<String> resets = consume.stderr()
                .lines()
                .filter(line -> line.contains("below the log start"))
                .toList();
        assertThat(resets).as(consume.toString()).hasSize(1);
        assertThat(resets.get(0)).startsWith("offset 5 is below the log start 20: resuming at ");
        long resumedAt = Long.parseLong(resets.get(0).substring(resets.get(0).lastIndexOf(' ') + 1));
        // Nothing was appended since: the high watermark is the one the consumer's read met.
        long highWatermark = client.status().get(10, TimeUnit.SECONDS).commitIndex();
        assertThat(resumedAt).isEqualTo(highWatermark + 1).isGreaterThan(offsets.get(offsets.size() - 1));
    }

    @Test
    void resetNoneStopsWithTheMessageAndANonZeroStatus() throws Exception {
        appendFifty();
        assertThat(client.deleteRecordsBefore(20).get(10, TimeUnit.SECONDS)).isEqualTo(20);

        NodeProcesses.Run consume = raftlog(consumeArgs("--from", "5", "--reset", "none"));

        assertThat(consume.exitCode()).as(consume.toString()).isNotZero();
        assertThat(consume.stdout()).isEmpty();
        assertThat(consume.stderr().strip())
                .as(consume.toString())
                .startsWith("error: offset 5 is below the log start 20 (--reset none")
                .doesNotContain("\n");
    }

    @Test
    void deleteRecordsPastTheCommitOffsetIsAOneLineError() throws Exception {
        NodeProcesses.Run deleted = raftlog("delete-records", "--servers", cluster.servers(), "--before", "1000000");

        assertThat(deleted.exitCode()).as(deleted.toString()).isNotZero();
        assertThat(deleted.stdout()).isEmpty();
        assertThat(deleted.stderr().strip())
                .as(deleted.toString())
                .startsWith("error:")
                .contains("high watermark")
                .doesNotContain("\n");
        assertThat(client.logStartOffset().get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    /** Appends r1..r50 in one batch (consecutive offsets) and checks offset 20 is one of them. */
    private List<Long> appendFifty() throws Exception {
        List<Bytes> records = IntStream.rangeClosed(1, 50)
                .mapToObj(i -> Bytes.ofUtf8("r" + i))
                .toList();
        List<Long> offsets = client.appendAll(records).get(10, TimeUnit.SECONDS);
        assertThat(offsets)
                .as("the test deletes before 20, a record of this batch")
                .contains(20L);
        return offsets;
    }

    /** What consume prints for the batch of {@link #appendFifty()} from offset {@code from} on. */
    private static String printed(List<Long> offsets, long from) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < offsets.size(); i++) {
            if (offsets.get(i) >= from) {
                text.append(offsets.get(i)).append("\tr").append(i + 1).append('\n');
            }
        }
        return text.toString();
    }

    private NodeProcesses.Run raftlog(String... args) throws Exception {
        return commands.run(args);
    }

    /** Runs {@code raftlog consume} against the node and returns what it printed. */
    private String consume(String... args) throws Exception {
        Process consumer = commands.launch("consume", consumeArgs(args));
        consumer.getOutputStream().close();
        assertThat(NodeProcesses.exited(consumer, Duration.ofSeconds(30))).isTrue();
        assertThat(consumer.exitValue()).as(commands.output("consume")).isZero();
        return commands.output("consume");
    }

    private String[] consumeArgs(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "consume";
        all[1] = "--servers";
        all[2] = cluster.servers();
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }

    private static List<String> records(String output) {
        return output.lines()
                .map(line -> line.substring(line.indexOf('\t') + 1))
                .toList();
    }
}
