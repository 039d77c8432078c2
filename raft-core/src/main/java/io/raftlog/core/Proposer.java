package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.RaftException;
import io.raftlog.api.Role;
import io.raftlog.api.UnknownSequenceException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.protocol.RaftProtocol;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.LongSupplier;

/**
 * Turns the appends queued since the last loop iteration into one proposal, and keeps the
 * idempotent producers' de-duplication state. Owned by the event loop.
 *
 * <p>An idempotent batch is proposed as a {@code PRODUCER_BATCH} header entry followed by its
 * records. A leader takes idempotent batches only once an entry of its own term is committed
 * (its no-op): from then on every earlier entry is applied, so its {@link ProducerTable} knows
 * every batch in the log. Until then they wait.
 */
final class Proposer {
    /**
     * An append waiting to be proposed; {@code idempotent} ones carry a producer id and sequence.
     * {@code queuedBytes} is what it counts against the node's queue bound: the payload bytes of a
     * data append, 0 for others (summed once, where it is queued).
     */
    record Proposal(
            List<Bytes> records,
            AppendOutcome<?> outcome,
            boolean idempotent,
            long producerId,
            long firstSequence,
            EntryType type,
            long queuedBytes) {
        Proposal(
                List<Bytes> records,
                AppendOutcome<?> outcome,
                boolean idempotent,
                long producerId,
                long firstSequence,
                EntryType type) {
            this(records, outcome, idempotent, producerId, firstSequence, type, payloadBytes(records, type));
        }

        Proposal(
                List<Bytes> records,
                AppendOutcome<?> outcome,
                boolean idempotent,
                long producerId,
                long firstSequence) {
            this(records, outcome, idempotent, producerId, firstSequence, EntryType.DATA);
        }

        /**
         * The outcome of an idempotent proposal, which is always its offsets: the producer table
         * keeps it for retries of the same batch to wait on.
         */
        AppendOutcome.Offsets offsets() {
            return (AppendOutcome.Offsets) outcome;
        }

        private static long payloadBytes(List<Bytes> records, EntryType type) {
            if (type != EntryType.DATA) {
                return 0;
            }
            long bytes = 0;
            for (Bytes record : records) {
                bytes += record.size();
            }
            return bytes;
        }
    }

    /** Sees every committed entry as it is applied, in log order (after the producer table). */
    interface EntrySink {
        EntrySink NONE = entry -> {};

        /** {@code entry}'s payload is valid only during the call. */
        void applied(LogEntry entry);
    }

    private static final long SCAN_BYTES = 64L << 20;

    private final NodeConfig config;
    private final RaftProtocol raft;
    private final AppendTracker tracker;
    private final ProducerTable producers;
    private final NodeMetrics metrics;
    private final LongSupplier clockMillis;
    private final EntrySink sink;
    private final ArrayDeque<Proposal> waitingForReadiness = new ArrayDeque<>();
    private final List<Proposal> batch = new ArrayList<>();
    private final List<Bytes> payloads = new ArrayList<>();
    private final List<EntryType> types = new ArrayList<>();

    Proposer(
            NodeConfig config,
            RaftProtocol raft,
            AppendTracker tracker,
            NodeMetrics metrics,
            LongSupplier clockMillis,
            EntrySink sink) {
        this.sink = sink;
        this.config = config;
        this.raft = raft;
        this.tracker = tracker;
        this.metrics = metrics;
        this.clockMillis = clockMillis;
        this.producers = new ProducerTable(config.producerIdleTimeout().toMillis(), 1_000_000);
    }

    /**
     * Whether this node leads and has applied an entry of its own term (its no-op): everything
     * before is applied, so it may decide from what it applied (producers, retention).
     */
    boolean leaderReady(long appliedIndex) {
        return raft.role() == Role.LEADER && appliedIndex > 0 && raft.termAt(appliedIndex) == raft.term();
    }

