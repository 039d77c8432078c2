package io.raftlog.examples.kv;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.OffsetOutOfRangeException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The key-value store as a client sees it, with no state machine on the nodes: the view appends
 * writes to the log and folds the log's records, in offset order, into its own
 * {@link KvStateMachine} — the same machine, the same records, so the same map the nodes would
 * hold. It is what {@code raftlog kv} uses: any raftlog cluster is a key-value store, and the client
 * protocol needs nothing beyond appends, read indexes and reads.
 *
 * <p><b>Why a get is linearizable.</b> A get first takes a read index from the cluster (ReadIndex,
 * Raft thesis §6.4: an offset at or above every write acknowledged before the get began, confirmed
 * by a leader that still leads), then folds every record up to that offset, reading them with
 * linearizable reads (so no node that lags can hide one), and answers from the map. The map then
 * reflects every write acknowledged before the get, and only committed ones: the answer is the
 * map's state at some instant between the get's call and its return.
 *
 * <p><b>Writes</b> are appended. A put or a delete is answered once committed; a compare-and-set
 * is answered once the view has folded up to its offset, with whether it swapped — decided from
 * the same prefix of the log on which every node would decide it. {@code
 * IndeterminateResultException} means the write may or may not have taken effect.
 *
 * <p><b>The trade-off.</b> The first call of a fresh view reads the whole log from offset 1 — a
 * one-shot command pays for the log's length every time — and the log must be kept whole: once
 * retention removes records, a view that needs them fails with
 * {@link KvHistoryTrimmedException} (the nodes' snapshots hold the map, but clients cannot read
 * snapshots). A long-lived view pays only for the records since its last call. For a large or
 * trimmed log, run {@link KvStore} in the nodes instead, where reads cost one read index.
 *
 * <p>Thread-safe: calls may overlap; the folding is done by one call at a time, in order, on
 * whichever thread completed the read it waited for.
 */
public final class KvView {
    /** Records asked for per read while folding. */
    static final int PAGE_RECORDS = 1_000;

    private final KvLog log;
    private final KvStateMachine machine = new KvStateMachine();
    /** The next offset to fold; touched only by the fold in progress. */
    private long nextOffset = 1;
    /** The fold last queued: each waits for the one before, so the machine sees records in order. */
    private CompletableFuture<?> lastFold = CompletableFuture.completedFuture(null);

    /** A view of {@code log}, empty until its first call folds the log from offset 1. */
    public KvView(KvLog log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Sets {@code key} to {@code value}; completes with the offset of the write once committed (a
     * put always applies, so the view need not read the log to answer).
     */
    public CompletableFuture<Long> put(String key, String value) {
        return log.append(new KvWrite.Put(key, value).encode());
    }

    /** Removes {@code key}; completes with the offset of the write once committed. */
    public CompletableFuture<Long> delete(String key) {
        return log.append(new KvWrite.Delete(key).encode());
    }

    /**
     * Sets {@code key} to {@code update} if it holds {@code expected} (null: if it is absent);
     * completes with whether it did, once the view has read the log up to the write. If that read
     * fails, the write is committed all the same: the future fails with
     * {@link IndeterminateResultException}, never with a definite error.
     */
    public CompletableFuture<Boolean> compareAndSet(String key, String expected, String update) {
        return log.append(new KvWrite.CompareAndSet(key, expected, update).encode())
                .thenCompose(offset -> inOrder(() -> foldThrough(offset).thenApply(folded -> resultAt(offset)))
                        .exceptionally(error -> {
                            throw committedButUnknown(offset, error);
                        }))
                .thenApply(result -> ((KvResult.Swapped) result).swapped());
    }

    /** The value of {@code key}, linearizably (see the class comment); empty if it is absent. */
    public CompletableFuture<Optional<String>> get(String key) {
        Objects.requireNonNull(key, "key");
        return log.readIndex()
                .thenCompose(index -> inOrder(() -> foldThrough(index).thenApply(folded -> machine.get(key))));
    }

    /** The offset of the last record this view folded (0 before its first call). */
    public long foldedOffset() {
        return machine.appliedOffset();
    }

    private static RuntimeException committedButUnknown(long offset, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof IndeterminateResultException || cause instanceof MalformedWriteException) {
            return (RuntimeException) cause;
        }
        return new IndeterminateResultException(
                "the compare-and-set committed at offset " + offset
                        + ", but reading the log up to it failed (" + cause.getMessage() + "); read the key to learn"
                        + " what it did",
                cause);
    }

    private KvResult resultAt(long offset) {
        KvResult result = machine.resultAt(offset)
                .orElseThrow(() -> new IndeterminateResultException("the write committed at offset " + offset
                        + ", but the view did not find it there when it read the log; read the key to learn what"
                        + " it did"));
        if (result instanceof KvResult.Rejected rejected) {
            throw new MalformedWriteException("the write at offset " + offset + " was rejected: " + rejected.reason());
        }
        return result;
    }

    /** Runs {@code fold} once every fold queued before it is done (whether or not it failed). */
    private synchronized <T> CompletableFuture<T> inOrder(Supplier<CompletableFuture<T>> fold) {
        CompletableFuture<T> next = lastFold.handle((ignored, error) -> null).thenCompose(ignored -> fold.get());
        lastFold = next;
        return next;
    }

    /**
     * Folds records until one at or past {@code offset} is folded, or a linearizable read finds no
     * more: then every record up to {@code offset} is in the map.
     */
    private CompletableFuture<Void> foldThrough(long offset) {
        if (machine.appliedOffset() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        long from = nextOffset;
        return log.readLinearizable(from, PAGE_RECORDS)
                .exceptionally(error -> {
                    throw trimmedOr(error, from);
                })
                .thenCompose(page -> {
                    if (page.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    fold(page);
                    return foldThrough(offset);
                });
    }

    private void fold(List<CommittedRecord> page) {
        for (CommittedRecord record : page) {
            if (record.offset() >= nextOffset) { // a page never overlaps the last, but be sure
                machine.apply(record);
                nextOffset = record.offset() + 1;
            }
        }
    }

    private static RuntimeException trimmedOr(Throwable error, long from) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof OffsetOutOfRangeException outOfRange && from < outOfRange.logStartOffset()) {
            return new KvHistoryTrimmedException(from, outOfRange.logStartOffset(), cause);
        }
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }
}
