package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.RaftException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.protocol.Ready;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's runtime without a thread of its own: the protocol, the proposer, the committed reads
 * and the append tracker, fed through thread-safe queues and advanced by {@link #runOnce()} on
 * whichever thread drives it. {@link RaftNode} drives it on a real event-loop thread with a real
 * clock and an I/O thread; a simulation drives many of them on one thread in virtual time, with a
 * {@link LogWriter} whose durability reports and deferred messages it orders itself.
 *
 * <p><b>Threads.</b> {@link #runOnce()} and {@link #close()} belong to the driving thread (one at a
 * time). {@link Hooks#onFatal} is called once, on the driving thread or the writer's: it must not
 * close the loop itself, only arrange for its driver to. Every {@link ReplicatedLog} method is thread-safe:
 * it queues its work, calls {@link Hooks#wakeup}, and returns a future; futures complete on the
 * driving thread (or the clock's timer thread, for timeouts).
 */
public final class NodeLoop implements ReplicatedLog {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    private static final long APPLY_CHUNK = 16_384;

    /** What the driver of a loop provides besides storage and transport. */
    public record Hooks(
            NodeClock clock,
            Runnable wakeup,
            Consumer<RaftException> onFatal,
            java.util.concurrent.Executor background) {
        public Hooks {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(wakeup, "wakeup");
            Objects.requireNonNull(onFatal, "onFatal");
            Objects.requireNonNull(background, "background");
        }

        /** Hooks that run background work (writing snapshots) at once, on the caller's thread. */
        public Hooks(NodeClock clock, Runnable wakeup, Consumer<RaftException> onFatal) {
            this(clock, wakeup, onFatal, Runnable::run);
        }
    }

    /** The metadata record holding the highest index known applied, saved now and then and at close. */
    static final String COMMIT_METADATA = "raftlog.commit";
    /** How often, in ticks, the applied index is saved when it moved (and at close). */
    private static final int COMMIT_SAVE_TICKS = 10;
    /** How often, in ticks, a leader checks whether retention should move the log start. */
    private static final int RETENTION_TICKS = 100;

    private final NodeConfig config;
    private final LogStore store;
    private final Transport transport;
    private final NodeMetrics metrics;
    private final Hooks hooks;
    private final NodeClock clock;
    private final RaftProtocol raft;
    private final LogWriter writer;
    private final CommittedReads reads;
    private final LinearizableReads linearizableReads;
    private MembershipChanges membershipChanges;
    private final AppendTracker tracker;
    private final Proposer proposer;
    private final io.raftlog.api.spi.storage.SnapshotStore snapshotStore;
    private final io.raftlog.api.StateMachine application;
    private final LogRetention retention;
    private final Snapshots snapshots;
    private final Snapshots.SnapshotMetrics snapshotMetrics = new Snapshots.SnapshotMetrics();
    private final Snapshots.Restorer restorer = this::restoredTo;
    /** Set at {@link #start()}: the store's identity, checked and raised before anything is sent. */
    private volatile IdentityGate identity;

    private final SplittableRandom identityRandom;
    private final long tickNanos;
    /** The largest record whose AppendEntries, alone, fits the transport's largest message. */
    private final long maxRecordBytes;
    /** {@code appendTimeout} in nanoseconds, saturated (a timeout of centuries means none). */
    private final long appendTimeoutNanos;
    /** The append timeout of every outstanding append, on one timer. */
    private final AppendTimeouts appendTimeouts;

    private final ConcurrentLinkedQueue<RaftMessage> inbox = new ConcurrentLinkedQueue<>();
    /**
     * Payload bytes of the data appends queued for the loop and not yet taken: at most
     * {@code maxUncommittedBytes}, checked as an append arrives, so a caller faster than the loop
     * (or a loop stalled in the application) cannot grow the queue without bound. Once taken, the
     * protocol bounds the uncommitted bytes.
     */
    private final AtomicLong queuedAppendBytes = new AtomicLong();

    private final ConcurrentLinkedQueue<Proposer.Proposal> proposals = new ConcurrentLinkedQueue<>() {
        @Override
        public Proposer.Proposal poll() {
            Proposer.Proposal proposal = super.poll();
            if (proposal != null) {
                queuedAppendBytes.addAndGet(-proposal.queuedBytes());
            }
            return proposal;
        }

        @Override
        public boolean remove(Object proposal) {
            boolean removed = super.remove(proposal);
            if (removed) {
                queuedAppendBytes.addAndGet(-((Proposer.Proposal) proposal).queuedBytes());
            }
            return removed;
        }
    };

    private final ConcurrentLinkedQueue<long[]> durable = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    private volatile boolean started;
    private volatile boolean closed;
    private boolean shutDown;
    private volatile NodeStatus status;
    /** The error of the last failed write while writes fail; null while they succeed. */
    private volatile RuntimeException storageProblem;

    /** The first fatal error; set once, by whichever thread hits it first (loop or writer). */
    private final java.util.concurrent.atomic.AtomicReference<RaftException> failure =
            new java.util.concurrent.atomic.AtomicReference<>();

    // Confined to the driving thread.
    private long nextTickNanos;
    private long appliedIndex;
    private Role lastRole = Role.FOLLOWER;
    private long lastTerm = -1;
    /** The highest index the protocol reported committed and durable; applied up to it in chunks. */
    private long commitTarget;
    /** The applied index last queued to be saved ({@link #COMMIT_METADATA}). */
    private long savedCommit;

    private int commitSaveTicks;
    private int retentionTicks;
    /** The log start offset the snapshots last compacted for. */
    private long compactedForStart = 1;
    /** A LOG_START entry this leader proposed and has not seen applied yet, or 0. */
    private long retentionProposedAt;

    /** The applied index a node saved before it stopped (0 if none). */
    private static long savedCommit(LogStore store) {
        return store.metadata(COMMIT_METADATA)
                .map(bytes -> bytes.asReadOnlyBuffer().getLong())
                .orElse(0L);
    }

    /** Every committed entry, as it is applied: retention's view, and the application's records. */
    private void entryApplied(LogEntry entry) {
        retention.applied(entry, clock.currentTimeMillis());
        if (entry.type() == io.raftlog.api.message.EntryType.DATA) {
            application.apply(new CommittedRecord(entry.index(), entry.payload()));
        } else if (entry.type() == io.raftlog.api.message.EntryType.LOG_START && entry.index() >= retentionProposedAt) {
            retentionProposedAt = 0;
        }
    }

    /** The state was restored from a snapshot ending at {@code index} (at start, or installed). */
    private void restoredTo(long index) {
        appliedIndex = index;
        commitTarget = Math.max(commitTarget, index);
        compactedForStart = retention.logStart();
        if (snapshots != null) {
            publishStatus(); // before readers see the new applied index: the status names its snapshot
        }
        reads.applied(index);
        if (linearizableReads != null) {
            linearizableReads.applied(index);
        }
    }

    /** The term of the entry at {@code index}, or -1 if this log no longer holds it. */
    private long termOrMinusOne(long index) {
        if (index < raft.firstIndex() - 1 || index > raft.lastIndex()) {
            return -1;
        }
        return raft.termAt(index);
    }

    /**
     * A loop that is not started yet. The store must be open; the loop owns it and the transport
     * from now on and closes them in {@link #close()}.
     *
     * @param seed   election jitter (a simulation passes one derived from its own seed)
     * @param writer makes this loop's Readys durable, reporting to the listener it is given
     */
    public NodeLoop(
            NodeConfig config,
            LogStore store,
            Transport transport,
            NodeMetrics metrics,
            long seed,
            Hooks hooks,
            Function<LogWriter.Listener, LogWriter> writer) {
        this(
                config,
                store,
                new io.raftlog.core.storage.InMemorySnapshotStore(),
                io.raftlog.api.StateMachine.NONE,
                transport,
                metrics,
                seed,
                hooks,
                writer);
    }

    /**
     * A loop with its snapshots in {@code snapshotStore} and the application's state in
     * {@code application}. The latest intact snapshot is restored now: the loop starts applied up
     * to it, and knows committed at least what it saved as applied before it stopped.
     *
     * @throws io.raftlog.api.StorageException if the log was compacted and no snapshot covers it
     */
    public NodeLoop(
            NodeConfig config,
            LogStore store,
            io.raftlog.api.spi.storage.SnapshotStore snapshotStore,
            io.raftlog.api.StateMachine application,
            Transport transport,
            NodeMetrics metrics,
            long seed,
            Hooks hooks,
            Function<LogWriter.Listener, LogWriter> writer) {
        this.snapshotStore = Objects.requireNonNull(snapshotStore, "snapshotStore");
        this.application = Objects.requireNonNull(application, "application");
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.clock = hooks.clock();
        SplittableRandom random = new SplittableRandom(seed);
        this.identityRandom = random.split();
        io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo startSnapshot =
                Snapshots.pickAtStart(snapshotStore, store);
        long committed = Math.min(
                store.lastIndex(), Math.max(startSnapshot == null ? 0 : startSnapshot.index(), savedCommit(store)));
        // The flags' members only bootstrap: a restored snapshot's membership replaces them below,
        // and the configuration entries in the store after it take effect.
        this.bootstrap = BootstrapMembers.resolve(config, store);
        this.raft = new RaftProtocol(
                config.id(),
                io.raftlog.api.Membership.ofVoters(bootstrap.voters()),
                0,
                config.protocol(),
                store,
                random,
                committed);
        this.retention = new LogRetention(config.log());
        this.reads = new CommittedReads(store, clock, retention::logStart);
        this.tracker = new AppendTracker(metrics, clock);
        this.proposer = new Proposer(config, raft, tracker, metrics, clock::currentTimeMillis, this::entryApplied);
        this.writer = writer.apply(new LogWriter.Listener() {
            @Override
            public void durable(long index, long term, long logEpoch) {
                NodeLoop.this.durable.add(new long[] {index, term, logEpoch});
                hooks.wakeup().run();
            }

            @Override
            public void writeFailing(RuntimeException error) {
                storageFailing(error);
            }

            @Override
            public void writeRecovered() {
                storageRecovered();
            }

            @Override
            public void failed(RuntimeException error) {
                fail(error);
            }
        });
        this.snapshots = new Snapshots(
                config,
                snapshotStore,
                application,
                transport,
                this.writer,
                raft,
                proposer,
                retention,
                clock,
                hooks.background(),
                task -> {
                    tasks.add(task);
                    hooks.wakeup().run();
                },
                snapshotMetrics);
        if (startSnapshot != null) {
            snapshots.restore(startSnapshot, restorer, false);
        }
        warnIfTheFlagsDisagree();
        this.publishedMembership = raft.membership();
        this.commitTarget = committed;
        this.savedCommit = committed;
        this.tickNanos = config.tickInterval().toNanos();
        this.status = raft.status();
        publishStatus();
        this.maxRecordBytes = checkMessageLimits(config, transport.maxMessageBytes());
        long nanos;
        try {
            nanos = config.appendTimeout().toNanos();
        } catch (ArithmeticException beyondNanos) {
            nanos = Long.MAX_VALUE;
        }
        this.appendTimeoutNanos = nanos;
        this.appendTimeouts = new AppendTimeouts(
                clock,
                nanos,
                () -> new IndeterminateResultException(
                        "the append was not committed in time; it may still commit",
                        new TimeoutException("append timeout " + config.appendTimeout())));
        this.linearizableReads = new LinearizableReads(config.id(), nanos);
        this.membershipChanges = new MembershipChanges(nanos);
    }

    /** A node started with members that are not the ones its log says: the log's are used. */
    private void warnIfTheFlagsDisagree() {
        io.raftlog.api.Membership membership = raft.membership();
        java.util.Set<NodeId> flags = new java.util.TreeSet<>(config.members());
        if (raft.membershipIndex() == 0 || config.startMode() == NodeConfig.StartMode.JOIN) {
            return; // the bootstrap membership, or a joining node's guess: nothing to disagree with
        }
        if (!flags.equals(membership.voters().keySet())) {
            LOG.warn(
                    "node {} was started with the members {}, but its log's membership (entry {}) is {}: the log's is"
                            + " used (the flags only bootstrap a new cluster; change members with raftlog admin)",
                    config.id(),
                    flags,
                    raft.membershipIndex(),
                    membership);
        }
        if (!membership.contains(config.id())) {
            LOG.warn(
                    "node {} is not a member of its log's membership {} (entry {}): it was removed; it will not"
                            + " campaign, and the cluster no longer replicates to it",
                    config.id(),
                    membership,
                    raft.membershipIndex());
        }
    }

    /**
     * An id of {@link NodeId#MAX_LENGTH} characters, the longest allowed, for sizing messages between
     * members. Not the longest of the start's members: a joining node's list omits its own id, and
     * members added later may have longer ids than any at the start; a record sized for those could
     * be accepted and then never fit an AppendEntries to (or from) a longer-named member.
     */
    static final NodeId LONGEST_ID = NodeId.of("x".repeat(NodeId.MAX_LENGTH));

    /**
     * The largest record a leader could replicate, and a check that a full batch of
     * {@code maxAppendBytes} fits one message: otherwise a leader would send what the transport
     * drops, forever (the cluster would stall with heartbeats still flowing). Both count the
     * AppendEntries between two ids of the longest length allowed ({@link #LONGEST_ID}), so they
     * hold whatever members join later; at most 2 × 63 bytes are lost to shorter ids.
     */
    private static long checkMessageLimits(NodeConfig config, int maxMessageBytes) {
        long framing =
                MessageCodec.encodedSize(new AppendEntriesRequest(LONGEST_ID, LONGEST_ID, 1, 0, 0, List.of(), 0));
        long entryFraming = MessageCodec.encodedSize(new AppendEntriesRequest(
                        LONGEST_ID, LONGEST_ID, 1, 0, 0, List.of(LogEntry.data(1, 1, Bytes.EMPTY)), 0))
                - framing;
        long maxAppendBytes = config.protocol().maxAppendBytes();
        if (framing + maxAppendBytes > maxMessageBytes) {
            throw new IllegalArgumentException("maxAppendBytes " + maxAppendBytes + " plus " + framing
                    + " bytes of AppendEntries framing exceeds the largest message the transport carries ("
                    + maxMessageBytes + " bytes): lower maxAppendBytes or raise the transport's frame size");
        }
        long maxRecordBytes = maxMessageBytes - framing - entryFraming;
        if (maxRecordBytes < MIN_RECORD_BYTES) {
            throw new IllegalArgumentException("the transport's largest message (" + maxMessageBytes
                    + " bytes) leaves room for records of only " + maxRecordBytes + " bytes; a node needs at least "
                    + MIN_RECORD_BYTES + " (an idempotent batch's header entry)");
        }
        return maxRecordBytes;
    }

    /** Room for an idempotent batch's header entry, and some: smaller and nothing can commit. */
    private static final long MIN_RECORD_BYTES = 64;

    /** The largest record this node accepts: one larger could never reach a follower. */
    public long maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Starts the writer and the transport; the driver then calls {@link #runOnce()}. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("node " + config.id() + " is already started or closed");
        }
        // Checked and saved before anything is sent: a refused store throws, and the node never starts.
        try {
            identity = IdentityGate.open(
                    config, store, raft, transport::send, writer, this::fail, identityRandom, bootstrap);
        } catch (RuntimeException refused) {
            closed = true;
            shutDown = true;
            transport.close();
            store.close(); // release the data directory: this node never ran
            snapshotStore.close();
            throw refused;
        }
        started = true;
        applyCommittedTail();
        nextTickNanos = clock.nanoTime() + tickNanos;
        writer.start();
        transport.start(config.id(), (io.raftlog.core.transport.QueueingMessageHandler) message -> {
            inbox.add(message);
            hooks.wakeup().run();
        });
        tasks.add(identity::askPeers);
        hooks.wakeup().run();
    }

    /**
     * Applies what is known committed beyond the restored snapshot before the node takes part, so
     * that from its start it reports (and serves reads up to) at least the commit offset it had
     * when it stopped. At most a snapshot interval of entries.
     */
    private void applyCommittedTail() {
        long before = appliedIndex;
        long started = clock.nanoTime();
        try {
            while (appliedIndex < commitTarget && repairs.isEmpty()) {
                long at = appliedIndex;
                applySome();
                if (appliedIndex == at) {
                    break;
                }
            }
        } catch (io.raftlog.api.CorruptLogException corrupt) {
            // Applied up to the entry before it; the loop meets it again and repairs it from a peer.
            LOG.warn("node {}: {}; it is repaired once the node runs", config.id(), corrupt.getMessage());
        }
        if (appliedIndex > before) {
            LOG.info(
                    "node {}: applied entries {} to {} after its snapshot in {} ms",
                    config.id(),
                    before + 1,
                    appliedIndex,
                    (clock.nanoTime() - started) / 1_000_000);
        }
    }

    public NodeId id() {
        return config.id();
    }

    // ------------------------------------------------------------------ ReplicatedLog

    @Override
    public CompletableFuture<Long> append(Bytes record) {
        return enqueue(
                List.of(record), false, 0, 0, EntryType.DATA, AppendOutcome.one(appendLatency, clock.nanoTime()));
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Bytes> records) {
        return enqueue(records, false, 0, 0, EntryType.DATA, AppendOutcome.offsets(appendLatency, clock.nanoTime()));
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(long producerId, long firstSequence, List<Bytes> records) {
        if (firstSequence < 0) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("firstSequence must be >= 0, was " + firstSequence));
        }
        AppendOutcome.Offsets outcome = AppendOutcome.offsets(appendLatency, clock.nanoTime());
        CompletableFuture<List<Long>> queued =
                enqueue(records, true, producerId, firstSequence, EntryType.DATA, outcome);
        if (queued != outcome) {
            return queued; // answered at once
        }
        // The timeout applies to the caller's copy: the outcome keeps waiting for the real one,
        // which a retry of the same batch (the producer table hands it the outcome) may attach to.
        AppendOutcome.Offsets answer = AppendOutcome.offsets(AppendOutcome.Latency.NONE, outcome.submittedNanos());
        outcome.whenComplete((offsets, error) -> {
            if (error != null) {
                answer.completeExceptionally(error);
            } else {
                answer.complete(offsets);
            }
        });
        appendTimeouts.watch(answer);
        return answer;
    }

    /** Records each append's latency; a metrics plugin that throws does not reach the loop or the caller. */
    private final AppendOutcome.Latency appendLatency = this::recordAppendLatency;

    private void recordAppendLatency(long submittedNanos) {
        try {
            metrics.appendLatency(clock.nanoTime() - submittedNanos);
        } catch (RuntimeException broken) {
            LOG.debug("the metrics plugin failed to record an append's latency", broken);
        }
    }

    /**
     * Queues a proposal whose outcome goes to {@code outcome}, and returns it; or returns a future
     * already answered (an empty append, a refusal). Only the idempotent caller watches its own
     * timeout (on a copy); every other outcome is watched here.
     */
    private <T> CompletableFuture<T> enqueue(
            List<Bytes> records,
            boolean idempotent,
            long producerId,
            long firstSequence,
            EntryType type,
            AppendOutcome<T> outcome) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(outcome.value(List.of()));
        }
        for (Bytes record : records) {
            if (record.size() > maxRecordBytes) {
                // Definite: refused before it reaches the log. Appended, it would stall the cluster.
                return CompletableFuture.failedFuture(new IllegalArgumentException("a record of " + record.size()
                        + " bytes is larger than the largest this node can replicate, " + maxRecordBytes
                        + " bytes (the transport's largest message less framing)"));
            }
        }
        if (closed || failure.get() != null) {
            return CompletableFuture.failedFuture(closedError());
        }
        Proposer.Proposal proposal =
                new Proposer.Proposal(List.copyOf(records), outcome, idempotent, producerId, firstSequence, type);
        if (!reserveQueuedBytes(proposal.queuedBytes())) {
            return CompletableFuture.failedFuture(new OverloadedException("node " + config.id() + " has "
                    + queuedAppendBytes.get() + " bytes of appends queued, its loop has not taken them yet;"
                    + " maxUncommittedBytes is " + config.protocol().maxUncommittedBytes() + ": retry later"));
        }
        proposals.add(proposal);
        if (closed && proposals.remove(proposal)) {
            // close() drained the queue just before we added to it.
            outcome.failed(closedError());
        }
        hooks.wakeup().run();
        if (!idempotent) {
            appendTimeouts.watch(outcome);
        }
        return outcome;
    }

    /** Takes {@code bytes} of the queue's bound; one batch may exceed it when the queue holds none. */
    private boolean reserveQueuedBytes(long bytes) {
        long limit = config.protocol().maxUncommittedBytes();
        while (true) {
            long held = queuedAppendBytes.get();
            if (held > 0 && held + bytes > limit) {
                return false;
            }
            if (queuedAppendBytes.compareAndSet(held, held + bytes)) {
                return true;
            }
        }
    }

    @Override
    public long commitOffset() {
        return reads.appliedIndex();
    }

    @Override
    public long logStartOffset() {
        return retention.logStart();
    }

    @Override
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        long highWatermark = commitOffset();
        if (offset < 1 || offset > highWatermark + 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("deleteRecordsBefore(" + offset
                    + "): the offset must be from 1 to the high watermark + 1 (" + (highWatermark + 1) + ")"));
        }
        if (offset <= retention.logStart()) {
            return CompletableFuture.completedFuture(retention.logStart());
        }
        return enqueue(
                        List.of(LogRetention.encode(offset)),
                        false,
                        0,
                        0,
                        EntryType.LOG_START,
                        AppendOutcome.one(appendLatency, clock.nanoTime()))
                .thenApply(applied -> retention.logStart());
    }

    @Override
    public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        CompletableFuture<List<CommittedRecord>> result = reads.read(fromOffset, maxRecords, maxWait);
        result.whenComplete((records, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            if (cause instanceof io.raftlog.api.CorruptLogException corrupt) {
                // The read fails with the typed error; the entry is repaired for the next one.
                tasks.add(() -> {
                    if (!startRepair(corrupt)) {
                        LOG.warn("node {}: a read met {}; it cannot be repaired", config.id(), corrupt.getMessage());
                    }
                });
                hooks.wakeup().run();
            }
        });
        return result;
    }

    @Override
    public LogReader reader(long fromOffset) {
        return new NodeLogReader(this, fromOffset);
    }

    /**
     * What the protocol last published, with the node's health: {@link NodeStatus.Health#FAILED}
     * and the cause after a fatal error, {@link NodeStatus.Health#CLOSED} once closed, and
     * {@link NodeStatus.Health#STORAGE_FAILING} with the store's error while writes fail.
     */
    @Override
    public NodeStatus status() {
        NodeStatus current = status;
        RaftException fatal = failure.get();
        if (fatal != null) {
            return current.withHealth(NodeStatus.Health.FAILED, fatal.getMessage());
        }
        if (closed) {
            return current.withHealth(NodeStatus.Health.CLOSED, null);
        }
        RuntimeException storage = storageProblem;
        if (storage != null) {
            return current.withHealth(NodeStatus.Health.STORAGE_FAILING, storage.getMessage());
        }
        long underRepair = repairing;
        if (underRepair > 0) {
            return current.withHealth(
                    NodeStatus.Health.REPAIRING,
                    "entry " + underRepair + " failed its integrity check; fetching an intact copy from a peer");
        }
        IdentityGate gate = identity;
        if (gate != null && gate.rejoining()) {
            return current.withHealth(
                    NodeStatus.Health.REJOINING,
                    "started on a blank store after losing its data; catching up, not voting yet");
        }
        return current;
    }

    /** On the writer's thread: a write failed and will be retried. */
    private void storageFailing(RuntimeException error) {
        boolean first = storageProblem == null;
        storageProblem = error;
        if (first) {
            LOG.warn(
                    "node {}: storage writes fail; not acknowledging, voting or leading until they succeed"
                            + " (retrying with back-off): {}",
                    config.id(),
                    error.getMessage());
            tasks.add(() -> raft.storageFailing(true));
            metrics.status(status());
            hooks.wakeup().run();
        }
    }

    /** On the writer's thread: writes succeed again. */
    private void storageRecovered() {
        storageProblem = null;
        LOG.info("node {}: storage writes succeed again; back to work", config.id());
        tasks.add(() -> raft.storageFailing(false));
        hooks.wakeup().run();
    }

    /**
     * Asks this node, if it leads, to hand leadership to {@code target}; completes once the
     * request is taken (not when the transfer is done — watch {@link #status()}).
     */
    /**
     * A linearizable read index (Raft thesis §6.4): completes, once this node has applied that far,
     * with an index at or above every write acknowledged (by any node) before this call, so reads
     * of this node's committed records up to it see all of them. Nothing is written to the log: a
     * leader confirms with a quorum that it still leads, a follower asks its leader. Fails with
     * {@link io.raftlog.api.NotLeaderException} when no leader confirms before the append timeout
     * (nothing changed; retry).
     */
    @Override
    public CompletableFuture<Long> readIndex() {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(closedError());
            return done;
        }
        Runnable task = () -> {
            if (closed) {
                done.completeExceptionally(closedError());
                return;
            }
            raft.readIndex(linearizableReads.register(done, clock.nanoTime()));
        };
        tasks.add(task);
        if (closed && tasks.remove(task)) {
            done.completeExceptionally(closedError());
        }
        hooks.wakeup().run();
        return done;
    }

    @Override
    public io.raftlog.api.Membership membership() {
        return publishedMembership;
    }

    /** The membership, published by the loop for other threads. */
    private volatile io.raftlog.api.Membership publishedMembership;

    @Override
    public CompletableFuture<io.raftlog.api.Membership> addLearner(NodeId node, String address) {
        java.util.Objects.requireNonNull(address, "address");
        return changeMembership(
                current -> current.isLearner(node) && current.addressOf(node).equals(address),
                current -> current.withLearner(node, address));
    }

    @Override
    public CompletableFuture<io.raftlog.api.Membership> promote(NodeId node) {
        return changeMembership(current -> current.isVoter(node), current -> current.promote(node));
    }

    @Override
    public CompletableFuture<io.raftlog.api.Membership> removeMember(NodeId node) {
        return changeMembership(current -> !current.contains(node), current -> current.without(node));
    }

    /**
     * Proposes {@code change} of the membership; idempotent: when {@code done} already holds (a
     * retry of a change that took effect), completes once the membership in effect is committed.
     */
    private CompletableFuture<io.raftlog.api.Membership> changeMembership(
            java.util.function.Predicate<io.raftlog.api.Membership> done,
            java.util.function.UnaryOperator<io.raftlog.api.Membership> change) {
        CompletableFuture<io.raftlog.api.Membership> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedError());
            return result;
        }
        long deadline = clock.nanoTime() + appendTimeoutNanos;
        Runnable[] task = new Runnable[1];
        task[0] = () -> {
            if (closed) {
                result.completeExceptionally(closedError());
                return;
            }
            try {
                if (raft.role() != Role.LEADER) {
                    throw new io.raftlog.api.NotLeaderException(config.id(), raft.leader());
                }
                if (done.test(raft.membership())) {
                    long index = raft.membershipIndex();
                    if (index <= appliedIndex) {
                        result.complete(raft.membership());
                    } else {
                        membershipChanges.proposed(index, raft.termAt(index), result, clock.nanoTime());
                    }
                    return;
                }
                io.raftlog.api.Membership next;
                try {
                    next = change.apply(raft.membership());
                } catch (IllegalArgumentException refused) {
                    throw new io.raftlog.api.MembershipChangeException(refused.getMessage());
                }
                long index = raft.proposeMembership(next);
                membershipChanges.proposed(index, raft.term(), result, clock.nanoTime());
                LOG.info("node {}: proposed the membership {} at index {}", config.id(), next, index);
            } catch (io.raftlog.api.MembershipChangeException refused) {
                if (refused.retryable() && clock.nanoTime() - deadline < 0) {
                    deferredChanges.add(task[0]); // a new leader's first commit, or the previous change: soon
                } else {
                    result.completeExceptionally(refused);
                }
            } catch (io.raftlog.api.CorruptLogException corrupt) {
                // A damaged entry met on the way: the loop repairs it (the node stops leading
                // meanwhile) and the change is tried again at the next tick — it then fails as any
                // change on a node that does not lead, or completes if it took effect. Before, the
                // caller got the corruption and nothing repaired it (whole-node simulator, seed 8440).
                deferredChanges.add(task[0]);
                throw corrupt;
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        tasks.add(task[0]);
        if (closed && tasks.remove(task[0])) {
            result.completeExceptionally(closedError());
        }
        hooks.wakeup().run();
        return result;
    }

    /** Membership changes to try again at the next tick (refused for a moment only). */
    private final List<Runnable> deferredChanges = new java.util.ArrayList<>();

    /** Completes when this node stops leading, if it {@link #handOffLeadership() hands off}. */
    private CompletableFuture<Boolean> handOff;

    /**
     * Before a graceful stop: if this node leads, hands leadership to its most up-to-date
     * follower. The future completes with {@code true} once this node no longer leads, with
     * {@code false} at once when it does not lead or has no follower to hand to; the caller
     * bounds the wait (a transfer not done within an election timeout is abandoned).
     */
    CompletableFuture<Boolean> handOffLeadership() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Runnable task = () -> {
            java.util.Optional<NodeId> target = raft.handOffLeadership();
            if (target.isEmpty()) {
                done.complete(false);
            } else {
                LOG.info("node {} stops: handing leadership to {}", config.id(), target.get());
                handOff = done;
            }
        };
        tasks.add(task);
        hooks.wakeup().run();
        return done;
    }

    @Override
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(closedError());
            return done;
        }
        Runnable task = () -> {
            if (closed) {
                done.completeExceptionally(closedError());
                return;
            }
            try {
                raft.transferLeadership(target);
                done.complete(null);
            } catch (io.raftlog.api.CorruptLogException corrupt) {
                done.completeExceptionally(corrupt);
                throw corrupt; // the loop repairs it
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        tasks.add(task);
        if (closed && tasks.remove(task)) {
            // close() drained the tasks just before we added ours: nobody else will run it.
            done.completeExceptionally(closedError());
        }
        hooks.wakeup().run();
        return done;
    }

    // ------------------------------------------------------------------ one step

    /**
     * One iteration on the driving thread: a tick if one is due, then every queued durability
     * report, message, task and proposal, then the protocol's output (sent, handed to the writer,
     * applied in chunks).
     *
     * @return whether it did anything; if not, the driver may wait until {@link #nextTickNanos()}
     *     or a wakeup
     */
    public boolean runOnce() {
        if (closed || failure.get() != null) {
            return false; // better down than wrong: nothing more after a fatal error
        }
        try {
            long now = clock.nanoTime();
            boolean worked = false;
            if (now >= nextTickNanos) {
                raft.tick();
                notePeersPromises();
                identity.tick();
                repairTick();
                snapshots.tick();
                lifecycleTick();
                linearizableReads.tick(now);
                membershipChanges.tick(now);
                if (!deferredChanges.isEmpty()) {
                    List<Runnable> again = List.copyOf(deferredChanges);
                    deferredChanges.clear();
                    for (int i = 0; i < again.size(); i++) {
                        try {
                            again.get(i).run();
                        } catch (RuntimeException e) {
                            // A damaged entry met (the loop repairs it): the rest wait for the next tick.
                            deferredChanges.addAll(again.subList(i + 1, again.size()));
                            throw e;
                        }
                    }
                }
                nextTickNanos += tickNanos;
                if (nextTickNanos < now) {
                    nextTickNanos = now + tickNanos; // the loop fell behind; don't replay missed ticks
                }
                publishStatus();
                worked = true;
            }
            worked |= processInputs();
            drive();
            return worked || (commitTarget > appliedIndex && repairs.isEmpty()); // more to apply: go again
        } catch (io.raftlog.api.CorruptLogException corrupt) {
            if (!startRepair(corrupt)) {
                fail(corrupt);
            }
            return true;
        } catch (RuntimeException | Error e) {
            fail(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
            return false;
        }
    }

    /**
     * A leader tells the identity gate how far each follower's durable log reaches into the
     * committed prefix: a later start of that follower on a copy holding less is refused.
     */
    private void notePeersPromises() {
        if (raft.role() != Role.LEADER) {
            return;
        }
        long committed = raft.commitIndex();
        raft.status().matchIndex().forEach((peer, match) -> {
            if (!peer.equals(config.id())) {
                identity.held(peer, Math.min(match, committed));
            }
        });
    }

    /** When the next tick is due, on {@link NodeClock#nanoTime()}'s scale. */
    public long nextTickNanos() {
        return nextTickNanos;
    }

    private boolean processInputs() {
        boolean worked = false;
        long[] report;
        while ((report = durable.poll()) != null) {
            raft.persisted(report[0], report[1], report[2]);
            worked = true;
        }
        RaftMessage message;
        while ((message = inbox.poll()) != null) {
            if (message instanceof io.raftlog.api.message.RepairRequest request) {
                answerRepair(request);
            } else if (message instanceof io.raftlog.api.message.RepairResponse response) {
                repairAnswered(response);
            } else if (message instanceof io.raftlog.api.message.InstallSnapshotRequest chunk) {
                if (identity.mayAcknowledge()) { // the protocol takes chunks only from its leader
                    raft.step(chunk);
                    if (raft.wantsSnapshot(chunk)) {
                        snapshots.chunk(chunk, restorer);
                    }
                } else {
                    identity.leaderHeard(chunk.from());
                }
            } else if (message instanceof io.raftlog.api.message.InstallSnapshotResponse answer) {
                if (raft.membership().contains(answer.from())) {
                    raft.step(answer);
                    snapshots.answered(answer);
                }
            } else if (!identity.handle(message)
                    && (identity.mayAcknowledge() || !(message instanceof AppendEntriesRequest))) {
                if (message instanceof io.raftlog.api.message.VoteResponse vote && vote.granted() && !vote.preVote()) {
                    identity.voteGranted(vote.from(), vote.term());
                }
                raft.step(message); // until then AppendEntries are dropped: no acknowledgement yet
            } else if (message instanceof AppendEntriesRequest) {
                identity.leaderHeard(message.from());
            }
            worked = true;
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            worked = true;
        }
        return proposer.proposeQueued(proposals, appliedIndex) || worked;
    }

    /** The voters the cluster was bootstrapped with, as saved, or the flags' guess. */
    private final BootstrapMembers.Resolved bootstrap;

    /** The membership last logged and published. */
    private io.raftlog.api.Membership announcedMembership;

    /** The members last told to the transport: see {@link #reachedMembers}. */
    private io.raftlog.api.Membership reachedMembers;

    private void announceMembership() {
        io.raftlog.api.Membership membership = raft.membership();
        if (!membership.equals(announcedMembership)) {
            if (announcedMembership != null) {
                LOG.info(
                        "node {}: the membership is now {} (entry {})",
                        config.id(),
                        membership,
                        raft.membershipIndex());
            }
            announcedMembership = membership;
            publishedMembership = membership;
        }
        io.raftlog.api.Membership reached = reachedMembers(membership);
        if (!reached.equals(reachedMembers)) {
            reachedMembers = reached;
            transport.membershipChanged(reached);
        }
    }

    /**
     * Whom the transport must reach: {@code membership}, and, until the change that removed them
     * commits, the members of the committed membership it removed (as learners, at their
     * addresses). A leader replicates to those until then, so that a removed node learns of its
     * removal and stops campaigning; a transport that dropped its link to them at once would keep
     * the entry from them (found by {@code NettyMembershipTest}).
     */
    private io.raftlog.api.Membership reachedMembers(io.raftlog.api.Membership membership) {
        if (raft.membershipIndex() <= raft.commitIndex()) {
            return membership;
        }
        io.raftlog.api.Membership committed;
        try {
            committed = raft.membershipAt(raft.commitIndex());
        } catch (IllegalArgumentException unknown) {
            return membership; // below what the log still knows: nothing to keep in reach
        }
        io.raftlog.api.Membership reached = membership;
        for (java.util.Map.Entry<NodeId, String> member : committed.members().entrySet()) {
            if (!reached.contains(member.getKey())) {
                reached = reached.withLearner(member.getKey(), member.getValue());
            }
        }
        return reached;
    }

    private void drive() {
        announceMembership();
        while (raft.hasReady()) {
            Ready ready = raft.ready();
            if (!ready.messages().isEmpty()) {
                transport.send(ready.messages());
            }
            if (ready.mustPersist() || !ready.messagesAfterPersist().isEmpty()) {
                writer.submit(ready);
            }
            commitTarget = Math.max(commitTarget, ready.commitIndex());
            for (Ready.SnapshotToSend snapshot : ready.snapshotsToSend()) {
                snapshots.send(snapshot);
            }
            for (Ready.ReadState read : ready.readStates()) {
                linearizableReads.answered(read, appliedIndex);
            }
        }
        applySome();
        Role role = raft.role();
        if (role != lastRole || raft.term() != lastTerm) {
            logRoleChange(role, raft.term());
            if (lastRole == Role.LEADER) {
                proposer.leadershipLost(); // what it had in flight now resolves through the log only
                retentionProposedAt = 0;
                if (handOff != null) {
                    handOff.complete(true);
                    handOff = null;
                }
            }
            if (role == Role.LEADER) {
                metrics.becameLeader();
            } else if (role == Role.PRE_CANDIDATE || (role == Role.CANDIDATE && lastRole != Role.PRE_CANDIDATE)) {
                metrics.electionStarted();
            }
            lastRole = role;
            lastTerm = raft.term();
            publishStatus();
        }
    }

    /** Leadership changes are rare and what an operator looks for first; the rest is debug detail. */
    private void logRoleChange(Role role, long term) {
        if (role == Role.LEADER) {
            LOG.info("node {} became leader in term {}", config.id(), term);
        } else if (lastRole == Role.LEADER) {
            String reason = raft.stepDownReason();
            if (reason.startsWith("CheckQuorum")) {
                // Unexpected in a healthy cluster: the leader heard from no majority for a whole timeout.
                LOG.warn("node {} is no longer leader: {} in term {}: {}", config.id(), role, term, reason);
            } else {
                LOG.info(
                        "node {} is no longer leader: {} in term {}{}",
                        config.id(),
                        role,
                        term,
                        reason.isEmpty() ? "" : ": " + reason);
            }
        } else {
            LOG.debug("node {} is {} in term {}", config.id(), role, term);
        }
    }

    /**
     * Applies committed entries, at most {@link #APPLY_CHUNK} per iteration, so that catching up on
     * a long log (after a restart, every entry is applied again) never holds up heartbeats.
     */
    private void applySome() {
        if (commitTarget <= appliedIndex) {
            return;
        }
        long upTo = Math.min(commitTarget, appliedIndex + APPLY_CHUNK);
        if (repairing > 0) {
            upTo = Math.min(upTo, repairing - 1); // nothing past an entry under repair
            if (upTo <= appliedIndex) {
                return;
            }
        }
        try {
            proposer.applied(appliedIndex + 1, upTo);
        } catch (io.raftlog.api.CorruptLogException corrupt) {
            // Applied up to the entry before the corrupt one: keep everything consistent with that.
            long through = Math.max(appliedIndex, Math.min(proposer.appliedThrough(), corrupt.index() - 1));
            if (through > appliedIndex) {
                appliedIndex = through;
                publishStatus();
                reads.applied(appliedIndex);
                tracker.applied(appliedIndex, this::termOrMinusOne, config.id(), raft.leader());
            }
            throw corrupt;
        }
        appliedIndex = upTo;
        publishStatus(); // before completing futures: a caller sees at least its own commit
        reads.applied(appliedIndex);
        linearizableReads.applied(appliedIndex);
        membershipChanges.applied(appliedIndex, this::termOrMinusOne, raft::membershipAt);
        tracker.applied(appliedIndex, this::termOrMinusOne, config.id(), raft.leader());
        raft.applied(upTo); // after the lookups of their terms above: the log may now drop them from memory
        snapshots.maybeTake(appliedIndex);
        if (retention.logStart() != compactedForStart) {
            compactedForStart = retention.logStart();
            snapshots.compact();
        }
    }

    /**
     * Now and then: saves the applied index (so a restart knows it committed at once), and on a
     * leader lets retention propose a new log start.
     */
    private void lifecycleTick() {
        if (++commitSaveTicks >= COMMIT_SAVE_TICKS) {
            commitSaveTicks = 0;
            saveCommit();
        }
        if (++retentionTicks >= RETENTION_TICKS) {
            retentionTicks = 0;
            proposeRetention();
        }
    }

    private void saveCommit() {
        if (appliedIndex > savedCommit && failure.get() == null) {
            savedCommit = appliedIndex;
            writer.saveMetadata(
                    COMMIT_METADATA, Bytes.wrap(java.nio.ByteBuffer.allocate(8).putLong(0, appliedIndex)));
        }
    }

    private void proposeRetention() {
        if (raft.role() != Role.LEADER || retentionProposedAt != 0 || !proposer.leaderReady(appliedIndex)) {
            return;
        }
        long wanted = retention.wantedStart(clock.currentTimeMillis());
        if (wanted == 0) {
            return;
        }
        try {
            retentionProposedAt = raft.propose(
                    List.of(LogRetention.encode(wanted)), List.of(io.raftlog.api.message.EntryType.LOG_START));
            LOG.debug("node {}: retention moves the log start to {}", config.id(), wanted);
        } catch (RaftException notNow) {
            retentionProposedAt = 0; // not leader any more, or overloaded: at the next check
        }
    }

    private void publishStatus() {
        io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo latest = snapshots.latest();
        status = raft.status()
                .withLog(new NodeStatus.Log(
                        retention.logStart(),
                        retention.bytesHeld(),
                        latest == null ? 0 : latest.index(),
                        latest == null ? 0 : latest.sizeBytes(),
                        snapshotMetrics.lastTakenMillis,
                        snapshotMetrics.sent,
                        snapshotMetrics.received));
        metrics.status(status());
    }

    // ------------------------------------------------------------------ repair

    /** The lowest index under repair, or 0. Written on the loop thread, read by status(). */
    private volatile long repairing;

    /** Entries under repair, lowest first: the peers that had no copy, and whether it is being written. */
    private final java.util.TreeMap<Long, RepairState> repairs = new java.util.TreeMap<>();

    private int repairTicks;
    /** Peers that said, unasked, that their copy of an entry is damaged too (they stopped). */
    private final Map<Long, java.util.Set<NodeId>> damagedElsewhere = new java.util.HashMap<>();
    /** This node stopped leading and campaigning for the repair (not for a failing disk). */
    private boolean steppedDownForRepair;

    private static final class RepairState {
        final io.raftlog.api.CorruptLogException cause;
        final java.util.Set<NodeId> without = new java.util.HashSet<>();
        boolean writing;

        RepairState(io.raftlog.api.CorruptLogException cause) {
            this.cause = cause;
        }
    }

    /**
     * A stored entry failed its check. If it is committed here, every peer that knows it committed
     * holds the same entry: ask them all, apply nothing past it meanwhile, and hand leadership over
     * (a leader must be able to read its log). Returns false if it cannot be repaired this way
     * (not known committed, no peers); the node then stops.
     */
    private boolean startRepair(io.raftlog.api.CorruptLogException corrupt) {
        long index = corrupt.index();
        if (repairs.containsKey(index)) {
            return true; // met again while the repair is under way
        }
        if (index > raft.stableIndex()
                || index < store.firstIndex()
                || raft.membership().ids().size() == 1) {
            LOG.error(
                    "node {}: corrupt entry {} cannot be repaired from a peer ({})",
                    config.id(),
                    index,
                    raft.membership().ids().size() == 1 ? "no peers" : "not a durable entry of this node");
            return false;
        }
        RepairState state = new RepairState(corrupt);
        java.util.Set<NodeId> known = damagedElsewhere.remove(index);
        if (known != null) {
            state.without.addAll(known);
        }
        repairs.put(index, state);
        repairing = repairs.firstKey();
        LOG.warn("node {}: {}; fetching an intact copy from its peers", config.id(), corrupt.getMessage());
        if (!raft.isStorageFailing()) {
            steppedDownForRepair = true;
            raft.storageFailing(true); // no leading or campaigning until the log reads again
        }
        askForRepair(index);
        publishStatus();
        return true;
    }

    private java.util.Set<NodeId> peersOf(io.raftlog.api.Membership membership) {
        java.util.Set<NodeId> peers = new java.util.TreeSet<>(membership.ids());
        peers.remove(config.id());
        return peers;
    }

    private void askForRepair(long index) {
        RepairState state = repairs.get(index);
        for (NodeId member : raft.membership().ids()) {
            if (!member.equals(config.id()) && !state.without.contains(member)) {
                transport.send(new io.raftlog.api.message.RepairRequest(config.id(), member, raft.term(), index));
            }
        }
    }

    private void repairTick() {
        if (!repairs.isEmpty() && ++repairTicks >= config.protocol().electionTicks()) {
            repairTicks = 0;
            for (Map.Entry<Long, RepairState> repair : List.copyOf(repairs.entrySet())) {
                if (repair.getValue().writing) {
                    continue;
                }
                if (readsAgain(repair.getKey())) {
                    // Replaced meanwhile by a leader's copy (an entry not yet known committed here
                    // is overwritten through replication: a damaged entry matches nothing).
                    repaired(repair.getKey(), raft.leader().orElse(config.id()));
                } else {
                    askForRepair(repair.getKey());
                }
            }
        }
    }

    private boolean readsAgain(long index) {
        if (index > store.lastIndex()) {
            return true; // truncated away
        }
        try {
            store.read(index, 1, Long.MAX_VALUE);
            return true;
        } catch (io.raftlog.api.CorruptLogException stillDamaged) {
            return false;
        }
    }

    /** A peer asks for an entry: sent only if committed and durable here, and intact. */
    private void answerRepair(io.raftlog.api.message.RepairRequest request) {
        if (!raft.membership().contains(request.from()) || !request.to().equals(config.id())) {
            return;
        }
        List<LogEntry> entry = List.of();
        boolean damaged = false;
        long index = request.index();
        if (index < store.firstIndex()) {
            damaged = true; // compacted away here: never to be had from this node
        } else if (index <= raft.stableIndex()) {
            try {
                if (index <= raft.commitIndex()) {
                    entry = store.read(index, 1, Long.MAX_VALUE); // the committed entry
                } else if (index + 1 <= raft.stableIndex()) {
                    // Not known committed here: the copy, with the entry after it for the asker to
                    // match against its own (seed 16922: a follower's uncommitted entry rotted,
                    // no peer knew it committed, and the follower, out of the vote while it
                    // repaired, was the one vote a leader needed).
                    entry = store.read(index, 2, Long.MAX_VALUE);
                    if (entry.size() < 2) {
                        entry = List.of();
                    }
                }
            } catch (io.raftlog.api.CorruptLogException corruptHereToo) {
                LOG.warn(
                        "node {}: cannot help {} repair entry {}: {}",
                        config.id(),
                        request.from(),
                        index,
                        corruptHereToo.getMessage());
                damaged = true;
            }
        }
        transport.send(new io.raftlog.api.message.RepairResponse(
                config.id(), request.from(), raft.term(), index, entry, damaged));
    }

    private void repairAnswered(io.raftlog.api.message.RepairResponse response) {
        if (!raft.membership().contains(response.from())) {
            return;
        }
        RepairState state = repairs.get(response.index());
        if (state == null) {
            if (response.damaged()) {
                // Told unasked (a peer that stops for want of a copy): remembered for a later repair.
                damagedElsewhere
                        .computeIfAbsent(response.index(), index -> new java.util.HashSet<>())
                        .add(response.from());
            }
            return;
        }
        if (state.writing) {
            return;
        }
        if (response.entries().isEmpty()) {
            if (!response.damaged()) {
                return; // it does not know the entry committed yet: asked again at the next round
            }
            state.without.add(response.from());
            if (state.without.containsAll(peersOf(raft.membership()))) {
                // Tell the others first: one waiting on this node's copy would otherwise wait forever.
                for (NodeId member : raft.membership().ids()) {
                    if (!member.equals(config.id())) {
                        transport.send(new io.raftlog.api.message.RepairResponse(
                                config.id(), member, raft.term(), response.index(), List.of(), true));
                    }
                }
                fail(new io.raftlog.api.CorruptLogException(
                        response.index(),
                        state.cause.location(),
                        "no peer holds an intact committed copy of it either; restore this node's data directory"
                                + " from a backup, or wipe it and start the node with --rejoin (first seen: "
                                + state.cause.getMessage() + ")"));
            }
            return;
        }
        if (response.entries().size() == 2 && !matchesAfter(response.entries().get(1))) {
            return; // another log after it (or ours unreadable there too): not a copy to take
        }
        LogEntry copy = response.entries().get(0);
        state.writing = true;
        long index = response.index();
        writer.repair(copy, () -> {
            tasks.add(() -> {
                raft.entryRepaired(copy); // a configuration entry unreadable at start takes effect now
                repaired(index, response.from());
            });
            hooks.wakeup().run();
        });
    }

    /**
     * Whether this node's own entry at {@code next}'s index is intact and has its term: then, by
     * Log Matching, the peer's log and this one are the same up to there, the entry before included.
     */
    private boolean matchesAfter(LogEntry next) {
        if (next.index() > raft.stableIndex() || next.index() < store.firstIndex()) {
            return false;
        }
        try {
            return store.term(next.index()) == next.term();
        } catch (io.raftlog.api.CorruptLogException alsoDamaged) {
            return false;
        }
    }

    private void repaired(long index, NodeId source) {
        if (repairs.remove(index) == null) {
            return;
        }
        LOG.info("node {}: entry {} repaired with the copy from {}", config.id(), index, source);
        repairing = repairs.isEmpty() ? 0 : repairs.firstKey();
        if (repairs.isEmpty()) {
            if (steppedDownForRepair && storageProblem == null) {
                raft.storageFailing(false);
            }
            steppedDownForRepair = false;
        }
        publishStatus();
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Whether the loop refuses work: from {@link #close()} (or the owner's {@code refuseNewWork}) on.
     * After a fatal error {@link #failure()} is set first, and the owner closes the loop.
     */
    /**
     * Ticks before this node's election timer fires (0 on a leader), read on the loop's own thread:
     * for a driver that runs the loop itself, as the simulator and the console do.
     */
    public int electionTicksLeft() {
        return raft.electionTicksLeft();
    }

    /** The election timeout of the current timer, in ticks (on the loop's own thread, as above). */
    public int electionTimeoutTicks() {
        return raft.electionTimeoutTicks();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Whether the node holds its votes now: its store is not vetted by its peers yet, or it is
     * rejoining after a lost disk. On the driving thread (a simulation's, for example).
     */
    public boolean holdsVotes() {
        return raft.votesHeld();
    }

    /** The peers that accepted this node's store since it started (for tests). */
    List<NodeId> acceptedBy() {
        IdentityGate gate = identity;
        return gate == null ? List.of() : gate.acceptedBy();
    }

    /** The identity of the store it runs on (for tests); null before it started. */
    StoreIdentity storeIdentity() {
        IdentityGate gate = identity;
        return gate == null ? null : gate.identity();
    }

    /** The error that stopped the loop, if one did. */
    public RaftException failure() {
        return failure.get();
    }

    /** Records the first fatal error and tells the driver; may run on the loop or the writer's thread. */
    private void fail(RuntimeException error) {
        RaftException reported = error instanceof RaftException raftError
                ? raftError
                : new RaftException("node " + config.id() + " stopped: " + error.getMessage(), error);
        if (closed) {
            LOG.debug("node {}: an error after close: {}", config.id(), error.toString());
            return;
        }
        if (!failure.compareAndSet(null, reported)) {
            LOG.warn("node {}: another error after the fatal one: {}", config.id(), error.toString());
            return;
        }
        LOG.error("node {} stops after a fatal error", config.id(), error);
        metrics.status(status());
        hooks.onFatal().accept(reported);
    }

    RaftException closedError() {
        RaftException cause = failure.get();
        return cause != null
                ? new NodeClosedException("node " + config.id() + " stopped: " + cause.getMessage())
                : new NodeClosedException("node " + config.id() + " is closed");
    }

    /** Refuses new work from now on; what is queued is failed by {@link #close()}. */
    void refuseNewWork() {
        closed = true;
    }

    /**
     * Stops the node: fails queued work with {@link NodeClosedException} and accepted appends with
     * {@link IndeterminateResultException}, stops the writer (after what it has queued) and closes
     * transport and storage. On the driving thread, once it no longer calls {@link #runOnce()}.
     */
    @Override
    public synchronized void close() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        boolean wasStarted = started;
        started = false;
        closed = true;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run(); // each task sees the node closed and fails its future
        }
        List.copyOf(deferredChanges).forEach(Runnable::run); // they too see the node closed
        deferredChanges.clear();
        if (wasStarted && failure.get() == null) {
            saveCommit(); // a clean stop: the restart knows everything applied committed
        }
        snapshots.close();
        transport.close();
        if (wasStarted) {
            writer.stop();
        }
        Proposer.Proposal queued;
        while ((queued = proposals.poll()) != null) {
            queued.outcome().failed(closedError());
        }
        proposer.failAll(closedError());
        tracker.failAll("node " + config.id() + " closed before the append's outcome was known");
        reads.close(closedError());
        linearizableReads.close(closedError());
        membershipChanges.close("node " + config.id() + " closed before the membership change's outcome was known: it"
                + " may still take effect; read the membership to see");
        store.close();
        snapshotStore.close();
        LOG.info("node {} closed", config.id());
    }

    @Override
    public String toString() {
        return "NodeLoop" + status;
    }
}
