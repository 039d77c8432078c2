package io.raftlog.testkit.sim;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.Role;
import io.raftlog.api.UnknownSequenceException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The clients of a {@link NodeSimulation}, and what they may rely on. Each client runs one
 * operation at a time through a node's public API: plain appends, idempotent appends whose
 * producer id and sequence number are kept across retries (after a leader change, a timeout or a
 * crash), reads, and leadership transfers. It checks, as it goes and at the end:
 * <ul>
 *   <li>an acknowledged record is the committed entry at its acknowledged offset;</li>
 *   <li>a record a read returns is the committed entry at that offset (no phantom reads);</li>
 *   <li>a definite failure means the record is never in the log;</li>
 *   <li>no record is in the log twice, and an acknowledged idempotent batch is there exactly once,
 *       at the offsets acknowledged, however often it was retried;</li>
 *   <li>an append acknowledged before another began has the smaller offset (real-time order);</li>
 *   <li>once the faults stop, every operation completes and every node applies the same log.</li>
 * </ul>
 */
final class SimWorkload {
    /** Attempts after the faults stop by which a batch must have been answered. */
    private static final int MAX_ATTEMPTS = 200;

    /** An idempotent batch a client keeps retrying until it is answered. */
    private static final class Batch {
        final long producerId;
        final long firstSequence;
        final List<Bytes> records;
        final long floor;
        int attempts;
        /** Attempts since the faults stopped: only those count toward the liveness bound. */
        int calmAttempts;

        Batch(long producerId, long firstSequence, List<Bytes> records, long floor) {
            this.producerId = producerId;
            this.firstSequence = firstSequence;
            this.records = records;
            this.floor = floor;
        }
    }

    private static final class Client {
        final int index;
        long producerId;
        long nextSequence;
        int batchesLeftForProducer;
        Batch batch;
        boolean busy;
        int leaderHint = -1;

        Client(int index) {
            this.index = index;
        }
    }

    private record Expectation(long offset, Bytes payload, String what) {}

    private final NodeSimulation sim;
    private final Client[] clients;
    private final String prefix;
    private final List<Expectation> expectations = new ArrayList<>();
    private final Map<Bytes, Long> acknowledgedAt = new HashMap<>();
    private final Set<Bytes> definitelyRefused = new HashSet<>();
    private final Set<Bytes> idempotentAcknowledged = new HashSet<>();
    /** What happened to each record's appends, for the report of a failure about it. */
    private final Map<Bytes, List<String>> history = new HashMap<>();

    private long maxAcknowledgedOffset;
    private long nextRecord;
    private long acknowledged;
    private long reads;
    private long linearizableReads;
    private long outOfRangeReads;
    private long deletions;
    private long transfers;

    SimWorkload(NodeSimulation sim, int clients, long seed) {
        this.sim = sim;
        this.clients = new Client[clients];
        for (int i = 0; i < clients; i++) {
            this.clients[i] = new Client(i);
        }
        this.prefix = "s" + seed + "-";
    }

    long acknowledged() {
        return acknowledged;
    }

    /** Reads refused for asking below the log start. */
    long outOfRangeReads() {
        return outOfRangeReads;
    }

    /** deleteRecordsBefore calls that moved the log start. */
    long deletions() {
        return deletions;
    }

    long reads() {
        return reads;
    }

    long transfers() {
        return transfers;
    }

    void start() {
        for (Client client : clients) {
            newProducer(client);
            next(client, 1 + sim.random.nextInt(20));
        }
    }

    private void newProducer(Client client) {
        client.producerId = sim.random.nextLong();
        client.nextSequence = 0;
        client.batchesLeftForProducer = 1 + sim.random.nextInt(6);
    }

    private void next(Client client, long delayMillis) {
        client.busy = false;
        if (sim.quiet && client.batch == null) {
            return; // the clients have stopped; an unanswered batch still gets retried
        }
        sim.schedule(delayMillis * NodeSimulation.MS, NodeSimulation.Kind.CLIENT, null, 0, client.index);
    }

