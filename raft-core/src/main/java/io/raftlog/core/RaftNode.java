package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.RaftException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.protocol.Ready;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a raftlog cluster: drives a {@link RaftProtocol} over a {@link LogStore} and a
 * {@link Transport} with a real clock, and offers the {@link ReplicatedLog} API.
 *
 * <p><b>Threads.</b> One event-loop thread owns the protocol: ticks, inbound messages, proposals
 * and durability reports all reach it through lock-free queues, so the protocol needs no locks. A
 * second thread ({@link StorageWriter}) makes entries durable; the leader sends AppendEntries while
 * its own write is in flight, and a slow disk never delays heartbeats. Every public method is
 * thread-safe; appends return at once with a future. Appends queued between two loop iterations
 * become one batch: one append, one fsync, one AppendEntries per follower.
 *
 * <p><b>Lifecycle.</b> {@link #start()} starts the transport and the threads; {@link #close()}
 * stops accepting, fails queued appends with {@link NodeClosedException} and accepted ones with
 * {@link IndeterminateResultException}, then closes transport and storage. If storage fails the
 * node stops itself the same way: better down than wrong.
 */
public final class RaftNode implements ReplicatedLog {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    private final NodeConfig config;
    private final LogStore store;
    private final Transport transport;
    private final RaftProtocol raft;
    private final StorageWriter writer;
    private final CommittedReads reads;
    private final AppendTracker tracker;
    private final NodeMetrics metrics;

    private final ConcurrentLinkedQueue<RaftMessage> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Proposer.Proposal> proposals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> durable = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Thread loop;
    private final long tickNanos;

    private volatile boolean running;
    private volatile boolean closed;
    private volatile NodeStatus status;
    private volatile RaftException failure;
    private final Proposer proposer;
    private long appliedIndex;
    private Role lastRole = Role.FOLLOWER;
    private long lastTerm = -1;
    /** The highest index the protocol reported committed and durable; applied up to it in chunks. */
    private long commitTarget;

    private static final long APPLY_CHUNK = 16_384;

    /**
     * A node that is not started yet. The store must be open; the node owns it and the transport
     * from now on and closes them in {@link #close()}.
     */
    public RaftNode(NodeConfig config, LogStore store, Transport transport) {
        this(config, store, transport, NodeMetrics.NONE, new SplittableRandom().nextLong());
    }

    /**
     * A node reporting to {@code metrics}, with election jitter from {@code seed} (for
     * reproducible tests).
     */
    public RaftNode(NodeConfig config, LogStore store, Transport transport, NodeMetrics metrics, long seed) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.raft =
                new RaftProtocol(config.id(), config.members(), config.protocol(), store, new SplittableRandom(seed));
        this.reads = new CommittedReads(store);
        this.tracker = new AppendTracker(metrics);
        this.proposer = new Proposer(config, raft, store, tracker, metrics, System::currentTimeMillis);
        this.writer = new StorageWriter(
                "raftlog-io-" + config.id(),
                store,
                transport,
                new StorageWriter.Listener() {
                    @Override
                    public void durable(long index, long term, long logEpoch) {
                        RaftNode.this.durable.add(new long[] {index, term, logEpoch});
                        wakeup();
                    }

                    @Override
                    public void failed(RuntimeException error) {
                        fail(error);
                    }
                },
                metrics::fsync);
        this.loop = new Thread(this::runLoop, "raftlog-loop-" + config.id());
        this.tickNanos = config.tickInterval().toNanos();
        this.status = raft.status();
    }

    /** Starts the transport, the I/O thread and the event loop. */
    public synchronized RaftNode start() {
        if (running || closed) {
            throw new IllegalStateException("node " + config.id() + " is already started or closed");
        }
        running = true;
        writer.start();
        transport.start(config.id(), message -> {
            inbox.add(message);
            wakeup();
        });
        loop.start();
        LOG.info(
                "node {} started: members {}, tick {} ms",
                config.id(),
                config.members(),
                config.tickInterval().toMillis());
        return this;
    }

    public NodeId id() {
        return config.id();
    }

    // ------------------------------------------------------------------ ReplicatedLog

    @Override
    public CompletableFuture<Long> append(Bytes record) {
        return appendAll(List.of(record)).thenApply(offsets -> offsets.get(0));
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Bytes> records) {
        return enqueue(records, false, 0, 0);
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(long producerId, long firstSequence, List<Bytes> records) {
        if (firstSequence < 0) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("firstSequence must be >= 0, was " + firstSequence));
        }
        return enqueue(records, true, producerId, firstSequence);
    }

    private CompletableFuture<List<Long>> enqueue(
            List<Bytes> records, boolean idempotent, long producerId, long firstSequence) {
        CompletableFuture<List<Long>> future = new CompletableFuture<>();
        if (records.isEmpty()) {
            future.complete(List.of());
            return future;
        }
        if (closed || failure != null) {
            future.completeExceptionally(closedError());
            return future;
        }
        Proposer.Proposal proposal =
                new Proposer.Proposal(List.copyOf(records), future, idempotent, producerId, firstSequence);
        proposals.add(proposal);
        if (closed && proposals.remove(proposal)) {
            // close() drained the queue just before we added to it.
            future.completeExceptionally(closedError());
        }
        wakeup();
        long submitted = System.nanoTime();
        // The timeout applies to the caller's copy: the internal future keeps waiting for the real
        // outcome, which a retry of the same idempotent batch may attach to.
        return future.copy()
                .orTimeout(config.appendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(RaftNode::translateTimeout)
                .whenComplete((offsets, error) -> metrics.appendLatency(System.nanoTime() - submitted));
    }

    @Override
    public long commitOffset() {
        return reads.appliedIndex();
    }

    @Override
    public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        return reads.read(fromOffset, maxRecords, maxWait);
    }

    @Override
    public LogReader reader(long fromOffset) {
        return new NodeLogReader(this, fromOffset);
    }

    @Override
    public NodeStatus status() {
        return status;
    }

    /**
     * Asks this node, if it leads, to hand leadership to {@code target}; completes once the
     * request is taken (not when the transfer is done — watch {@link #status()}).
     */
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(closedError());
            return done;
        }
        tasks.add(() -> {
            if (closed) {
                done.completeExceptionally(closedError());
                return;
            }
            try {
                raft.transferLeadership(target);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        wakeup();
        return done;
    }

    // ------------------------------------------------------------------ event loop

    private void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            LockSupport.unpark(loop);
        }
    }

    private void runLoop() {
        long nextTick = System.nanoTime() + tickNanos;
        try {
            while (running) {
                long now = System.nanoTime();
                if (now >= nextTick) {
                    raft.tick();
                    nextTick += tickNanos;
                    if (nextTick < now) {
                        nextTick = now + tickNanos; // the loop fell behind; don't replay missed ticks
                    }
                    publishStatus();
                }
                boolean worked = processInputs();
                drive();
                worked |= commitTarget > appliedIndex; // more to apply: don't park
                // Park only when idle and nobody queued work since we last looked; a wakeup
                // between the check and the park leaves a permit, so park then returns at once.
                if (!worked && !wakeupPending.getAndSet(false)) {
                    LockSupport.parkNanos(this, Math.max(0, nextTick - System.nanoTime()));
                }
            }
        } catch (RuntimeException | Error e) {
            fail(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
        }
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
            raft.step(message);
            worked = true;
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            worked = true;
        }
        return proposer.proposeQueued(proposals, appliedIndex) || worked;
    }

    private void drive() {
        while (raft.hasReady()) {
            Ready ready = raft.ready();
            if (!ready.messages().isEmpty()) {
                transport.send(ready.messages());
            }
            if (ready.mustPersist() || !ready.messagesAfterPersist().isEmpty()) {
                writer.submit(ready);
            }
            commitTarget = Math.max(commitTarget, ready.commitIndex());
        }
        applySome();
        Role role = raft.role();
        if (role != lastRole || raft.term() != lastTerm) {
            logRoleChange(role, raft.term());
            if (lastRole == Role.LEADER) {
                proposer.leadershipLost(); // what it had in flight now resolves through the log only
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
            LOG.info("node {} is no longer leader: {} in term {}", config.id(), role, term);
        } else {
            LOG.debug("node {} is {} in term {}", config.id(), role, term);
        }
    }

    /**
     * Applies committed entries, at most {@link #APPLY_CHUNK} per loop iteration, so that catching
     * up on a long log (after a restart, every entry is applied again) never holds up heartbeats.
     *
     * @return whether committed entries remain to be applied
     */
    private boolean applySome() {
        if (commitTarget <= appliedIndex) {
            return false;
        }
        long upTo = Math.min(commitTarget, appliedIndex + APPLY_CHUNK);
        proposer.applied(appliedIndex + 1, upTo);
        appliedIndex = upTo;
        publishStatus(); // before completing futures: a caller sees at least its own commit
        reads.applied(appliedIndex);
        tracker.applied(appliedIndex, store, config.id(), raft.leader());
        return commitTarget > appliedIndex;
    }

    private void publishStatus() {
        NodeStatus current = raft.status();
        status = current;
        metrics.status(current);
    }

    // ------------------------------------------------------------------ shutdown

    private void fail(RuntimeException error) {
        if (closed) {
            return;
        }
        LOG.error("node {} stops after a fatal error", config.id(), error);
        failure = error instanceof RaftException raftError
                ? raftError
                : new RaftException("node " + config.id() + " stopped: " + error.getMessage(), error);
        Thread closer = new Thread(this::close, "raftlog-close-" + config.id());
        closer.setDaemon(true);
        closer.start();
    }

    private RaftException closedError() {
        RaftException cause = failure;
        return cause != null
                ? new NodeClosedException("node " + config.id() + " stopped: " + cause.getMessage())
                : new NodeClosedException("node " + config.id() + " is closed");
    }

    /**
     * Stops the node. Called from a callback running on the node's own thread, it hands the work
     * to another thread and returns at once (the loop cannot wait for itself).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() == loop) {
            Thread closer = new Thread(this::close, "raftlog-close-" + config.id());
            closer.setDaemon(true);
            closer.start();
            running = false;
            return;
        }
        closed = true;
        boolean wasRunning = running || loop.isAlive();
        running = false;
        if (wasRunning && loop.isAlive()) {
            LockSupport.unpark(loop);
            joinQuietly(loop);
            if (loop.isAlive()) {
                LOG.error(
                        "node {}: the event loop did not stop within 30 s (a callback blocking it?); closing anyway",
                        config.id());
            }
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run(); // each task sees the node closed and fails its future
        }
        transport.close();
        if (wasRunning) {
            writer.stop();
        }
        Proposer.Proposal queued;
        while ((queued = proposals.poll()) != null) {
            queued.future().completeExceptionally(closedError());
        }
        proposer.failAll(closedError());
        tracker.failAll("node " + config.id() + " closed before the append's outcome was known");
        reads.close(closedError());
        store.close();
        LOG.info("node {} closed", config.id());
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> CompletableFuture<T> translateTimeout(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new IndeterminateResultException(
                    "the append was not committed in time; it may still commit", cause));
        }
        return CompletableFuture.failedFuture(cause);
    }

    @Override
    public String toString() {
        return "RaftNode" + status;
    }
}
