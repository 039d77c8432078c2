package io.raftlog.examples;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.transport.netty.client.RaftClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code raftlog consume}: prints committed records as {@code OFFSET<TAB>RECORD}, in order. */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = "Print committed records as OFFSET<TAB>RECORD, in order.")
final class ConsumeCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(
            names = "--from",
            defaultValue = "earliest",
            paramLabel = "earliest|latest|OFFSET",
            converter = StartOffset.Converter.class,
            description = "Where to start: earliest (the log start offset: the oldest record retention kept; 0 and 1"
                    + " mean the same), latest (only records committed after the consumer starts) or the first"
                    + " offset to print (default: ${DEFAULT-VALUE}).")
    StartOffset from;

    @Option(
            names = "--reset",
            defaultValue = "earliest",
            paramLabel = "earliest|latest|none",
            converter = StartOffset.Reset.Converter.class,
            description = "When the position is below the log start (records removed by retention or"
                    + " delete-records), as Kafka's auto.offset.reset: earliest resumes at the log start, latest"
                    + " after the newest committed record, both with a line on standard error; none stops with an"
                    + " error (default: ${DEFAULT-VALUE}).")
    StartOffset.Reset reset;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Long max;

    @Option(names = "--follow", description = "Keep waiting for new records.")
    boolean follow;

    @Option(
            names = "--local",
            description = "Read the first --servers node's own committed log instead of the leader's.")
    boolean local;

    @Override
    public Integer call() throws Exception {
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be >= 1, got " + max);
        }
        PrintStream out = System.out;
        long printed = 0;
        Duration wait = follow ? Duration.ofSeconds(1) : Duration.ZERO;
        try (RaftClient raft = client.connect(Duration.ofSeconds(10))) {
            long next = firstOffset(raft);
            while (max == null || printed < max) {
                int want = (int) Math.min(1000, max == null ? 1000 : max - printed);
                List<CommittedRecord> records;
                try {
                    records = (local
                                    ? raft.read(client.addresses().get(0), next, want, wait)
                                    : raft.read(next, want, wait))
                            .get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null
                            ? wrapped.getCause()
                            : e.getCause();
                    if (!(cause instanceof OffsetOutOfRangeException outOfRange)) {
                        throw e;
                    }
                    next = reset.resumeAt(outOfRange); // none: fails with the message
                    System.err.println(reset.resuming(outOfRange));
                    System.err.flush();
                    continue;
                }
                if (records.isEmpty()) {
                    if (follow) {
                        continue;
                    }
                    break;
                }
                for (CommittedRecord record : records) {
                    out.print(record.offset());
                    out.print('\t');
                    out.println(record.payload().toUtf8());
                }
                printed += records.size();
                next = records.get(records.size() - 1).offset() + 1;
                out.flush();
            }
            return 0;
        }
    }

    /**
     * The offset to read first. For {@code latest}, just after the commit offset of the --local
     * node, else of the leader if the client knows it, else of a seed: a follower's can only lag,
     * so "latest" may show a record committed just before the start, never miss one committed
     * after it. For {@code earliest}, the log start offset of the same node: if retention moves
     * it before the first read, the read fails and {@code --reset} applies.
     */
    private long firstOffset(RaftClient raft) throws Exception {
        if (!from.latest() && !from.earliest()) {
            return from.offset();
        }
        NodeStatus status = (local ? raft.status(client.addresses().get(0)) : raft.status()).get(30, TimeUnit.SECONDS);
        return from.latest() ? status.commitIndex() + 1 : status.log().startOffset();
    }
}