    void step(int index) {
        Client client = clients[index];
        if (client.busy) {
            return;
        }
        NodeSimulation.Member node = target(client);
        if (node == null) {
            next(client, 5 + sim.random.nextInt(20));
            return;
        }
        client.busy = true;
        if (client.batch != null) {
            sendBatch(client, node);
            return;
        }
        int op = sim.random.nextInt(100);
        if (op < 45) {
            plainAppend(client, node);
        } else if (op < 80) {
            List<Bytes> records = fresh(1 + sim.random.nextInt(3));
            client.batch = new Batch(client.producerId, client.nextSequence, records, maxAcknowledgedOffset);
            client.nextSequence += records.size();
            sendBatch(client, node);
        } else if (op < 83) {
            deleteRecords(client, node);
        } else if (op < 90) {
            linearizableRead(client, node);
        } else {
            read(client, node);
        }
    }

    /** Removes records below a random offset up to the high watermark, as an operator may. */
    private void deleteRecords(Client client, NodeSimulation.Member node) {
        long start = node.loop.logStartOffset();
        long offset = start + sim.random.nextLong(Math.max(1, node.loop.commitOffset() + 2 - start));
        node.loop.deleteRecordsBefore(offset).whenComplete(guarded((newStart, error) -> {
            if (error == null) {
                if (newStart < offset) {
                    throw new IllegalStateException(
                            "deleteRecordsBefore(" + offset + ") completed with log start " + newStart);
                }
                deletions++;
            } else {
                Throwable cause = unwrap(error);
                learnLeader(client, cause);
                if (!isDefinite(cause)
                        && !(cause instanceof IndeterminateResultException)
                        && !(cause instanceof IllegalArgumentException)) {
                    throw new IllegalStateException("deleteRecordsBefore failed unexpectedly: " + error, error);
                }
            }
            next(client, sim.random.nextInt(15));
        }));
    }

