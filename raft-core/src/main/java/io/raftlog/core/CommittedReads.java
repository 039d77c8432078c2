package io.raftlog.core;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.RaftException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Serves reads of committed records. Readers read the store directly on their own thread, never
 * past the applied index the event loop publishes, so they never see an uncommitted entry;
 * a read with nothing to return yet waits (without a thread) until the loop applies more.
 */
final class CommittedReads {
    private static final long MAX_READ_BYTES = 4L << 20;

    private record Waiter(long from, int maxRecords, CompletableFuture<List<CommittedRecord>> future) {}

    private final LogStore store;
    private final NodeClock clock;
    private final java.util.function.LongSupplier logStart;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private volatile long appliedIndex;
    private volatile RaftException closed;

    CommittedReads(LogStore store, NodeClock clock, java.util.function.LongSupplier logStart) {
        this.store = store;
        this.clock = clock;
        this.logStart = logStart;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    CompletableFuture<List<CommittedRecord>> read(long from, int maxRecords, Duration maxWait) {
        if (from < 1 || maxRecords < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "read needs fromOffset >= 1 and maxRecords >= 1, got " + from + " and " + maxRecords));
        }
        List<CommittedRecord> records;
        try {
            records = readCommitted(from, maxRecords);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // async methods fail their future; they never throw
        }
        if (!records.isEmpty() || maxWait.isZero() || maxWait.isNegative()) {
            return CompletableFuture.completedFuture(records);
        }
        Waiter waiter = new Waiter(from, maxRecords, new CompletableFuture<>());
        waiters.add(waiter);
        NodeClock.Timer timeout =
                clock.schedule(maxWait.toNanos(), () -> waiter.future().complete(List.of()));
        waiter.future().whenComplete((result, error) -> {
            timeout.cancel();
            waiters.remove(waiter);
        });
        tryComplete(waiter); // the applied index may have moved while we registered
        RaftException error = closed;
        if (error != null) {
            waiter.future().completeExceptionally(error);
        }
        return waiter.future();
    }

    /** Called by the event loop when entries up to {@code index} are committed and applied. */
    void applied(long index) {
        appliedIndex = index;
        for (Waiter waiter : waiters) {
            tryComplete(waiter);
        }
    }

    void close(RaftException error) {
        closed = error;
        for (Waiter waiter : waiters) {
            waiter.future().completeExceptionally(error);
        }
    }

    /** Completes {@code waiter} if records are there; a read that fails fails only the waiter. */
    private void tryComplete(Waiter waiter) {
        if (waiter.from() <= appliedIndex && !waiter.future().isDone()) {
            try {
                List<CommittedRecord> records = readCommitted(waiter.from(), waiter.maxRecords());
                if (!records.isEmpty()) {
                    waiter.future().complete(records);
                }
            } catch (RuntimeException e) {
                waiter.future().completeExceptionally(e);
            }
        }
    }

    /** Refuses an offset below the log start, as Kafka does. */
    private void checkInRange(long from, long upTo) {
        long start = logStart.getAsLong();
        if (from < start || from < store.firstIndex()) {
            throw new io.raftlog.api.OffsetOutOfRangeException(from, Math.max(start, store.firstIndex()), upTo);
        }
    }

    /** Committed data records from {@code from}, skipping internal entries. */
    private List<CommittedRecord> readCommitted(long from, int maxRecords) {
        long upTo = appliedIndex;
        checkInRange(from, upTo);
        long next = from;
        List<CommittedRecord> records = new ArrayList<>();
        while (next <= upTo && records.isEmpty()) {
            int count = (int) Math.min(maxRecords, upTo - next + 1);
            List<LogEntry> entries;
            try {
                entries = store.read(next, count, MAX_READ_BYTES);
            } catch (IllegalArgumentException removedMeanwhile) {
                checkInRange(next, upTo);
                throw removedMeanwhile;
            }
            for (LogEntry entry : entries) {
                if (entry.index() > upTo) {
                    break;
                }
                if (entry.type() == EntryType.DATA) {
                    records.add(new CommittedRecord(entry.index(), entry.payload()));
                }
            }
            next = entries.get(entries.size() - 1).index() + 1;
        }
        return records;
    }
}
