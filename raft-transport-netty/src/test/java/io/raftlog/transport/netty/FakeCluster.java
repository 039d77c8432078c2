package io.raftlog.transport.netty;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
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
 * that tests move around, idempotent appends de-duplicated by (producer id, sequence), and a hook to
 * inject failures. Each member's {@link ReplicatedLog} refuses appends with {@link NotLeaderException}
 * unless it is the leader. Thread-safe.
 */
public final class FakeCluster implements AutoCloseable {
    /** Decides what an append on the leader does; {@code apply} appends (idempotently) and returns offsets. */
    public interface AppendHook {
        CompletableFuture<List<Long>> handle(NodeId node, Append append, Supplier<List<Long>> apply);
    }

    /** One append request as the leader saw it. */
    public record Append(NodeId node, long producerId, long firstSequence, List<Bytes> records) {}

    public static final AppendHook APPLY = (node, append, apply) -> CompletableFuture.completedFuture(apply.get());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fake-cluster-timer");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Bytes> log = new ArrayList<>();
    private final Map<Long, Map<Long, Long>> offsetsBySequence = new HashMap<>();
    private final Map<Long, Long> lastSequence = new HashMap<>();
    public final Queue<Append> appends = new ConcurrentLinkedQueue<>();
    private volatile NodeId leader;
    public volatile AppendHook hook = APPLY;

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

    private synchronized List<CommittedRecord> read(long fromOffset, int maxRecords) {
        List<CommittedRecord> records = new ArrayList<>();
        for (long offset = fromOffset; offset <= log.size() && records.size() < maxRecords; offset++) {
            records.add(new CommittedRecord(offset, log.get((int) offset - 1)));
        }
        return records;
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
        public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
            List<CommittedRecord> now = FakeCluster.this.read(fromOffset, maxRecords);
            if (!now.isEmpty() || maxWait.isZero()) {
                return CompletableFuture.completedFuture(now);
            }
            CompletableFuture<List<CommittedRecord>> later = new CompletableFuture<>();
            timer.schedule(
                    () -> later.complete(FakeCluster.this.read(fromOffset, maxRecords)),
                    maxWait.toMillis(),
                    TimeUnit.MILLISECONDS);
            return later;
        }

        @Override
        public NodeStatus status() {
            NodeId current = leader;
            long size = records().size();
            return new NodeStatus(
                    id,
                    id.equals(current) ? Role.LEADER : Role.FOLLOWER,
                    1,
                    Optional.ofNullable(current),
                    size,
                    size,
                    id.equals(current) ? Map.of(id, size) : Map.of());
        }

        @Override
        public long commitOffset() {
            return records().size();
        }

        @Override
        public long logStartOffset() {
            return 1;
        }

        @Override
        public CompletableFuture<Long> deleteRecordsBefore(long offset) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("not in the fake"));
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
