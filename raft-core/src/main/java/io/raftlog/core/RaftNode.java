package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.RaftProtocol;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a raftlog cluster: drives a {@link RaftProtocol} over a {@link LogStore} and a
 * {@link Transport} with a real clock, and offers the {@link ReplicatedLog} API.
 *
 * <p><b>Threads.</b> One event-loop thread owns the protocol: it runs a {@link NodeLoop}, to which
 * ticks, inbound messages, proposals and durability reports all come through lock-free queues, so
 * the protocol needs no locks. A second thread ({@link StorageWriter}) makes entries durable; the
 * leader sends AppendEntries while its own write is in flight, and a slow disk never delays
 * heartbeats. Every public method is thread-safe; appends return at once with a future. Appends
 * queued between two loop iterations become one batch: one append, one fsync, one AppendEntries per
 * follower.
 *
 * <p><b>Lifecycle.</b> {@link #start()} starts the transport and the threads; {@link #close()}
 * stops accepting, fails queued appends with {@link NodeClosedException} and accepted ones with
 * {@link IndeterminateResultException}, then closes transport and storage. If storage fails the
 * node stops itself the same way: better down than wrong.
 *
 * <p><b>Ownership.</b> The node owns the log store, the snapshot store and the transport it is
 * given: it closes them in {@link #close()}, and also when its constructor or {@link #start()}
 * fails. That holds for stores a Guice storage module provides too ({@code RaftModule} hands them
 * to the node): close the node, not its stores.
 */
public final class RaftNode implements ReplicatedLog {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    private final NodeConfig config;
    private final NodeLoop node;
    private final Thread loop;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean running;
    private volatile boolean closed;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    /**
     * A node that is not started yet. The store must be open; the node owns it and the transport
     * from now on and closes them in {@link #close()} — or before this constructor or
     * {@link #start()} throws, so a node that never ran leaves its data directory free. Whoever
     * opened them closes them only if they never reach a node.
     */
    public RaftNode(NodeConfig config, LogStore store, Transport transport) {
        this(config, store, transport, NodeMetrics.NONE, new SplittableRandom().nextLong());
    }

    /**
     * A node reporting to {@code metrics}, with election jitter from {@code seed} (for
     * reproducible tests).
     */
    public RaftNode(NodeConfig config, LogStore store, Transport transport, NodeMetrics metrics, long seed) {
        this(
                config,
                store,
                new io.raftlog.core.storage.InMemorySnapshotStore(),
                io.raftlog.api.StateMachine.NONE,
                transport,
                metrics,
                seed);
    }

    /**
     * A node keeping its snapshots in {@code snapshots} and applying committed records to
     * {@code application} too; it owns and closes the stores and the transport as the first
     * constructor says. The store pairs with the log store: a durable log needs durable
     * snapshots (the log below a snapshot is removed once the log start passes it), so give an LMDB
     * store the file snapshot store its module binds; the other constructors keep snapshots in
     * memory, which suits a log kept in memory or one that retention never trims.
     */
    public RaftNode(
            NodeConfig config,
            LogStore store,
            io.raftlog.api.spi.storage.SnapshotStore snapshots,
            io.raftlog.api.StateMachine application,
            Transport transport,
            NodeMetrics metrics,
            long seed) {
        this.config = config;
        this.loop = new Thread(this::runLoop, "raftlog-loop-" + config.id());
        this.background = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "raftlog-snapshot-" + config.id());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.node = new NodeLoop(
                    config,
                    store,
                    snapshots,
                    application,
                    transport,
                    metrics,
                    seed,
                    new NodeLoop.Hooks(NodeClock.system(), this::wakeup, error -> closeInBackground(), background),
                    // The in-memory store is written on the loop itself: its writes cannot block.
                    listener -> store instanceof io.raftlog.core.storage.InMemoryLogStore
                            ? StorageWriter.inline(store, transport, listener, metrics::fsync)
                            : new StorageWriter(
                                    "raftlog-io-" + config.id(), store, transport, listener, metrics::fsync));
        } catch (RuntimeException refused) {
            background.shutdownNow();
            // The node owns what it was given from this call on (see the constructor's comment): a
            // node that could not be built releases the data directory and the port as well.
            closeAfterFailure(refused, transport, snapshots, store);
            throw refused;
        }
    }

    private static void closeAfterFailure(RuntimeException failure, AutoCloseable... owned) {
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    private final java.util.concurrent.ExecutorService background;

    /** Starts the transport, the I/O thread and the event loop. */
    public synchronized RaftNode start() {
        if (running || closed) {
            throw new IllegalStateException("node " + config.id() + " is already started or closed");
        }
        running = true;
        node.start();
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

    /**
     * The largest record this node accepts (an {@code append} of a larger one fails at once with
     * {@link IllegalArgumentException}): its AppendEntries must fit the transport's largest message.
     */
    public long maxRecordBytes() {
        return node.maxRecordBytes();
    }

    // ------------------------------------------------------------------ ReplicatedLog

    @Override
    public CompletableFuture<Long> append(Bytes record) {
        return node.append(record);
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(List<Bytes> records) {
        return node.appendAll(records);
    }

    @Override
    public CompletableFuture<List<Long>> appendAll(long producerId, long firstSequence, List<Bytes> records) {
        return node.appendAll(producerId, firstSequence, records);
    }

    @Override
    public long commitOffset() {
        return node.commitOffset();
    }

    @Override
    public long logStartOffset() {
        return node.logStartOffset();
    }

    @Override
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        return node.deleteRecordsBefore(offset);
    }

    @Override
    public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
        return node.read(fromOffset, maxRecords, maxWait);
    }

    @Override
    public LogReader reader(long fromOffset) {
        return new NodeLogReader(this, fromOffset);
    }

    /**
     * This node's status, with its health: {@link NodeStatus.Health#STORAGE_FAILING} while its
     * writes fail (it retries), {@link NodeStatus.Health#FAILED} with the cause once it stopped on
     * a fatal error, {@link NodeStatus.Health#CLOSED} once closed.
     */
    @Override
    public NodeStatus status() {
        return node.status();
    }

    /**
     * Completes once the node has stopped and released its storage and transport: normally after
     * {@link #close()}, exceptionally with the cause when the node stopped itself on a fatal error.
     * A process embedding one node should exit when this fails, so its supervisor restarts it: a
     * stopped node serves nothing, whatever else of the process still answers.
     */
    public CompletableFuture<Void> terminated() {
        return terminated.copy();
    }

    /**
     * Asks this node, if it leads, to hand leadership to {@code target}; completes once the
     * request is taken (not when the transfer is done — watch {@link #status()}).
     */
    @Override
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        return node.transferLeadership(target);
    }

    @Override
    public CompletableFuture<Long> readIndex() {
        return node.readIndex();
    }

    @Override
    public io.raftlog.api.Membership membership() {
        return node.membership();
    }

    @Override
    public CompletableFuture<io.raftlog.api.Membership> addLearner(NodeId node, String address) {
        return this.node.addLearner(node, address);
    }

    @Override
    public CompletableFuture<io.raftlog.api.Membership> promote(NodeId node) {
        return this.node.promote(node);
    }

    @Override
    public CompletableFuture<io.raftlog.api.Membership> removeMember(NodeId node) {
        return this.node.removeMember(node);
    }

    /** The peers that accepted this node's store since it started (for tests). */
    List<NodeId> acceptedBy() {
        return node.acceptedBy();
    }

    /** The identity of the store it runs on (for tests). */
    StoreIdentity storeIdentity() {
        return node.storeIdentity();
    }

    // ------------------------------------------------------------------ event loop

    private void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            LockSupport.unpark(loop);
        }
    }

    private void runLoop() {
        while (running && !node.isClosed() && node.failure() == null) {
            boolean worked = node.runOnce();
            // Park only when idle and nobody queued work since we last looked; a wakeup between
            // the check and the park leaves a permit, so park then returns at once.
            if (!worked && !wakeupPending.getAndSet(false)) {
                LockSupport.parkNanos(this, Math.max(0, node.nextTickNanos() - System.nanoTime()));
            }
        }
    }

    // ------------------------------------------------------------------ shutdown

    private void closeInBackground() {
        Thread closer = new Thread(this::close, "raftlog-close-" + config.id());
        closer.setDaemon(true);
        closer.start();
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
            running = false;
            node.refuseNewWork();
            closeInBackground();
            return;
        }
        closed = true;
        handOffLeadership();
        node.refuseNewWork();
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
        node.close();
        background.shutdownNow(); // a snapshot being written is abandoned: its store is closed
        io.raftlog.api.RaftException failure = node.failure();
        if (failure != null) {
            terminated.completeExceptionally(failure);
        } else {
            terminated.complete(null);
        }
    }

    /**
     * A leader that stops gracefully first hands leadership to its most up-to-date follower, so
     * writes pause for a round trip or two instead of an election timeout; waits at most an
     * election timeout for it (then stops anyway, and the others elect a leader as after a crash).
     */
    private void handOffLeadership() {
        if (!running
                || !loop.isAlive()
                || node.failure() != null
                || node.status().role() != io.raftlog.api.Role.LEADER) {
            return;
        }
        long waitMillis = config.tickInterval().toMillis() * config.protocol().electionTicks();
        try {
            if (node.handOffLeadership().get(Math.max(1, waitMillis), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                LOG.info("node {} handed leadership over", config.id());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn(
                    "node {}: no follower took over leadership within {} ms; stopping anyway", config.id(), waitMillis);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn(
                    "node {}: handing leadership over failed: {}",
                    config.id(),
                    e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RaftNode" + node.status();
    }
}
