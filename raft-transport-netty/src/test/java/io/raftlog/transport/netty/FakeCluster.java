package io.raftlog.transport.netty;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A hand-written stand-in for a Raft cluster behind the client protocol: one shared log, a leader
 * that tests move around, idempotent appends de-duplicated by (producer id, sequence), a log start
 * offset moved by {@code deleteRecordsBefore} (which a member may be held behind, like a lagging
 * follower), and hooks to inject failures. Each member's {@link ReplicatedLog} refuses appends and
 * deletions with {@link NotLeaderException} unless it is the leader. Linearizable reads (and read
 * indexes) are served by every member at the whole log, unless a member refuses them as a node
 * that cannot confirm a leader does; a member {@linkplain #cutOff cut off} from its peers also
 * lags: its committed prefix stays where it was, as a real one's would. Thread-safe.
 */
public final class FakeCluster implements AutoCloseable {
    /** Decides what an append on the leader does; {@code apply} appends (idempotently) and returns offsets. */
    public interface AppendHook {
        CompletableFuture<List<Long>> handle(NodeId node, Append append, Supplier<List<Long>> apply);
    }

    /** One append request as the leader saw it. */
    public record Append(NodeId node, long producerId, long firstSequence, List<Bytes> records) {}

    public static final AppendHook APPLY = (node, append, apply) -> CompletableFuture.completedFuture(apply.get());

    /** Decides what a deletion on the leader does; {@code apply} moves the log start and returns it. */
    public interface DeleteHook {
        CompletableFuture<Long> handle(NodeId node, long offset, Supplier<Long> apply);
    }

    /** One {@code deleteRecordsBefore} as a member saw it. */
    public record Deletion(NodeId node, long offset) {}

    /** One read as a member saw it. */
    public record Read(NodeId node, long fromOffset) {}

    public static final DeleteHook APPLY_DELETION =
            (node, offset, apply) -> CompletableFuture.completedFuture(apply.get());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fake-cluster-timer");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Bytes> log = new ArrayList<>();
    private final Map<Long, Map<Long, Long>> offsetsBySequence = new HashMap<>();
    private final Map<Long, Long> lastSequence = new HashMap<>();
    public final Queue<Append> appends = new ConcurrentLinkedQueue<>();
    public final Queue<Deletion> deletions = new ConcurrentLinkedQueue<>();
    public final Queue<Read> reads = new ConcurrentLinkedQueue<>();
    /** The members asked for a read index (a linearizable read asks for one first), in order. */
    public final Queue<NodeId> readIndexes = new ConcurrentLinkedQueue<>();

    private volatile NodeId leader;
    public volatile AppendHook hook = APPLY;
    public volatile DeleteHook deleteHook = APPLY_DELETION;
    private long logStart = 1;
    /** Members whose log start stays where it was: followers that did not apply the deletion yet. */
    private final Map<NodeId, Long> heldLogStarts = new HashMap<>();
    /** Members cut off from their peers: the end of the committed prefix they hold. */
    private final Map<NodeId, Long> cutOffEnds = new HashMap<>();
    /** Members that refuse linearizable reads, with the leader hint they give. */
    private final Map<NodeId, Optional<NodeId>> refusingReads = new HashMap<>();

    public FakeCluster(NodeId leader) {
        this.leader = leader;
    }

    public void electLeader(NodeId node) {
        leader = node;
    }

    /** Appends seen on {@code node}, leader or not. */
    public List<Append> appendsOn(NodeId node) {
        return appends.stream().filter(append -> append.node().equals(node)).toList();
    }

    public synchronized List<Bytes> records() {
        return List.copyOf(log);
    }

    /** Reads seen on {@code node}. */
    public List<Read> readsOn(NodeId node) {
        return reads.stream().filter(read -> read.node().equals(node)).toList();
    }

    /** From now on, {@code node}'s log start stays at what it is now, whatever deletions commit. */
    public synchronized void holdLogStart(NodeId node) {
        heldLogStarts.put(node, logStart);
    }

    /**
     * From now on {@code node} acts as a node cut off from its peers: its committed prefix stays
     * at what the log holds now, and it refuses linearizable reads with no leader to hint.
     */
    public synchronized void cutOff(NodeId node) {
        cutOffEnds.put(node, (long) log.size());
        refusingReads.put(node, Optional.empty());
    }

    /**
     * From now on {@code node} refuses linearizable reads and read indexes as a node that could
     * not get a leader to confirm them, naming {@code hint} as the leader it knows.
     */
    public synchronized void refuseLinearizableReads(NodeId node, Optional<NodeId> hint) {
        refusingReads.put(node, hint);
    }

    /** {@code node} is connected again: it serves linearizable reads and holds the whole log. */
    public synchronized void heal(NodeId node) {
        cutOffEnds.remove(node);
        refusingReads.remove(node);
    }

    /** Read indexes {@code node} was asked for. */
    public long readIndexesOn(NodeId node) {
        return readIndexes.stream().filter(node::equals).count();
    }

    /** The end of the committed prefix {@code node} holds. */
    private synchronized long endOn(NodeId node) {
        return cutOffEnds.getOrDefault(node, (long) log.size());
    }

    private synchronized Optional<Optional<NodeId>> refusal(NodeId node) {
        return Optional.ofNullable(refusingReads.get(node));
    }

    /** The log start offset {@code node} has applied. */
    public synchronized long logStartOn(NodeId node) {
        return heldLogStarts.getOrDefault(node, logStart);
    }

    /** Like raft-core's: from 1 to the high watermark + 1; an offset at or below the log start changes nothing. */
    private synchronized long deleteRecordsBefore(long offset) {
        if (offset < 1 || offset > log.size() + 1) {
            throw new IllegalArgumentException("deleteRecordsBefore(" + offset
                    + "): the offset must be from 1 to the high watermark + 1 (" + (log.size() + 1) + ")");
        }
        logStart = Math.max(logStart, offset);
        return logStart;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    /** Like raft-core's producer table: a producer's new batches must follow its last one without a gap. */
    private synchronized List<Long> apply(long producerId, long firstSequence, List<Bytes> records) {
        long last = lastSequence.getOrDefault(producerId, -1L);
        if (firstSequence > last + 1) {
            throw new OutOfOrderSequenceException("expected sequence " + (last + 1) + ", got " + firstSequence);
        }
        lastSequence.put(producerId, Math.max(last, firstSequence + records.size() - 1));
        Map<Long, Long> known = offsetsBySequence.computeIfAbsent(producerId, unused -> new HashMap<>());
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            long sequence = firstSequence + i;
            Long offset = known.get(sequence);
            if (offset == null) {
                log.add(records.get(i));
                offset = (long) log.size();
                known.put(sequence, offset);
            }
            offsets.add(offset);
        }
        return offsets;
    }

    private synchronized List<CommittedRecord> read(NodeId node, long fromOffset, int maxRecords) {
        long start = logStartOn(node);
        long end = endOn(node);
        if (fromOffset < start) {
            throw new OffsetOutOfRangeException(fromOffset, start, end);
        }
        List<CommittedRecord> records = new ArrayList<>();
        for (long offset = fromOffset; offset <= end && records.size() < maxRecords; offset++) {
            records.add(new CommittedRecord(offset, log.get((int) offset - 1)));
        }
        return records;
    }

    /**
     * What {@code node}'s status reports of its log: distinct made-up figures in every field, so a
     * test sees each one cross the wire.
     */
    public synchronized NodeStatus.Log log(NodeId node) {
        long size = log.size();
        return new NodeStatus.Log(logStartOn(node), 100 * size, size / 2, 10 * size, 1_700_000_000_000L, 3, 4);
    }

    public ReplicatedLog node(NodeId id) {
        return new Member(id);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private final class Member implements ReplicatedLog {
        private final NodeId id;

        Member(NodeId id) {
            this.id = id;
        }

        @Override
        public CompletableFuture<List<Long>> appendAll(long producerId, long firstSequence, List<Bytes> records) {
            Append append = new Append(id, producerId, firstSequence, List.copyOf(records));
            appends.add(append);
            NodeId current = leader;
            if (!id.equals(current)) {
                return CompletableFuture.failedFuture(new NotLeaderException(id, Optional.ofNullable(current)));
            }
            try {
                return hook.handle(id, append, () -> apply(producerId, firstSequence, records));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Long> readIndex() {
            readIndexes.add(id);
            Optional<Optional<NodeId>> refused = refusal(id);
            if (refused.isPresent()) {
                Optional<NodeId> hint = refused.get();
                return CompletableFuture.failedFuture(new NotLeaderException(
                        id,
                        hint,
                        "node " + id + " could not confirm a leader for a linearizable read ("
                                + hint.map(leader -> "the leader is " + leader).orElse("no leader is known")
                                + "); nothing changed, retry"));
            }
            // A member that serves it holds the whole log: the read index is applied already.
            return CompletableFuture.completedFuture((long) records().size());
        }

        @Override
        public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
            reads.add(new Read(id, fromOffset));
            List<CommittedRecord> now;
            try {
                now = FakeCluster.this.read(id, fromOffset, maxRecords);
            } catch (OffsetOutOfRangeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (!now.isEmpty() || maxWait.isZero()) {
                return CompletableFuture.completedFuture(now);
            }
            CompletableFuture<List<CommittedRecord>> later = new CompletableFuture<>();
            timer.schedule(
                    () -> {
                        try {
                            later.complete(FakeCluster.this.read(id, fromOffset, maxRecords));
                        } catch (OffsetOutOfRangeException e) {
                            later.completeExceptionally(e);
                        }
                    },
                    maxWait.toMillis(),
                    TimeUnit.MILLISECONDS);
            return later;
        }

        @Override
        public NodeStatus status() {
            NodeId current = leader;
            long size = endOn(id);
            boolean cutOff = size < records().size()
                    || refusal(id).filter(Optional::isEmpty).isPresent();
            return new NodeStatus(
                            id,
                            id.equals(current) ? Role.LEADER : cutOff ? Role.PRE_CANDIDATE : Role.FOLLOWER,
                            1,
                            cutOff ? Optional.empty() : Optional.ofNullable(current),
                            size,
                            size,
                            id.equals(current) ? Map.of(id, size) : Map.of())
                    .withLog(log(id));
        }

        @Override
        public long commitOffset() {
            return endOn(id);
        }

        @Override
        public long logStartOffset() {
            return logStartOn(id);
        }

        @Override
        public CompletableFuture<Long> deleteRecordsBefore(long offset) {
            deletions.add(new Deletion(id, offset));
            NodeId current = leader;
            if (!id.equals(current)) {
                return CompletableFuture.failedFuture(new NotLeaderException(id, Optional.ofNullable(current)));
            }
            try {
                return deleteHook.handle(id, offset, () -> FakeCluster.this.deleteRecordsBefore(offset));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Long> append(Bytes record) {
            throw new UnsupportedOperationException("the client protocol appends idempotently");
        }

        @Override
        public CompletableFuture<List<Long>> appendAll(List<Bytes> records) {
            throw new UnsupportedOperationException("the client protocol appends idempotently");
        }

        @Override
        public LogReader reader(long fromOffset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
