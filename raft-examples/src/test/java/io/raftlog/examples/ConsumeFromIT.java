package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.transport.netty.client.RaftClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code raftlog consume --from earliest|latest|OFFSET} in a child JVM against a one-node cluster
 * (LMDB, Netty) in this one.
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
