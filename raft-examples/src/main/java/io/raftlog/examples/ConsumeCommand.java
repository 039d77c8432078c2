package io.raftlog.examples;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.transport.netty.client.RaftClient;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code raftlog consume}: prints committed records as {@code OFFSET<TAB>RECORD}, in order.
 *
 * <p>Without {@code --follow} it prints what was committed when it started, all of it: it first
 * takes a linearizable read index — the high watermark of a leader that confirmed it still leads —
 * from whichever node can give one, then reads pages until it is past that offset. A page from a
 * lagging node (a {@code committed} read) that comes back empty below the target is never taken
 * for the end: the page is read again linearizably, from a node a leader confirms. An empty
 * linearizable page is the end: no record lies between the position and the target (only
 * internal entries). If the target cannot be reached within {@code --timeout}, it exits 1 with
 * what each node said. {@code --local} reads one node's own committed prefix instead, and stops
 * at its end.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = "Print committed records as OFFSET<TAB>RECORD, in order. Without --follow, every record"
                + " committed when the consumer starts, and then it exits.")
final class ConsumeCommand implements Callable<Integer> {
    private static final int PAGE_RECORDS = 1000;

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
            description = "Read the first --servers node's own committed log (committed reads, which may lag the"
                    + " leader's) instead of the cluster's; without --follow, stop at its end.")
    boolean local;

    @Option(
            names = "--consistency",
            paramLabel = "linearizable|committed",
            converter = ConsistencyConverter.class,
            description = "linearizable: each read sees every record acknowledged before it, whichever node serves"
                    + " it (a node that cannot get a leader to confirm the read refuses it, and another is"
                    + " asked); committed: the serving node's committed prefix, cheaper, may lag (default:"
                    + " linearizable; committed with --local). Without --follow, every record committed when the"
                    + " consumer starts is printed either way.")
    ReadConsistency consistency;

    @Option(
            names = "--timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "How long one read may take, other nodes tried included; without --follow, how long"
                    + " the consumer may take to find, then to reach, the high watermark at its start"
                    + " (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    private RaftClient raft;

    @Override
    public Integer call() throws Exception {
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be >= 1, got " + max);
        }
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintStream out = System.out;
        long printed = 0;
        Duration wait = follow ? Duration.ofSeconds(1) : Duration.ZERO;
        try (RaftClient connected = client.connect(Duration.ofSeconds(timeoutSeconds))) {
            raft = connected;
            // Without --follow: the end, taken before the first read.
            long target = follow || local ? Long.MAX_VALUE : highWatermarkAtStart();
            long next = firstOffset(target);
            while ((max == null || printed < max) && next <= target) {
                int want = (int) Math.min(PAGE_RECORDS, max == null ? PAGE_RECORDS : max - printed);
                Page page = read(next, want, wait, consistency(), target);
                if (page.isEmpty() && !follow && !local && consistency() == ReadConsistency.COMMITTED) {
                    // The serving node may lag: an empty page below the target proves nothing.
                    page = read(next, want, Duration.ZERO, ReadConsistency.LINEARIZABLE, target);
                }
                if (page.records() == null) {
                    next = page.resumeAt();
                    continue;
                }
                List<CommittedRecord> records = page.records();
                if (records.isEmpty()) {
                    if (follow) {
                        continue;
                    }
                    break; // linearizable: nothing more up to the target; --local: the node's end
                }
                for (CommittedRecord record : records) {
                    if (record.offset() > target) {
                        break; // committed after the consumer started
                    }
                    out.print(record.offset());
                    out.print('\t');
                    out.println(record.payload().toUtf8());
                    printed++;
                }
                next = records.get(records.size() - 1).offset() + 1;
                out.flush();
            }
            return 0;
        }
    }

    /** The consistency of the reads: as asked, else committed with --local and linearizable without. */
    ReadConsistency consistency() {
        if (consistency != null) {
            return consistency;
        }
        return local ? ReadConsistency.COMMITTED : ReadConsistency.LINEARIZABLE;
    }

    /**
     * What one read gave: its records, or (null records) where {@code --reset} goes on after a read
     * below the log start.
     */
    private record Page(List<CommittedRecord> records, long resumeAt) {
        boolean isEmpty() {
            return records != null && records.isEmpty();
        }
    }

    /** One page from {@code next}; a failure other than a read below the log start ends the consumer. */
    private Page read(long next, int want, Duration wait, ReadConsistency strength, long target) throws Exception {
        CompletableFuture<List<CommittedRecord>> read =
                local ? raft.read(firstServer(), next, want, wait, strength) : raft.read(next, want, wait, strength);
        try {
            return new Page(read.get(timeoutSeconds + wait.toSeconds() + 5, TimeUnit.SECONDS), 0);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof OffsetOutOfRangeException outOfRange) {
                long resumeAt = reset.resumeAt(outOfRange); // none: fails with the message
                System.err.println(reset.resuming(outOfRange));
                System.err.flush();
                return new Page(null, resumeAt);
            }
            String where = local
                    ? "node " + firstServer().getHostString() + ":"
                            + firstServer().getPort()
                    : "--servers " + client.servers;
            if (target != Long.MAX_VALUE) {
                throw new IllegalStateException(
                        "stopped at offset " + next + ", below the high watermark " + target
                                + " the consumer found at start: a " + describe(strength) + " read from " + where
                                + " failed: " + RaftlogCommand.describe(cause),
                        cause);
            }
            throw new IllegalStateException(
                    "a " + describe(strength) + " read from offset " + next + " (" + where + ") failed: "
                            + RaftlogCommand.describe(cause),
                    cause);
        }
    }

    /**
     * A linearizable read index: at or above every record acknowledged before now, from whichever
     * node a leader confirms (the client tries the others past those that cannot).
     */
    private long highWatermarkAtStart() throws Exception {
        try {
            return raft.readIndex().get(timeoutSeconds + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            throw new IllegalStateException(
                    "could not find the high watermark to read up to (a linearizable read index) from --servers "
                            + client.servers + ": " + RaftlogCommand.describe(cause),
                    cause);
        }
    }

    /**
     * The offset to read first. For {@code latest}, just after the high watermark at start (the
     * read index taken without --follow; with --follow, one taken now, or with --local or
     * committed reads the commit offset of the --local node or of the leader if the client knows
     * it, else of a seed: a follower's can only lag, so "latest" may show a record committed just
     * before the start, never miss one committed after it). For {@code earliest}, the log start
     * offset of the same node: if retention moves it before the first read, the read fails and
     * {@code --reset} applies.
     */
    private long firstOffset(long target) throws Exception {
        if (!from.latest() && !from.earliest()) {
            return from.offset();
        }
        if (from.latest() && target != Long.MAX_VALUE) {
            return target + 1;
        }
        if (from.latest() && !local && consistency() == ReadConsistency.LINEARIZABLE) {
            return highWatermarkAtStart() + 1;
        }
        NodeStatus status = (local ? raft.status(firstServer()) : raft.status()).get(30, TimeUnit.SECONDS);
        return from.latest() ? status.commitIndex() + 1 : status.log().startOffset();
    }

    private InetSocketAddress firstServer() {
        return client.addresses().get(0);
    }

    private static String describe(ReadConsistency strength) {
        return strength.name().toLowerCase(Locale.ROOT);
    }

    private static Throwable unwrap(ExecutionException e) {
        return e.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause()
                : e.getCause();
    }

    /** {@code linearizable} or {@code committed}, in any case. */
    static final class ConsistencyConverter implements ITypeConverter<ReadConsistency> {
        @Override
        public ReadConsistency convert(String value) {
            for (ReadConsistency candidate : ReadConsistency.values()) {
                if (candidate.name().equalsIgnoreCase(value.strip())) {
                    return candidate;
                }
            }
            throw new TypeConversionException("expected linearizable or committed, got '" + value + "'");
        }
    }
}