    /** Proposes what is queued as one batch; returns whether anything was taken from the queue. */
    boolean proposeQueued(Queue<Proposal> queue, long appliedIndex) {
        boolean leader = raft.role() == Role.LEADER;
        boolean ready = leaderReady(appliedIndex);
        int waiting = waitingForReadiness.size();
        boolean took = false;
        for (int i = 0; i < waiting; i++) {
            take(waitingForReadiness.poll(), leader, ready);
        }
        Proposal proposal;
        while (payloads.size() < config.maxBatchRecords() && (proposal = queue.poll()) != null) {
            take(proposal, leader, ready);
            took = true;
        }
        if (!batch.isEmpty()) {
            propose();
        }
        return took;
    }

    private void take(Proposal proposal, boolean leader, boolean ready) {
        if (!proposal.idempotent()) {
            batch.add(proposal);
            for (Bytes record : proposal.records()) {
                payloads.add(record);
                types.add(proposal.type());
            }
            return;
        }
        if (!leader) {
            proposal.outcome().failed(new NotLeaderException(config.id(), raft.leader()));
            return;
        }
        if (!ready) {
            waitingForReadiness.add(proposal);
            return;
        }
        int count = proposal.records().size();
        ProducerTable.Decision decision = producers.check(proposal.producerId(), proposal.firstSequence(), count);
        if (decision instanceof ProducerTable.Append) {
            producers.inFlight(proposal.producerId(), proposal.firstSequence(), count, proposal.offsets());
            batch.add(proposal);
            payloads.add(new ProducerTable.Header(
                            proposal.producerId(), proposal.firstSequence(), count, clockMillis.getAsLong())
                    .encode());
            types.add(EntryType.PRODUCER_BATCH);
            for (Bytes record : proposal.records()) {
                payloads.add(record);
                types.add(EntryType.DATA);
            }
        } else if (decision instanceof ProducerTable.Partial partial) {
            // Append what the log lacks, as a batch of its own, and answer with all the offsets.
            List<Bytes> rest = proposal.records().subList(partial.committedCount(), count);
            AppendOutcome.Offsets remainder = AppendOutcome.offsets(AppendOutcome.Latency.NONE, 0);
            remainder.whenComplete((offsets, error) -> {
                if (error != null) {
                    proposal.outcome().failed(error);
                } else {
                    proposal.outcome().committed(ProducerTable.concat(partial.committedOffsets(), offsets));
                }
            });
            take(
                    new Proposal(
                            List.copyOf(rest),
                            remainder,
                            true,
                            proposal.producerId(),
                            proposal.firstSequence() + partial.committedCount()),
                    true,
                    true);
        } else if (decision instanceof ProducerTable.AlreadyCommitted committed) {
            proposal.outcome().committed(committed.offsets());
        } else if (decision instanceof ProducerTable.InFlight inFlight) {
            inFlight.original().whenComplete((offsets, error) -> {
                if (error != null) {
                    proposal.outcome().failed(error);
                } else {
                    proposal.outcome().committed(offsets);
                }
            });
        } else if (decision instanceof ProducerTable.Reject reject) {
            proposal.outcome().failed(new OutOfOrderSequenceException(reject.reason()));
        } else if (decision instanceof ProducerTable.Unknown unknown) {
            proposal.outcome().failed(new UnknownSequenceException(unknown.reason()));
        }
    }

    private void propose() {
        try {
            long index = raft.propose(payloads, types);
            long term = raft.term();
            for (Proposal accepted : batch) {
                if (accepted.idempotent()) {
                    index++; // the header entry
                }
                tracker.accepted(index, accepted.records().size(), term, accepted.outcome());
                index += accepted.records().size();
            }
            metrics.batch(payloads.size());
        } catch (RaftException refused) {
            for (Proposal proposal : batch) {
                if (proposal.idempotent()) {
                    producers.abandon(proposal.producerId(), proposal.firstSequence());
                }
                proposal.outcome().failed(refused);
            }
        } finally {
            batch.clear();
            payloads.clear();
            types.clear();
        }
    }