    private NodeSimulation.Member target(Client client) {
        if (client.leaderHint >= 0 && sim.random.nextInt(8) != 0) {
            NodeSimulation.Member hinted = sim.nodes.get(client.leaderHint);
            if (hinted.up) {
                return hinted;
            }
        }
        List<NodeSimulation.Member> up = new ArrayList<>();
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up) {
                up.add(node);
            }
        }
        return up.isEmpty() ? null : up.get(sim.random.nextInt(up.size()));
    }

    private List<Bytes> fresh(int count) {
        List<Bytes> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(Bytes.ofUtf8(prefix + nextRecord++));
        }
        return records;
    }

    // ------------------------------------------------------------------ operations

    private void plainAppend(Client client, NodeSimulation.Member node) {
        List<Bytes> records = fresh(1 + sim.random.nextInt(3));
        long floor = maxAcknowledgedOffset;
        CompletableFuture<List<Long>> future = node.loop.appendAll(records);
        future.whenComplete(guarded((offsets, error) -> {
            if (error == null) {
                acknowledge(records, offsets, floor, false);
            } else {
                Throwable cause = unwrap(error);
                if (isDefinite(cause)) {
                    definitelyRefused.addAll(records);
                } else if (!(cause instanceof IndeterminateResultException)) {
                    throw new IllegalStateException("an append failed unexpectedly: " + cause, cause);
                }
                learnLeader(client, cause);
            }
            next(client, sim.random.nextInt(15));
        }));
    }

    /**
     * An append a driver of the simulation makes (the console's "send a record"), held to the
     * same rules as the clients' own: acknowledged means committed at that offset, refused means
     * never in the log.
     */
    CompletableFuture<List<Long>> append(NodeSimulation.Member node, List<Bytes> records) {
        long floor = maxAcknowledgedOffset;
        CompletableFuture<List<Long>> future = node.loop.appendAll(records);
        future.whenComplete(guarded((offsets, error) -> {
            if (error == null) {
                acknowledge(records, offsets, floor, false);
            } else if (isDefinite(unwrap(error))) {
                definitelyRefused.addAll(records);
            }
        }));
        return future;
    }

    private void note(List<Bytes> records, String what) {
        String line = (sim.now / NodeSimulation.MS) + "ms " + what;
        for (Bytes record : records) {
            history.computeIfAbsent(record, r -> new ArrayList<>()).add(line);
        }
    }

    private String historyOf(Bytes record) {
        return String.join("\n    ", history.getOrDefault(record, List.of()));
    }

    private void sendBatch(Client client, NodeSimulation.Member node) {
        Batch batch = client.batch;
        batch.attempts++;
        if (sim.calm) {
            batch.calmAttempts++;
        }
        note(
                batch.records,
                "producer " + Long.toHexString(batch.producerId) + " seq " + batch.firstSequence
                        + " attempt " + batch.attempts + " to " + node.id + " ("
                        + node.loop.status().role() + ", term "
                        + node.loop.status().term() + ", wall " + node.clock.currentTimeMillis() + ")");
        CompletableFuture<List<Long>> future =
                node.loop.appendAll(batch.producerId, batch.firstSequence, batch.records);
        future.whenComplete(guarded((offsets, error) -> {
            if (client.batch != batch) {
                return;
            }
            if (error == null) {
                note(batch.records, "  -> offsets " + offsets);
                acknowledge(batch.records, offsets, batch.floor, true);
                finishBatch(client);
                next(client, sim.random.nextInt(15));
                return;
            }
            Throwable cause = unwrap(error);
            note(batch.records, "  -> " + cause);
            learnLeader(client, cause);
            if (cause instanceof OutOfOrderSequenceException || cause instanceof UnknownSequenceException) {
                // The leader no longer knows the producer (expired) or the batch: the outcome is
                // unknown. Give the batch up; its records must still be in the log at most once.
                finishBatch(client);
                newProducer(client);
                next(client, sim.random.nextInt(15));
                return;
            }
            if (!isDefinite(cause) && !(cause instanceof IndeterminateResultException)) {
                throw new IllegalStateException("an idempotent append failed unexpectedly: " + cause, cause);
            }
            if (batch.calmAttempts >= MAX_ATTEMPTS) {
                throw new IllegalStateException("liveness: a batch of producer " + Long.toHexString(batch.producerId)
                        + " was not answered in " + MAX_ATTEMPTS + " attempts after the faults stopped; last: "
                        + cause
                        + "\n  its appends:\n    " + historyOf(batch.records.get(0)));
            }
            client.busy = false;
            sim.schedule(
                    (1 + sim.random.nextInt(30)) * NodeSimulation.MS,
                    NodeSimulation.Kind.CLIENT,
                    null,
                    0,
                    client.index);
        }));
    }

    private void finishBatch(Client client) {
        client.batch = null;
        if (--client.batchesLeftForProducer <= 0) {
            newProducer(client); // a new producer starts at sequence 0 again
        }
    }

    private void read(Client client, NodeSimulation.Member node) {
        long from = 1 + sim.random.nextLong(Math.max(1, sim.checker.committedIndex() + 4));
        Duration wait = sim.random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(5 + sim.random.nextInt(80));
        node.loop.read(from, 1 + sim.random.nextInt(20), wait).whenComplete(guarded((records, error) -> {
            if (error == null) {
                reads++;
                long previous = from - 1;
                for (CommittedRecord record : records) {
                    if (record.offset() <= previous) {
                        throw new IllegalStateException(
                                "a read from " + from + " returned offsets out of order: " + records);
                    }
                    previous = record.offset();
                    expectations.add(new Expectation(record.offset(), record.payload(), "read"));
                }
            } else if (unwrap(error) instanceof io.raftlog.api.OffsetOutOfRangeException outOfRange) {
                // Below the log start: the error says where the log starts, past the offset asked for.
                if (outOfRange.offset() != from || outOfRange.logStartOffset() <= from) {
                    throw new IllegalStateException("a read from " + from + " was refused with " + outOfRange);
                }
                outOfRangeReads++;
            } else if (!(unwrap(error) instanceof NodeClosedException)
                    && !(unwrap(error) instanceof io.raftlog.api.CorruptLogException)) {
                // A read that meets a damaged entry fails with a typed error, never with bad bytes.
                throw new IllegalStateException("a read failed unexpectedly: " + error, error);
            }
            next(client, sim.random.nextInt(15));
        }));
    }

    /**
     * A linearizable read index, or a linearizable page read from below the newest acknowledged
     * offset: it must see every append acknowledged before it began (a stale answer from a node
     * that lost its leadership, or lags, breaks linearizability).
     */
    private void linearizableRead(Client client, NodeSimulation.Member node) {
        long floor = maxAcknowledgedOffset;
        if (sim.random.nextBoolean() || floor == 0) {
            node.loop.readIndex().whenComplete(guarded((index, error) -> {
                if (error == null) {
                    if (index < floor) {
                        throw new IllegalStateException("linearizability: " + node.id + " answered read index " + index
                                + ", below offset " + floor + " acknowledged before the read began");
                    }
                    if (node.loop.commitOffset() < index) {
                        throw new IllegalStateException("a read index " + index + " completed on " + node.id
                                + " before it applied that far (" + node.loop.commitOffset() + ")");
                    }
                    linearizableReads++;
                } else if (!(unwrap(error) instanceof NotLeaderException)
                        && !(unwrap(error) instanceof NodeClosedException)) {
                    throw new IllegalStateException("a read index failed unexpectedly: " + error, error);
                }
                next(client, sim.random.nextInt(15));
            }));
            return;
        }
        long from = 1 + sim.random.nextLong(floor);
        node.loop
                .read(from, 1 + sim.random.nextInt(20), Duration.ZERO, io.raftlog.api.ReadConsistency.LINEARIZABLE)
                .whenComplete(guarded((records, error) -> {
                    if (error == null) {
                        // The record acknowledged at floor is a committed data record at or after from.
                        if (records.isEmpty() || records.get(0).offset() > floor) {
                            throw new IllegalStateException("linearizability: a read from " + from + " on " + node.id
                                    + " returned "
                                    + (records.isEmpty()
                                            ? "nothing"
                                            : "from " + records.get(0).offset())
                                    + ", missing offset " + floor + " acknowledged before the read began");
                        }
                        for (CommittedRecord record : records) {
                            expectations.add(new Expectation(record.offset(), record.payload(), "linearizable read"));
                        }
                        linearizableReads++;
                    } else if (!(unwrap(error) instanceof NotLeaderException)
                            && !(unwrap(error) instanceof NodeClosedException)
                            && !(unwrap(error) instanceof io.raftlog.api.OffsetOutOfRangeException)
                            && !(unwrap(error) instanceof io.raftlog.api.CorruptLogException)) {
                        throw new IllegalStateException("a linearizable read failed unexpectedly: " + error, error);
                    }
                    next(client, sim.random.nextInt(15));
                }));
    }

    long linearizableReads() {
        return linearizableReads;
    }

    void transferLeadership() {
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up && node.loop.status().role() == Role.LEADER) {
                NodeSimulation.Member target = sim.nodes.get(sim.random.nextInt(sim.nodes.size()));
                if (target != node) {
                    transfers++;
                    node.loop.transferLeadership(target.id).exceptionally(error -> null);
                }
                return;
            }
        }
    }

    // ------------------------------------------------------------------ checks

    private void acknowledge(List<Bytes> records, List<Long> offsets, long floor, boolean idempotent) {
        if (offsets.size() != records.size()) {
            throw new IllegalStateException(records.size() + " records acknowledged with offsets " + offsets);
        }
        for (int i = 0; i < records.size(); i++) {
            long offset = offsets.get(i);
            Bytes record = records.get(i);
            if (offset <= floor) {
                throw new IllegalStateException("real-time order: " + record + " acknowledged at offset " + offset
                        + ", but offset " + floor + " was acknowledged before its append began");
            }
            Long earlier = acknowledgedAt.put(record, offset);
            if (earlier != null && earlier != offset) {
                throw new IllegalStateException(record + " acknowledged at offset " + earlier + " and at " + offset);
            }
            if (earlier == null) {
                acknowledged++;
            }
            if (idempotent) {
                idempotentAcknowledged.add(record);
            }
            maxAcknowledgedOffset = Math.max(maxAcknowledgedOffset, offset);
            expectations.add(new Expectation(offset, record, "acknowledged"));
        }
    }

    /**
     * A check inside a future's callback cannot throw to the simulation (the future would swallow
     * it): it is kept here and thrown by {@link #check()} after the event.
     */
    private RuntimeException violation;

    <T> java.util.function.BiConsumer<T, Throwable> guarded(java.util.function.BiConsumer<T, Throwable> body) {
        return (value, error) -> {
            try {
                body.accept(value, error);
            } catch (RuntimeException e) {
                if (violation == null) {
                    violation = e;
                }
            }
        };
    }

    /** After every event: each expectation whose offset is known committed must hold. */
    void check() {
        if (violation != null) {
            throw violation;
        }
        if (expectations.isEmpty()) {
            return;
        }
        expectations.removeIf(this::holds);
    }

    private boolean holds(Expectation expectation) {
        LogEntry entry = sim.checker.committedAt(expectation.offset());
        if (entry == null) {
            return false; // not applied anywhere yet
        }
        if (entry.type() != EntryType.DATA || !entry.payload().equals(expectation.payload())) {
            throw new IllegalStateException(expectation.what() + " " + expectation.payload() + " at offset "
                    + expectation.offset() + ", but the committed entry there is " + entry);
        }
        return true;
    }

    /** Whether no client waits for an answer (nothing outstanding). */
    boolean idle() {
        for (Client client : clients) {
            if (client.busy || client.batch != null) {
                return false;
            }
        }
        return true;
    }

    /** At the end: liveness, convergence, and what the whole committed log holds. */
    void finish() {
        for (Client client : clients) {
            if (client.busy || client.batch != null) {
                throw new IllegalStateException("liveness: client " + client.index + " still waits for an answer "
                        + (client.batch != null ? "to a batch of " + client.batch.attempts + " attempts" : ""));
            }
        }
        long applied = -1;
        List<NodeSimulation.Member> members = sim.finalMembers();
        for (NodeSimulation.Member node : members) {
            if (!node.up) {
                throw new IllegalStateException("liveness: " + node.id + " is down at the end");
            }
            long its = node.loop.commitOffset();
            if (applied >= 0 && its != applied) {
                throw new IllegalStateException("liveness: the nodes did not converge: " + node.id + " applied " + its
                        + ", another " + applied);
            }
            applied = its;
        }
        check();
        if (!expectations.isEmpty()) {
            throw new IllegalStateException("liveness: never committed anywhere: " + expectations.get(0));
        }
        Map<Bytes, Long> seen = new HashMap<>();
        for (long index = 1; index <= sim.checker.committedIndex(); index++) {
            LogEntry entry = sim.checker.committedAt(index);
            if (entry.type() != EntryType.DATA || !entry.payload().toUtf8().startsWith(prefix)) {
                continue;
            }
            Long first = seen.put(entry.payload(), index);
            if (first != null) {
                throw new IllegalStateException(entry.payload() + " is in the log twice, at " + first + " and " + index
                        + (idempotentAcknowledged.contains(entry.payload())
                                ? " (an acknowledged idempotent record)"
                                : "")
                        + "\n  its appends:\n    " + historyOf(entry.payload())
                        + "\n  the log from " + Math.max(1, first - 2) + ":\n    "
                        + dump(Math.max(1, first - 2), index));
            }
            if (definitelyRefused.contains(entry.payload())) {
                throw new IllegalStateException(
                        entry.payload() + " was refused definitely but is in the log at " + index);
            }
        }
        for (Map.Entry<Bytes, Long> ack : acknowledgedAt.entrySet()) {
            Long at = seen.get(ack.getKey());
            if (at == null || !at.equals(ack.getValue())) {
                throw new IllegalStateException(
                        ack.getKey() + " acknowledged at " + ack.getValue() + " is in the final log at " + at);
            }
        }
        // Retention removes records below the log start, never one above it: every acknowledged
        // record at or above a node's log start is in that node's log, intact.
        for (NodeSimulation.Member node : members) {
            long start = node.loop.logStartOffset();
            long appliedThere = node.loop.commitOffset();
            for (Map.Entry<Bytes, Long> ack : acknowledgedAt.entrySet()) {
                long offset = ack.getValue();
                if (offset < start || offset > appliedThere) {
                    continue;
                }
                List<LogEntry> held = node.volume.rawEntries(offset, 1);
                if (held.isEmpty() || !held.get(0).payload().equals(ack.getKey())) {
                    throw new IllegalStateException(node.id + " lacks acknowledged record " + ack.getKey() + " at "
                            + offset + ", at or above its log start " + start + " (its log holds "
                            + node.volume.firstIndex() + ".." + (node.volume.firstIndex() + node.volume.size() - 1)
                            + ")");
                }
            }
        }
    }

    private String dump(long from, long to) {
        List<String> lines = new ArrayList<>();
        for (long i = from; i <= to && lines.size() < 60; i++) {
            LogEntry entry = sim.checker.committedAt(i);
            lines.add(i + " t" + entry.term() + " " + entry.type() + " "
                    + (entry.type() == EntryType.DATA
                            ? entry.payload().toUtf8()
                            : entry.payload().toString()));
        }
        return String.join("\n    ", lines);
    }

    // ------------------------------------------------------------------ errors

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Failures the API calls definite: the record is not, and never will be, in the log. */
    private static boolean isDefinite(Throwable cause) {
        return cause instanceof NotLeaderException
                || cause instanceof OverloadedException
                || cause instanceof NodeClosedException;
    }

    private void learnLeader(Client client, Throwable cause) {
        if (cause instanceof NotLeaderException notLeader
                && notLeader.leaderHint().isPresent()) {
            client.leaderHint = sim.member(notLeader.leaderHint().get()).index;
        } else {
            client.leaderHint = -1;
        }
    }
}
