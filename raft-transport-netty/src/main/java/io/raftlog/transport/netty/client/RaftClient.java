package io.raftlog.transport.netty.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.transport.netty.internal.MembershipRequest;
import io.raftlog.transport.netty.internal.NettyIo;
import io.raftlog.transport.netty.internal.TlsContexts;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a raftlog cluster over the network: appends, reads, deletions and status, from any JVM.
 *
 * <p>The client connects lazily to any seed node and follows {@code NOT_LEADER} redirects to the
 * leader; while no leader is known it retries with capped exponential back-off. It learns where
 * the leader is from every answer that says so — a write, a status, a redirect — and sends
 * appends, deletions, committed reads and status there. Requests carry ids, so many are in
 * flight on one connection. Appends are batched like a Kafka producer: those made within
 * {@code linger} (or until a batch is full) go as one idempotent append under this client's
 * random {@link #producerId()} with consecutive sequence numbers, and any retry of a batch whose
 * outcome is unknown re-sends the same producer id and sequences, so the leader never appends a
 * record twice.
 *
 * <h2>Reads</h2>
 * Reads are {@link ReadConsistency#LINEARIZABLE} unless asked otherwise: a read sees every record
 * whose append was acknowledged (to any client) before the read began, whichever node serves it —
 * a follower asks its leader to confirm — at the cost of one heartbeat round on the leader and
 * nothing in the log. A node that cannot get a leader to confirm the read (cut off from a
 * majority, an election) refuses it, and the client asks the leader it hinted or the next seed,
 * within the call's deadline: a linearizable read never returns a stale page. A
 * {@link ReadConsistency#COMMITTED} read returns the serving node's committed prefix as it is,
 * which may lag on a follower or a deposed leader. {@link #readIndex()} gives the linearizable
 * high watermark alone, for a consumer that must know where "everything committed so far" ends.
 *
 * <h2>Errors</h2>
 * Futures fail with what the caller may rely on:
 * <ul>
 *   <li>{@link IndeterminateResultException}: an append may or may not be committed (an attempt
 *       reached a node and no answer came within the request timeout);</li>
 *   <li>{@code UnknownSequenceException}: the same, for good: the leader no longer remembers this
 *       client's producer (idle past the nodes' producer idle timeout) or batch, so no retry can
 *       tell; the client then continues with a new {@link #producerId()};</li>
 *   <li>{@link NotLeaderException}, {@link OverloadedException}, {@link NodeClosedException},
 *       {@code OutOfOrderSequenceException}, or a plain {@code RaftException}: a definite failure,
 *       the records are not in the log — in
 *       particular {@code OverloadedException} at once when {@code maxInFlightRequests} requests
 *       are outstanding (back off and retry);</li>
 *   <li>{@link IllegalArgumentException}: the request is invalid — an empty append, a record larger
 *       than {@link #maxRecordBytes()}, or records that together do not fit one frame — and was not
 *       sent; or the node refused it as invalid (the message says why), a definite failure;</li>
 *   <li>{@link NotLeaderException} from a linearizable read or {@link #readIndex()}: no node got a
 *       leader to confirm it before the request timeout (no leader, an election, every node tried
 *       cut off from a majority; the message says what each node said) — or, for a read from one
 *       given node, that node could not. Never a stale result instead; reads change nothing, so
 *       try again;</li>
 *   <li>{@link OffsetOutOfRangeException}: a read asked for an offset below the log start offset of
 *       the node that served it (see {@link #read(long, int, Duration, ReadConsistency)});</li>
 *   <li>{@link TimeoutException}: a read, read index or status got no answer in time (the
 *       message has the last error, and each node's when several failed it).</li>
 * </ul>
 * {@link #deleteRecordsBefore} fails as appends do.
 *
 * <h2>Threading</h2>
 * All methods are thread-safe and never block, except {@link #close()}. The client runs on one
 * I/O thread of its own, which also completes the futures: callbacks must not block (use the
 * {@code *Async} methods of {@link CompletableFuture} for slow work).
 */
public final class RaftClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftClient.class);
    private final RaftClientConfig config;
    private final NettyIo io;
    private final EventLoop loop;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CallRouter router;
    private final ProducerBatcher batcher;
    private volatile boolean closed;

    /** A client of the cluster at {@code config.seeds()}; it connects on the first request. */
    public RaftClient(RaftClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        // Before any thread exists: unreadable or malformed TLS files fail the constructor.
        TlsContexts tls = config.tls() == null
                ? null
                : new TlsContexts(config.tls(), "raftlog client", java.time.Clock.systemUTC(), false, LOG);
        this.io = NettyIo.create(config.useEpoll(), 1, "raftlog-client");
        this.loop = io.group().next();
        if (tls != null) {
            long every = config.tls().reloadInterval().toMillis();
            loop.scheduleWithFixedDelay(
                    () -> {
                        try {
                            tls.check();
                        } catch (RuntimeException e) {
                            LOG.warn("raftlog client: checking the TLS files failed", e);
                        }
                    },
                    every,
                    every,
                    TimeUnit.MILLISECONDS);
        }
        Bootstrap template = new Bootstrap()
                .group(loop)
                .channel(io.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        this.router = new CallRouter(config, loop, template, tls == null ? null : tls::client, this::onSlotFreed);
        SecureRandom random = new SecureRandom();
        this.batcher = new ProducerBatcher(
                random::nextLong,
                config,
                loop,
                this::tryAcquireSlot,
                batch -> router.submit(new ClientCall.Append(deadline(Duration.ZERO), batch, batcher())));
    }

    /** Appends one record; completes with its offset once it is committed. */
    public CompletableFuture<Long> append(Bytes record) {
        Objects.requireNonNull(record, "record");
        return appendAll(List.of(record)).thenApply(offsets -> offsets.get(0));
    }

    /**
     * Appends records in one batch, at consecutive offsets; completes with their offsets once all
     * are committed. They may share the batch with other appends made meanwhile.
     */
    public CompletableFuture<List<Long>> appendAll(List<Bytes> records) {
        List<Bytes> copy = List.copyOf(records);
        if (copy.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("appendAll needs at least one record"));
        }
        int largest = config.maxRecordBytes();
        for (Bytes record : copy) {
            if (record.size() > largest) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("a record of " + record.size()
                        + " bytes is larger than the largest this client sends, " + largest + " bytes (maxFrameBytes "
                        + RaftClientConfig.describeBytes(config.maxFrameBytes()) + " less framing)"));
            }
        }
        long bytes = ProducerBatcher.bytesOf(copy);
        if (bytes > RaftClientConfig.maxAppendBodyBytes(config.maxFrameBytes())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "records of " + bytes + " bytes do not fit one frame of " + config.maxFrameBytes() + " bytes"));
        }
        CompletableFuture<List<Long>> future = new CompletableFuture<>();
        onLoop(future, () -> batcher.add(copy, future), false);
        return future;
    }

    /**
     * The largest record, in payload bytes, this client appends ({@link RaftClientConfig#maxRecordBytes()}:
     * its {@code maxFrameBytes} less the framing a record needs to reach every follower); an append
     * of a larger record fails at once with {@link IllegalArgumentException}, unsent.
     */
    public int maxRecordBytes() {
        return config.maxRecordBytes();
    }

    /**
     * A linearizable read: {@link #read(long, int, Duration, ReadConsistency)} at
     * {@link ReadConsistency#LINEARIZABLE}. Its page holds every record from {@code fromOffset} whose
     * append was acknowledged before the call, as far as {@code maxRecords} and one frame allow.
     */
    public CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, Duration maxWait) {
        return read(fromOffset, maxRecords, maxWait, ReadConsistency.LINEARIZABLE);
    }

    /**
     * Reads up to {@code maxRecords} committed records from {@code fromOffset}; completes as soon as
     * at least one is there, or empty once {@code maxWait} passes.
     *
     * <ul>
     *   <li>{@link ReadConsistency#LINEARIZABLE}: from any node a leader confirms — the leader if
     *       known, else the node that served the last linearizable read, else the seeds in turn. A
     *       node that cannot confirm a leader refuses, and the client tries the leader it hinted or
     *       the next node (at once for the first round, then with back-off) until the deadline, then
     *       fails with {@link NotLeaderException}. An empty page means that no record from
     *       {@code fromOffset} was acknowledged before the call (offsets have gaps: the positions
     *       in between may hold internal entries), nor committed before {@code maxWait} passed.</li>
     *   <li>{@link ReadConsistency#COMMITTED}: from the leader if one is known (else any node), as
     *       that node has it: never an uncommitted record, but a follower's or a deposed leader's
     *       page may be stale — even empty although later records are committed.</li>
     * </ul>
     *
     * <p>Fails with {@link OffsetOutOfRangeException} if {@code fromOffset} is below the log start
     * offset of the node that served the read; the exception carries that node's log start offset
     * and high watermark, to reset the position to. Like a Kafka consumer's fetch, the error is
     * that node's answer, and the client does not ask another node instead: every replica removes
     * the same records, a follower only later than the leader, so one that still holds the offset
     * would hold it only for a while. A read served by a follower (while the leader is not known,
     * or linearizable) sees that follower's log start, which may lag the leader's: it may then still
     * return records the leader already removed.
     */
    public CompletableFuture<List<CommittedRecord>> read(
            long fromOffset, int maxRecords, Duration maxWait, ReadConsistency consistency) {
        return read(null, fromOffset, maxRecords, maxWait, consistency);
    }

    /**
     * The committed prefix of the node listening at {@code node}: {@link #read(InetSocketAddress,
     * long, int, Duration, ReadConsistency)} at {@link ReadConsistency#COMMITTED} — a follower's
     * may lag the leader's. A {@code null} node routes the read as
     * {@link #read(long, int, Duration, ReadConsistency)} does, at {@code COMMITTED}.
     */
    public CompletableFuture<List<CommittedRecord>> read(
            InetSocketAddress node, long fromOffset, int maxRecords, Duration maxWait) {
        return read(node, fromOffset, maxRecords, maxWait, ReadConsistency.COMMITTED);
    }

    /**
     * Like {@link #read(long, int, Duration, ReadConsistency)}, but from the node listening at
     * {@code node} only, above its own log start offset, with no redirect and no retry elsewhere:
     * at {@code COMMITTED} its own committed prefix; at {@code LINEARIZABLE} it asks its leader to
     * confirm the read, and fails with {@link NotLeaderException} if it cannot (a node cut off from
     * the others fails so rather than serve its stale prefix). A {@code null} node routes the read
     * as {@link #read(long, int, Duration, ReadConsistency)} does.
     */
    public CompletableFuture<List<CommittedRecord>> read(
            InetSocketAddress node, long fromOffset, int maxRecords, Duration maxWait, ReadConsistency consistency) {
        Objects.requireNonNull(consistency, "consistency");
        if (fromOffset < 1 || maxRecords < 1 || maxWait.isNegative()) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("need fromOffset >= 1, maxRecords >= 1 and maxWait >= 0"));
        }
        if (!tryAcquireSlot()) {
            return CompletableFuture.failedFuture(overloaded());
        }
        ClientCall.Read call =
                new ClientCall.Read(deadline(maxWait), node, fromOffset, maxRecords, maxWait, consistency);
        onLoop(call.future, () -> router.submit(call), true);
        return call.future;
    }

    /**
     * A linearizable high watermark ({@code ReplicatedLog.readIndex()} on some node, without writing
     * to the log): an offset at or above every record whose append was acknowledged before this
     * call, which the node that answered has applied. Reading up to it (linearizably, or from any
     * node that has applied that far) sees all of those records; a consumer that takes it at start
     * knows where "everything committed so far" ends, whichever node it reads from. Routed as a
     * linearizable read is: the leader, the node that served the last linearizable call, or the
     * seeds in turn, past nodes that cannot confirm a leader. Fails with {@link NotLeaderException}
     * if no node got a leader to confirm it before the request timeout (the message says what
     * each node said), or as {@link #status()} does.
     */
    public CompletableFuture<Long> readIndex() {
        if (!tryAcquireSlot()) {
            return CompletableFuture.failedFuture(overloaded());
        }
        ClientCall.ReadIndex call = new ClientCall.ReadIndex(deadline(Duration.ZERO));
        onLoop(call.future, () -> router.submit(call), true);
        return call.future;
    }

    /**
     * Removes the records below {@code offset}, like Kafka's {@code deleteRecords}: sent to the
     * leader (following redirects as appends do), completes with the new log start offset once the
     * removal is committed. An offset at or below the log start changes nothing and completes with
     * the log start as it is. Deletion is idempotent, so the client retries it (with back-off)
     * wherever an append would be retried. Fails as appends do (see above), in particular with
     * {@link NotLeaderException} if no leader took it before the request timeout,
     * {@link IndeterminateResultException} if an attempt reached a node and its outcome is unknown
     * (calling again is safe), and {@link IllegalArgumentException} with the leader's reason for an
     * offset past its high watermark + 1 (at once and unsent for an offset below 1).
     *
     * @param offset from 1 to the leader's high watermark + 1
     */
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        if (offset < 1) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("deleteRecordsBefore needs an offset >= 1, got " + offset));
        }
        if (!tryAcquireSlot()) {
            return CompletableFuture.failedFuture(overloaded());
        }
        ClientCall.DeleteRecords call = new ClientCall.DeleteRecords(deadline(Duration.ZERO), offset);
        onLoop(call.future, () -> router.submit(call), true);
        return call.future;
    }

    /**
     * The log start offset of the leader if one is known, else of any node: the first offset a
     * read from there can return. One status request ({@link NodeStatus#log()} has the rest of
     * the log's figures); fails as {@link #status()} does.
     */
    public CompletableFuture<Long> logStartOffset() {
        return status().thenApply(status -> status.log().startOffset());
    }

    /**
     * The cluster's membership as the leader (if known, else any node) knows it: voters and
     * learners with their addresses. A member whose configuration entry records no address (one a
     * cluster was bootstrapped with, from the nodes' {@code --peers}) comes with the address the
     * answering node reaches it at, or {@code ""} if it has none. Fails as {@link #status()} does.
     */
    public CompletableFuture<Membership> membership() {
        return membershipCall(MembershipRequest.Op.GET, null, "");
    }

    /**
     * Adds {@code node}, reachable by peers and clients at {@code address} ({@code host:port}), as
     * a learner; completes with the membership once the change is committed. Start the node with
     * {@code --join} (an empty data directory). Goes to the leader; changes are idempotent (adding
     * a learner that is already one with that address completes at once), so the client retries
     * them as it retries deletions. Fails with {@link MembershipChangeException}
     * (nothing changed; the message says why) when the leader refuses it.
     */
    public CompletableFuture<Membership> addLearner(NodeId node, String address) {
        return membershipCall(MembershipRequest.Op.ADD_LEARNER, node, address);
    }

    /** Makes the learner {@code node} a voter once it has caught up; as {@link #addLearner}. */
    public CompletableFuture<Membership> promote(NodeId node) {
        return membershipCall(MembershipRequest.Op.PROMOTE, node, "");
    }

    /** Removes the member {@code node} (not the leader: transfer leadership first); as {@link #addLearner}. */
    public CompletableFuture<Membership> removeMember(NodeId node) {
        return membershipCall(MembershipRequest.Op.REMOVE, node, "");
    }

    /**
     * Asks the leader to hand leadership to the voter {@code target}; completes once the request is
     * taken (watch {@link #status()} for the new leader), with the membership.
     */
    public CompletableFuture<Membership> transferLeadership(NodeId target) {
        return membershipCall(MembershipRequest.Op.TRANSFER_LEADERSHIP, target, "");
    }

    private CompletableFuture<Membership> membershipCall(MembershipRequest.Op op, NodeId node, String address) {
        if (!tryAcquireSlot()) {
            return CompletableFuture.failedFuture(overloaded());
        }
        ClientCall.MembershipCall call = new ClientCall.MembershipCall(
                deadline(Duration.ZERO), null, op, java.util.Optional.ofNullable(node), address);
        onLoop(call.future, () -> router.submit(call), true);
        return call.future;
    }

    /**
     * The status of the leader if one is known, else of any node. A status from the leader, or one
     * naming a leader the client has reached before, tells the client where the leader is. Its
     * {@link NodeStatus#configuration()} is the membership in effect on that node, its members'
     * addresses as {@link #membership()} gives them (empty from a node too old to send it).
     */
    public CompletableFuture<NodeStatus> status() {
        return status(null);
    }

    /**
     * The status of the node listening at {@code node} (no redirect, no retry elsewhere); the client
     * learns the leader from it as from {@link #status()}.
     */
    public CompletableFuture<NodeStatus> status(InetSocketAddress node) {
        if (!tryAcquireSlot()) {
            return CompletableFuture.failedFuture(overloaded());
        }
        ClientCall.Status call = new ClientCall.Status(deadline(Duration.ZERO), node);
        onLoop(call.future, () -> router.submit(call), true);
        return call.future;
    }

    /**
     * The random id under which this client's next appends are de-duplicated. It changes after an
     * append batch fails for good, so the failed batch's sequence numbers leave no gap.
     */
    public long producerId() {
        return batcher.producerId();
    }

    private ProducerBatcher batcher() {
        return batcher;
    }

    /**
     * Fails every call not yet answered — appends already sent with
     * {@link IndeterminateResultException}, the others with {@link NodeClosedException} — closes
     * the connections and stops the I/O thread; idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.submit(() -> {
                        batcher.failOpen(new NodeClosedException("the client is closed"));
                        router.closeAll();
                    })
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            // already shutting down
        }
        io.shutdown(Duration.ofSeconds(1));
    }

    private void onLoop(CompletableFuture<?> future, Runnable task, boolean holdsSlot) {
        Runnable guarded = () -> {
            if (closed) {
                if (holdsSlot) {
                    inFlight.decrementAndGet();
                }
                future.completeExceptionally(new NodeClosedException("the client is closed"));
            } else {
                task.run();
            }
        };
        try {
            loop.execute(guarded);
        } catch (RejectedExecutionException e) {
            if (holdsSlot) {
                inFlight.decrementAndGet();
            }
            future.completeExceptionally(new NodeClosedException("the client is closed"));
        }
    }

    private boolean tryAcquireSlot() {
        while (true) {
            int current = inFlight.get();
            if (current >= config.maxInFlightRequests()) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private void onSlotFreed() {
        inFlight.decrementAndGet();
        batcher.onSlotFreed();
    }

    private OverloadedException overloaded() {
        return new OverloadedException("the client has " + config.maxInFlightRequests() + " requests in flight");
    }

    private long deadline(Duration extra) {
        return System.nanoTime() + config.requestTimeout().toNanos() + extra.toNanos();
    }
}