    /**
     * Entries {@code from..to} are committed: learn the producer batches among them. A batch's
     * records follow its header in its leader's term; a committed entry of another term before the
     * batch's end means the rest of the batch was replaced, and only the records before it count.
     */
    void applied(long from, long to) {
        long next = from;
        while (next <= to) {
            int count = (int) Math.min(to - next + 1, 65_536);
            int[] visited = new int[1];
            long[] last = {next - 1};
            raft.forEachEntry(next, count, SCAN_BYTES, (LogEntry entry) -> {
                if (entry.index() <= to) {
                    applyEntry(entry);
                    last[0] = entry.index();
                }
                visited[0]++;
            });
            if (visited[0] == 0) {
                throw new IllegalStateException("committed entries from " + next + " are missing from the log");
            }
            next = last[0] + 1;
        }
    }

    /** The batch whose header is applied and whose records are being counted as they are applied. */
    private ProducerTable.Header openHeader;

    private long openHeaderIndex;
    private long openTerm;
    private int openCommitted;

    /** The last index {@link #applied} has applied; behind its range when a read failed partway. */
    long appliedThrough() {
        return appliedThrough;
    }

    private long appliedThrough;

    private void applyEntry(LogEntry entry) {
        appliedThrough = entry.index();
        applyToProducers(entry);
        sink.applied(entry);
    }

    private void applyToProducers(LogEntry entry) {
        if (openHeader != null) {
            if (entry.term() == openTerm && entry.type() == EntryType.DATA) {
                openCommitted++;
                if (openCommitted == openHeader.count()) {
                    closeOpenBatch();
                }
                return;
            }
            closeOpenBatch(); // the batch ended early: the rest of it is not in the log
        }
        if (entry.type() == EntryType.PRODUCER_BATCH) {
            openHeader = ProducerTable.Header.decode(entry.payload());
            openHeaderIndex = entry.index();
            openTerm = entry.term();
            openCommitted = 0;
        }
    }

    private void closeOpenBatch() {
        producers.applied(openHeader, openHeaderIndex, openCommitted);
        openHeader = null;
    }

    /**
     * Writes the de-duplication state as of the last entry applied, the batch being applied
     * included (a snapshot may fall inside one): what a snapshot keeps.
     */
    void writeState(java.io.DataOutputStream out) throws java.io.IOException {
        producers.writeTo(out);
        out.writeBoolean(openHeader != null);
        if (openHeader != null) {
            out.writeLong(openHeader.producerId());
            out.writeLong(openHeader.firstSequence());
            out.writeInt(openHeader.count());
            out.writeLong(openHeader.timestampMillis());
            out.writeLong(openHeaderIndex);
            out.writeLong(openTerm);
            out.writeInt(openCommitted);
        }
    }

    /** Replaces the de-duplication state with what {@link #writeState} wrote, applied up to {@code index}. */
    void readState(java.io.DataInputStream in, long index) throws java.io.IOException {
        producers.readFrom(in);
        if (in.readBoolean()) {
            openHeader = new ProducerTable.Header(in.readLong(), in.readLong(), in.readInt(), in.readLong());
            openHeaderIndex = in.readLong();
            openTerm = in.readLong();
            openCommitted = in.readInt();
        } else {
            openHeader = null;
        }
        appliedThrough = index;
    }

    /** For tests: the de-duplication state. */
    ProducerTable producers() {
        return producers;
    }

    void leadershipLost() {
        producers.leadershipLost();
        Proposal waiting;
        while ((waiting = waitingForReadiness.poll()) != null) {
            waiting.outcome().failed(new NotLeaderException(config.id(), raft.leader()));
        }
    }

    void failAll(RaftException error) {
        Proposal waiting;
        while ((waiting = waitingForReadiness.poll()) != null) {
            waiting.outcome().failed(error);
        }
    }
}
