package io.raftlog.transport.netty.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.api.Bytes;
import io.raftlog.api.OverloadedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Accumulates appends into batches like a Kafka producer. Records appended within {@code linger},
 * or until {@code maxBatchRecords} / {@code maxBatchBytes}, form one batch: an idempotent
 * {@code appendAll} under the client's producer id, with consecutive sequence numbers assigned when
 * the batch closes, so every retry of the batch re-sends the same (producer id, sequence).
 *
 * <p>The leader accepts a producer's batches only in sequence order, without gaps. Batches leave in
 * order on one connection; when a retry is overtaken, the leader refuses the later batch and
 * {@link #hasUnresolvedBefore} tells the router to retry it after the earlier one. When a batch
 * fails for good, its sequence numbers would be a gap forever, so the producer takes a new random
 * id (sequences from 0 again) for the batches that follow.
 *
 * <p>A batch closes only when a request slot is free (the client's in-flight bound); until then it
 * keeps filling, and an append that finds the open batch full and no slot free fails with
 * {@link OverloadedException}. So at most {@code maxInFlightRequests} sent batches and one open
 * batch are held. The records of one {@code appendAll} call always travel in one batch, so they
 * get consecutive offsets. Confined to the client's event loop.
 */
final class ProducerBatcher {
    /** Bytes a record adds to a batch besides its payload: its length field. */
    static final int RECORD_OVERHEAD_BYTES = Integer.BYTES;

    private final RaftClientConfig config;
    private final EventLoop loop;
    private final BooleanSupplier tryAcquireSlot;
    private final Consumer<Batch> send;

    private final LongSupplier newProducerId;
    /** Read by other threads through {@link #producerId()}. */
    private volatile long producerId;

    private long nextSequence;
    private Open open;
    /** Closed batches not yet answered, in sequence order per producer id. */
    private final List<Batch> unresolved = new ArrayList<>();

    ProducerBatcher(
            LongSupplier newProducerId,
            RaftClientConfig config,
            EventLoop loop,
            BooleanSupplier tryAcquireSlot,
            Consumer<Batch> send) {
        this.newProducerId = newProducerId;
        this.producerId = newProducerId.getAsLong();
        this.config = config;
        this.loop = loop;
        this.tryAcquireSlot = tryAcquireSlot;
        this.send = send;
    }

    /** Adds the records of one append call; {@code future} completes with their offsets. */
    void add(List<Bytes> records, CompletableFuture<List<Long>> future) {
        long bytes = bytesOf(records);
        if (open != null
                && (open.count + records.size() > config.maxBatchRecords()
                        || open.bytes + bytes > config.maxBatchBytes())) {
            if (!tryClose()) {
                future.completeExceptionally(new OverloadedException("the client has " + config.maxInFlightRequests()
                        + " requests in flight and a full batch waiting"));
                return;
            }
        }
        if (open == null) {
            open = new Open();
            if (!config.linger().isZero()) {
                Open lingering = open;
                open.linger = loop.schedule(
                        () -> lingerExpired(lingering), config.linger().toNanos(), TimeUnit.NANOSECONDS);
            } else {
                open.lingerExpired = true;
            }
        }
        open.add(records, bytes, future);
        if (open.lingerExpired || open.count >= config.maxBatchRecords() || open.bytes >= config.maxBatchBytes()) {
            tryClose();
        }
    }

    /** The producer id the next batch will carry. Any thread. */
    long producerId() {
        return producerId;
    }

    /** {@code batch} was answered or given up; a failure retires its producer id. */
    void resolved(Batch batch, boolean failed) {
        unresolved.remove(batch);
        if (failed && batch.producerId() == producerId) {
            producerId = newProducerId.getAsLong();
            nextSequence = 0;
        }
    }

    /** Whether an earlier batch of {@code batch}'s producer still awaits its answer. */
    boolean hasUnresolvedBefore(Batch batch) {
        for (Batch other : unresolved) {
            if (other.producerId() == batch.producerId() && other.firstSequence() < batch.firstSequence()) {
                return true;
            }
        }
        return false;
    }

    /** A request slot was freed: send the open batch if it is due. */
    void onSlotFreed() {
        if (open != null
                && (open.lingerExpired
                        || open.count >= config.maxBatchRecords()
                        || open.bytes >= config.maxBatchBytes())) {
            tryClose();
        }
    }

    /** Fails the open batch (the client is closing). */
    void failOpen(Throwable error) {
        if (open != null) {
            Open failed = open;
            open = null;
            if (failed.linger != null) {
                failed.linger.cancel(false);
            }
            failed.parts.forEach(part -> part.future.completeExceptionally(error));
        }
    }

    static long bytesOf(List<Bytes> records) {
        long bytes = 0;
        for (Bytes record : records) {
            bytes += record.size() + RECORD_OVERHEAD_BYTES;
        }
        return bytes;
    }

    private void lingerExpired(Open lingering) {
        if (open == lingering) {
            open.lingerExpired = true;
            open.linger = null;
            tryClose();
        }
    }

    private boolean tryClose() {
        if (!tryAcquireSlot.getAsBoolean()) {
            return false;
        }
        Open closing = open;
        open = null;
        if (closing.linger != null) {
            closing.linger.cancel(false);
        }
        Batch batch = new Batch(producerId, nextSequence, List.copyOf(closing.records), List.copyOf(closing.parts));
        nextSequence += closing.count;
        unresolved.add(batch);
        send.accept(batch);
        return true;
    }

    private static final class Open {
        final List<Bytes> records = new ArrayList<>();
        final List<Part> parts = new ArrayList<>();
        int count;
        long bytes;
        boolean lingerExpired;
        ScheduledFuture<?> linger;

        void add(List<Bytes> added, long addedBytes, CompletableFuture<List<Long>> future) {
            records.addAll(added);
            parts.add(new Part(added.size(), future));
            count += added.size();
            bytes += addedBytes;
        }
    }

    /** The records of one append call within a batch. */
    record Part(int count, CompletableFuture<List<Long>> future) {}

    /**
     * A closed batch: what one idempotent append request carries, on every attempt.
     *
     * @param producerId    the client's producer id
     * @param firstSequence the sequence number of the first record
     * @param records       the records, in order
     * @param parts         the append calls they came from, in order
     */
    record Batch(long producerId, long firstSequence, List<Bytes> records, List<Part> parts) {
        void complete(List<Long> offsets) {
            int from = 0;
            for (Part part : parts) {
                part.future.complete(List.copyOf(offsets.subList(from, from + part.count)));
                from += part.count;
            }
        }

        void fail(Throwable error) {
            parts.forEach(part -> part.future.completeExceptionally(error));
        }
    }
}
