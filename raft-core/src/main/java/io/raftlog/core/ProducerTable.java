package io.raftlog.core;

import io.raftlog.api.Bytes;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * De-duplication state of idempotent producers, after Kafka's idempotent producer: for each
 * producer, the last sequence number appended and its last few batches with their offsets.
 *
 * <p>The committed part is rebuilt by every replica from the {@code PRODUCER_BATCH} entries of its
 * log as it applies them, so it survives leader changes and restarts. A leader adds the batches
 * it has proposed but not yet seen committed (in flight), so a retry arriving before the original
 * commits is attached to it instead of appended twice. Owned by the event loop; not thread-safe.
 *
 * <h2>Forgetting producers, and why a retry is never taken for a new producer</h2>
 *
 * <p>A producer is forgotten when it has been idle for longer than the idle timeout, measured on
 * the log's time (the newest timestamp of the batch headers applied, which the leaders' wall clocks
 * stamped), or when the table holds more than {@code maxProducers}: the least recently appended
 * goes first. Its state is dropped, but its id is kept in a list of expired ids, the last
 * {@value #REMEMBERED_EXPIRED}, so that a late retry of any of its batches, even of its first one
 * (sequence 0), is answered {@link Unknown} and not taken for a new producer's first batch.
 *
 * <p>The rule: <b>at most one producer is forgotten per batch header applied</b> ({@link #applied}),
 * however far the log's time moves. A leader whose clock jumped hours ahead (an NTP step, a resumed
 * VM) makes every producer idle at once; they are then forgotten one per batch, never all together.
 * Hence an id, once forgotten, stays in the list for at least {@value #REMEMBERED_EXPIRED} more
 * applied headers; and since a producer is forgotten only after its last batch, <em>a retry of a
 * committed batch is never appended again if it reaches the leader within
 * {@value #REMEMBERED_EXPIRED} applied batch headers of that batch</em>: a bound in log order,
 * which no clock can shorten (a {@code RaftClient} retries for 10 s, so it would take a sustained
 * 6,500 idempotent batches a second, and a producer forgotten right after its batch, to pass it).
 * Without the rule, a jump that expired more producers than the list holds forgot the oldest ids
 * outright, and a retry of one of their committed first batches was appended twice. An idle
 * producer stays in the table until its turn (never more than {@code maxProducers} are held),
 * which only makes its retries answered with their offsets for longer.
 *
 * <p>The rule depends only on the log: the headers applied and their order. Every replica applies
 * the same headers, and a snapshot carries the table with its list, so the bound holds on whichever
 * replica leads next. (Which producer is forgotten when also depends on the idle timeout, a setting
 * of each node; the bound does not.)
 */
final class ProducerTable {
    /** What to do with an idempotent batch. */
    sealed interface Decision permits Append, AlreadyCommitted, InFlight, Partial, Reject, Unknown {}

    /** New sequence numbers: append. */
    record Append() implements Decision {}

    /** A retry of a committed batch: answer with its offsets. */
    record AlreadyCommitted(List<Long> offsets) implements Decision {}

    /** A retry of a batch still in flight on this leader: answer as it will be answered. */
    record InFlight(CompletableFuture<List<Long>> original) implements Decision {}

    /**
     * A retry of a batch of which only the first {@code committedCount} records are in the log (its
     * leader lost the rest): append the remaining records, and answer with {@code committedOffsets}
     * followed by theirs.
     */
    record Partial(List<Long> committedOffsets, int committedCount) implements Decision {}

    /** A gap in the producer's sequence numbers: refuse (nothing is, or ever was, appended). */
    record Reject(String reason) implements Decision {}

    /**
     * A retry older than what is remembered (an expired producer, a batch older than the last
     * {@link #REMEMBERED_BATCHES}): it may be in the log; append nothing, and say it is unknown.
     */
    record Unknown(String reason) implements Decision {}

    /** A batch header, as stored in a PRODUCER_BATCH entry. */
    record Header(long producerId, long firstSequence, int count, long timestampMillis) {
        static final int BYTES = 8 + 8 + 4 + 8;

        Bytes encode() {
            ByteBuffer buffer = ByteBuffer.allocate(BYTES);
            buffer.putLong(producerId)
                    .putLong(firstSequence)
                    .putInt(count)
                    .putLong(timestampMillis)
                    .flip();
            return Bytes.wrap(buffer);
        }

        static Header decode(Bytes payload) {
            ByteBuffer buffer = payload.asReadOnlyBuffer();
            if (buffer.remaining() != BYTES) {
                throw new IllegalStateException(
                        "producer batch header of " + buffer.remaining() + " bytes, expected " + BYTES);
            }
            return new Header(buffer.getLong(), buffer.getLong(), buffer.getInt(), buffer.getLong());
        }
    }

    /** A batch in the log: {@code committed} of its {@code count} records, from {@code firstOffset}. */
    private record Batch(long firstSequence, int count, int committed, long firstOffset) {}

    private record PendingBatch(long firstSequence, int count, CompletableFuture<List<Long>> future) {}

    private static final class Producer {
        final long id;
        long lastSequence;
        long lastTimestamp;
        final ArrayDeque<Batch> batches = new ArrayDeque<>();

        Producer(long id) {
            this.id = id;
        }
    }

    /** Batches remembered per producer: retries of older ones are refused. Clients keep fewer in flight. */
    static final int REMEMBERED_BATCHES = 64;

    /**
     * Producer ids forgotten most recently, remembered without their state so that a retry of an
     * expired producer's first batch is never taken for a new producer: expiry follows leaders'
     * wall clocks, which may jump forward, so a producer can expire while its retries still come.
     * Since at most one producer is forgotten per applied header, an id stays here for at least
     * this many applied headers (see the class documentation).
     */
    static final int REMEMBERED_EXPIRED = 65_536;

    private final long idleMillis;
    private final int maxProducers;
    /** Committed state, least recently appended first. */
    private final LinkedHashMap<Long, Producer> producers = new LinkedHashMap<>();

    private final Map<Long, List<PendingBatch>> inFlight = new HashMap<>();
    /** Ids of producers expired or evicted, oldest first; the same on every replica (log order). */
    private final LinkedHashMap<Long, Boolean> expired = new LinkedHashMap<>();

    private long logTime;

    ProducerTable(long idleMillis, int maxProducers) {
        this.idleMillis = idleMillis;
        this.maxProducers = maxProducers;
    }

    Decision check(long producerId, long firstSequence, int count) {
        Producer committed = producers.get(producerId);
        List<PendingBatch> pending = inFlight.get(producerId);
        if (committed == null && (pending == null || pending.isEmpty())) {
            if (expired.containsKey(producerId)) {
                return new Unknown("producer " + Long.toHexString(producerId)
                        + " was idle for longer than the idle timeout and is forgotten: whether sequence "
                        + firstSequence + " is in the log cannot be told; use a new producer id");
            }
            // A producer starts at sequence 0: a later batch overtaking its first one must wait,
            // or the first one could no longer be recognised when it arrives.
            return firstSequence == 0
                    ? new Append()
                    : new Reject("producer " + Long.toHexString(producerId)
                            + " is unknown (new, or idle for too long) and must start at sequence 0, not "
                            + firstSequence);
        }
        long last = Math.max(
                committed == null ? Long.MIN_VALUE : committed.lastSequence,
                pending == null || pending.isEmpty() ? Long.MIN_VALUE : lastOf(pending));
        if (firstSequence == last + 1) {
            return new Append();
        }
        if (firstSequence > last + 1) {
            return new Reject("producer " + Long.toHexString(producerId) + " skipped sequence numbers: expected "
                    + (last + 1) + ", got " + firstSequence);
        }
        if (pending != null) {
            for (PendingBatch batch : pending) {
                if (batch.firstSequence() == firstSequence && batch.count() == count) {
                    return new InFlight(batch.future());
                }
            }
        }
        if (committed != null) {
            for (Batch batch : committed.batches) {
                if (batch.firstSequence() == firstSequence && batch.count() == count) {
                    return retryOf(producerId, batch);
                }
            }
        }
        return new Unknown("producer " + Long.toHexString(producerId) + " retried sequence " + firstSequence + " ("
                + count + " records), which is older than the batches remembered or was sent with another size:"
                + " whether it is in the log cannot be told");
    }

    /** The answer to a retry of {@code batch}, which is in the log whole or in part. */
    private Decision retryOf(long producerId, Batch batch) {
        List<Long> offsets = new ArrayList<>(batch.count());
        for (int i = 0; i < batch.committed(); i++) {
            offsets.add(batch.firstOffset() + i);
        }
        if (batch.committed() == batch.count()) {
            return new AlreadyCommitted(offsets);
        }
        // Only a prefix is in the log: where are the rest? (Appended again by an earlier retry?)
        Decision rest = check(producerId, batch.firstSequence() + batch.committed(), batch.count() - batch.committed());
        if (rest instanceof AlreadyCommitted remainder) {
            offsets.addAll(remainder.offsets());
            return new AlreadyCommitted(offsets);
        }
        if (rest instanceof InFlight remainder) {
            return new InFlight(remainder.original().thenApply(more -> concat(offsets, more)));
        }
        if (rest instanceof Partial remainder) {
            offsets.addAll(remainder.committedOffsets());
            return new Partial(offsets, batch.committed() + remainder.committedCount());
        }
        if (rest instanceof Append) {
            return new Partial(offsets, batch.committed());
        }
        return rest;
    }

    static List<Long> concat(List<Long> first, List<Long> second) {
        List<Long> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        return all;
    }

    void inFlight(long producerId, long firstSequence, int count, CompletableFuture<List<Long>> future) {
        inFlight.computeIfAbsent(producerId, id -> new ArrayList<>())
                .add(new PendingBatch(firstSequence, count, future));
    }

    /** Forgets batches proposed in flight whose proposal failed. */
    void abandon(long producerId, long firstSequence) {
        List<PendingBatch> pending = inFlight.get(producerId);
        if (pending != null) {
            pending.removeIf(batch -> batch.firstSequence() == firstSequence);
        }
    }

    /** This node stopped leading: what it had in flight is tracked only through the log now. */
    void leadershipLost() {
        inFlight.clear();
    }

    /**
     * A PRODUCER_BATCH entry at {@code headerIndex} and the first {@code committed} records of its
     * batch are committed and applied; the others never will be (a later leader replaced them).
     */
    void applied(Header header, long headerIndex, int committed) {
        logTime = Math.max(logTime, header.timestampMillis());
        if (committed == 0) {
            abandon(header.producerId(), header.firstSequence());
            expire();
            return;
        }
        Producer producer = producers.remove(header.producerId());
        if (producer == null) {
            producer = new Producer(header.producerId());
            expired.remove(header.producerId());
        }
        producer.lastSequence = header.firstSequence() + committed - 1;
        producer.lastTimestamp = header.timestampMillis();
        producer.batches.addLast(new Batch(header.firstSequence(), header.count(), committed, headerIndex + 1));
        if (producer.batches.size() > REMEMBERED_BATCHES) {
            producer.batches.removeFirst();
        }
        producers.put(header.producerId(), producer);
        List<PendingBatch> pending = inFlight.get(header.producerId());
        if (pending != null) {
            pending.removeIf(batch -> batch.firstSequence() == header.firstSequence());
            if (pending.isEmpty()) {
                inFlight.remove(header.producerId());
            }
        }
        expire();
    }

    int size() {
        return producers.size();
    }

    /** Writes the committed state (not what is in flight): what a snapshot keeps of it. */
    void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeLong(logTime);
        out.writeInt(producers.size());
        for (Producer producer : producers.values()) {
            out.writeLong(producer.id);
            out.writeLong(producer.lastSequence);
            out.writeLong(producer.lastTimestamp);
            out.writeInt(producer.batches.size());
            for (Batch batch : producer.batches) {
                out.writeLong(batch.firstSequence());
                out.writeInt(batch.count());
                out.writeInt(batch.committed());
                out.writeLong(batch.firstOffset());
            }
        }
        out.writeInt(expired.size());
        for (long id : expired.keySet()) {
            out.writeLong(id);
        }
    }

    /** Replaces the committed state with what {@link #writeTo} wrote; forgets what is in flight. */
    void readFrom(java.io.DataInputStream in) throws java.io.IOException {
        producers.clear();
        inFlight.clear();
        expired.clear();
        logTime = in.readLong();
        for (int n = in.readInt(); n > 0; n--) {
            Producer producer = new Producer(in.readLong());
            producer.lastSequence = in.readLong();
            producer.lastTimestamp = in.readLong();
            for (int b = in.readInt(); b > 0; b--) {
                producer.batches.addLast(new Batch(in.readLong(), in.readInt(), in.readInt(), in.readLong()));
            }
            producers.put(producer.id, producer);
        }
        for (int n = in.readInt(); n > 0; n--) {
            expired.put(in.readLong(), Boolean.TRUE);
        }
    }

    /**
     * Forgets the least recently appended producer if the table is over its cap or that producer is
     * idle: one at most, whatever the log's time did (the class documentation says why). One batch
     * adds at most one producer, so one out per batch keeps the table within its cap.
     */
    private void expire() {
        Iterator<Producer> oldestFirst = producers.values().iterator();
        if (oldestFirst.hasNext()) {
            Producer producer = oldestFirst.next();
            if (producers.size() > maxProducers || producer.lastTimestamp < logTime - idleMillis) {
                oldestFirst.remove();
                rememberExpired(producer);
            }
        }
    }

    private void rememberExpired(Producer producer) {
        expired.put(producer.id, Boolean.TRUE);
        if (expired.size() > REMEMBERED_EXPIRED) {
            Iterator<Long> oldest = expired.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private static long lastOf(List<PendingBatch> pending) {
        PendingBatch last = pending.get(pending.size() - 1);
        return last.firstSequence() + last.count() - 1;
    }
}
