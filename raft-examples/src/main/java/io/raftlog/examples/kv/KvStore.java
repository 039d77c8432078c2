package io.raftlog.examples.kv;

import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.ReplicatedLog;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The key-value store on one node that applies its log to a {@link KvStateMachine}: writes are
 * appended to the log, and a read is answered from this node's own machine — at
 * {@link ReadConsistency#LINEARIZABLE} after a read index (Raft thesis §6.4).
 *
 * <p><b>Why a read is linearizable.</b> {@link ReplicatedLog#readIndex()} completes with an index
 * at or above every write acknowledged before the call, and only once this node has applied that
 * far; the machine only moves forward, so the value read afterwards reflects at least those
 * writes, and no write that had not committed when the read was asked for can be missing from an
 * earlier read yet present in this one. A node that cannot get a leader to confirm the index (cut
 * off, mid-election) fails the read rather than answer from a stale map.
 *
 * <p><b>Writes</b> go to the log of the node given, so that node must lead ({@code
 * NotLeaderException} otherwise: a definite failure, retry on the leader it hints). A write's
 * future completes once its record is committed and applied here, with the offset (put, delete)
 * or whether the compare-and-set swapped. {@code IndeterminateResultException} means it may or may
 * not have taken effect: read the key to find out before retrying a compare-and-set.
 *
 * <p>Thread-safe; futures complete on the node's event loop (chain only quick actions on them).
 */
public final class KvStore {
    private final ReplicatedLog log;
    private final KvStateMachine machine;

    /** A store on {@code log}, whose node applies its records to {@code machine}. */
    public KvStore(ReplicatedLog log, KvStateMachine machine) {
        this.log = Objects.requireNonNull(log, "log");
        this.machine = Objects.requireNonNull(machine, "machine");
    }

    /** Sets {@code key} to {@code value}; completes with the offset of the write. */
    public CompletableFuture<Long> put(String key, String value) {
        KvWrite.Put put = new KvWrite.Put(key, value);
        return write(put).thenApply(applied -> applied.offset);
    }

    /** Removes {@code key}; completes with the offset of the write. */
    public CompletableFuture<Long> delete(String key) {
        return write(new KvWrite.Delete(key)).thenApply(applied -> applied.offset);
    }

    /**
     * Sets {@code key} to {@code update} if it holds {@code expected} (null: if it is absent);
     * completes with whether it did.
     */
    public CompletableFuture<Boolean> compareAndSet(String key, String expected, String update) {
        return write(new KvWrite.CompareAndSet(key, expected, update))
                .thenApply(applied -> ((KvResult.Swapped) applied.result).swapped());
    }

    /** The value of {@code key}, linearizably. */
    public CompletableFuture<Optional<String>> get(String key) {
        return get(key, ReadConsistency.LINEARIZABLE);
    }

    /**
     * The value of {@code key}: at {@link ReadConsistency#LINEARIZABLE} after a read index, at
     * {@link ReadConsistency#COMMITTED} at once from what this node has applied — cheap, never a
     * value that is not committed, but possibly stale on a follower or a deposed leader.
     */
    public CompletableFuture<Optional<String>> get(String key, ReadConsistency consistency) {
        Objects.requireNonNull(key, "key");
        if (consistency == ReadConsistency.COMMITTED) {
            return CompletableFuture.completedFuture(machine.get(key));
        }
        return log.readIndex().thenApply(index -> machine.get(key));
    }

    private record Applied(long offset, KvResult result) {}

    private CompletableFuture<Applied> write(KvWrite write) {
        return log.append(write.encode()).thenApply(offset -> new Applied(offset, resultAt(offset)));
    }

    private KvResult resultAt(long offset) {
        KvResult result = machine.resultAt(offset)
                .orElseThrow(() -> new IndeterminateResultException("the write committed at offset " + offset
                        + ", but this node's key-value machine no longer has its result (it restored a snapshot"
                        + " past it); read the key to learn what it did"));
        if (result instanceof KvResult.Rejected rejected) {
            throw new MalformedWriteException(
                    "the nodes rejected the write at offset " + offset + ": " + rejected.reason());
        }
        return result;
    }
}
