package io.raftlog.examples;

import io.raftlog.api.Bytes;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code raftlog produce}: appends each line of standard input as a record and prints each
 * record's offset once committed, in input order. Retries are idempotent, so a record is never
 * appended twice.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Append stdin lines as records; print each one's offset once committed.")
final class ProduceCommand implements Callable<Integer> {
    private static final int MAX_OUTSTANDING = 10_000;

    @Mixin
    ClientOptions client;

    @Option(
            names = "--timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "How long a record may take to commit (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintStream out = System.out;
        RaftClientConfig config = client.config(Duration.ofSeconds(timeoutSeconds));
        try (RaftClient raft = new RaftClient(config);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            ArrayDeque<CompletableFuture<Long>> outstanding = new ArrayDeque<>();
            long line = 0;
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                Bytes record = Bytes.ofUtf8(text);
                if (record.size() > raft.maxRecordBytes()) {
                    // Print the offsets of the lines before it first: they are (being) appended.
                    while (!outstanding.isEmpty()) {
                        printOldest(outstanding, out, line - outstanding.size());
                    }
                    out.flush();
                    throw new IllegalArgumentException("record on input line " + line + " is " + record.size()
                            + " bytes; the largest record this cluster accepts is " + raft.maxRecordBytes()
                            + " bytes (maxFrameBytes " + mebibytes(config.maxFrameBytes()) + " less framing)");
                }
                outstanding.add(raft.append(record));
                if (outstanding.size() >= MAX_OUTSTANDING) {
                    printOldest(outstanding, out, line - outstanding.size() + 1);
                }
                // Streamed input: print what has committed, in order, and flush before waiting for
                // more, so a reader of the output sees each offset soon after it commits.
                while (!outstanding.isEmpty() && outstanding.peek().isDone()) {
                    printOldest(outstanding, out, line - outstanding.size() + 1);
                }
                if (!in.ready()) {
                    out.flush();
                }
            }
            while (!outstanding.isEmpty()) {
                printOldest(outstanding, out, line - outstanding.size() + 1);
            }
            out.flush();
            return 0;
        }
    }

    private static String mebibytes(int bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private void printOldest(ArrayDeque<CompletableFuture<Long>> outstanding, PrintStream out, long line) {
        try {
            out.println(outstanding.poll().get(timeoutSeconds + 5, TimeUnit.SECONDS));
        } catch (Exception e) {
            out.flush();
            throw new IllegalStateException(
                    "record on input line " + line + " was not committed: " + RaftlogCommand.describe(e), e);
        }
    }
}
