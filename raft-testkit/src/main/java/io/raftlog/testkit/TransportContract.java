package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Transport} must pass (a TCK): delivery, per-link ordering, a
 * snapshot streamed in large chunks, the largest message the transport advertises (and one byte
 * more, which it drops), reconnection after a peer restarts, behaviour while a peer is down, and
 * no delivery to the wrong node. A plugin author extends this class and supplies
 * {@link #newTransport(NodeId)}.
 *
 * <pre>{@code
 * class MyTransportContractTest extends TransportContract {
 *     @Override
 *     protected Transport newTransport(NodeId id) {
 *         return new MyTransport(addressesOf(MEMBERS), id);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test runs on a fresh test instance with the cluster {@link #MEMBERS}; it may create
 * a transport for the same member again after closing the previous one, which models a restart
 * (a networked transport must then listen where the old one did). Delivery is best effort in
 * general, but on a healthy link with a modest load the contract expects every message to
 * arrive, in order. Waits are bounded ({@link #patience()}); nothing sleeps for a fixed time.
 * Tests with random data print their seed when they fail; {@code -Draftlog.contract.seed=S}
 * replays it.
 */
@org.junit.jupiter.api.extension.ExtendWith(ContractExclusions.class)
public abstract class TransportContract {
    protected static final NodeId A = NodeId.of("node-a");
    protected static final NodeId B = NodeId.of("node-b");
    protected static final NodeId C = NodeId.of("node-c");
    /** The members of the test cluster. */
    protected static final List<NodeId> MEMBERS = List.of(A, B, C);
    /** A node that is not a member: nothing may ever be delivered for it. */
    protected static final NodeId STRANGER = NodeId.of("node-stranger");
    /** Chunks of the snapshot a transport must stream. */
    private static final int SNAPSHOT_CHUNKS = 32;

    private final List<Node> started = new ArrayList<>();
    private final long seed = Long.getLong("raftlog.contract.seed", System.nanoTime());

    /**
     * A new, not yet started transport for member {@code id}. Called again for an id whose previous
     * transport was closed, to model a restart of that node.
     */
    protected abstract Transport newTransport(NodeId id);

    /** How long a test waits for an outcome before failing. */
    protected Duration patience() {
        return Duration.ofSeconds(15);
    }

    /** Payload size of the large message a transport must carry intact. */
    protected int largeMessageBytes() {
        return 1 << 20;
    }

    /** Size of each of the 32 chunks of the snapshot a transport must stream. */
    protected int snapshotChunkBytes() {
        return 1 << 20;
    }

    /**
     * The largest {@link Transport#maxMessageBytes()} for which the contract builds a message of
     * exactly that size; a transport with a higher limit (or none) skips that test.
     */
    protected int maxTestedMessageBytes() {
        return 64 << 20;
    }

    @AfterEach
    final void closeTransports() {
        for (Node node : started) {
            node.transport.close();
        }
    }

    /** Creates and starts a transport for {@code id}, recording what it receives. */
    protected final Node start(NodeId id) {
        return start(id, message -> null);
    }

    /**
     * Like {@link #start(NodeId)}, and sends what {@code answer} returns for a received message
     * (nothing for null), from the transport's own delivery thread, as a node would.
     */
    private Node start(NodeId id, Function<RaftMessage, RaftMessage> answer) {
        Node node = new Node(id, newTransport(id));
        node.transport.start(id, message -> {
            node.inbox.add(message);
            RaftMessage reply = answer.apply(message);
            if (reply != null) {
                node.transport.send(reply);
            }
        });
        started.add(node);
        return node;
    }

    // ---- delivery -------------------------------------------------------------------------------

    @Test
    void deliversEveryKindOfMessageIntact() {
        Node a = start(A);
        Node b = start(B);
        List<RaftMessage> sent = List.of(
                new VoteRequest(A, B, 3, 10, 2, true, false),
                new VoteResponse(A, B, 3, true, false),
                new AppendEntriesRequest(
                        A,
                        B,
                        3,
                        9,
                        2,
                        List.of(
                                LogEntry.data(10, 3, Bytes.ofUtf8("hello")),
                                new LogEntry(11, 3, EntryType.NOOP, Bytes.EMPTY),
                                LogEntry.data(12, 3, Bytes.copyOf(new byte[] {0, (byte) 255, 7}))),
                        8),
                new AppendEntriesResponse(A, B, 3, false, 9, 4, 1),
                new TimeoutNow(A, B, 3),
                new InstallSnapshotRequest(A, B, 3, 8, 2, 5, 2, Bytes.copyOf(new byte[] {1, 2, 3}), true),
                new InstallSnapshotResponse(A, B, 3, 8, 5, false));
        a.transport.send(sent);

        await("all " + sent.size() + " messages at " + B, () -> b.inbox.size() == sent.size());
        assertThat(b.received()).containsExactlyElementsOf(sent);
    }

    @Test
    void carriesLargeMessagesIntact() {
        Node a = start(A);
        Node b = start(B);
        byte[] payload = new byte[largeMessageBytes()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        RaftMessage large =
                new AppendEntriesRequest(A, B, 1, 0, 0, List.of(LogEntry.data(1, 1, Bytes.copyOf(payload))), 0);
        a.transport.send(large);

        await("the large message at " + B, () -> !b.inbox.isEmpty());
        assertThat(b.received()).containsExactly(large);
    }

    /**
     * A leader streams a snapshot to a follower as 32 chunks back to back; the follower answers
     * each with the offset it expects next. Every chunk arrives intact and in order, and so does
     * every answer.
     */
    @Test
    void streamsASnapshotCompleteAndInOrderAndCarriesTheAnswersBack() {
        Node a = start(A);
        Node b = start(
                B,
                message -> message instanceof InstallSnapshotRequest chunk
                        ? new InstallSnapshotResponse(
                                B,
                                A,
                                chunk.term(),
                                chunk.snapshotIndex(),
                                chunk.offset() + chunk.data().size(),
                                false)
                        : null);
        int chunkBytes = snapshotChunkBytes();
        long totalBytes = (long) chunkBytes * SNAPSHOT_CHUNKS;
        Random random = new Random(seed);
        List<InstallSnapshotRequest> chunks = new ArrayList<>();
        List<InstallSnapshotResponse> answers = new ArrayList<>();
        for (int i = 0; i < SNAPSHOT_CHUNKS; i++) {
            byte[] data = new byte[chunkBytes];
            random.nextBytes(data);
            long offset = (long) i * chunkBytes;
            chunks.add(new InstallSnapshotRequest(
                    A, B, 3, 1_000, 2, totalBytes, offset, Bytes.wrap(data), i == SNAPSHOT_CHUNKS - 1));
            answers.add(new InstallSnapshotResponse(B, A, 3, 1_000, offset + chunkBytes, false));
        }
        for (InstallSnapshotRequest chunk : chunks) {
            a.transport.send(chunk);
        }

        await(
                SNAPSHOT_CHUNKS + " chunks at " + B + " and their answers at " + A,
                () -> b.inbox.size() >= SNAPSHOT_CHUNKS && a.inbox.size() >= SNAPSHOT_CHUNKS,
                () -> "(" + b.inbox.size() + " chunks, " + a.inbox.size() + " answers; " + seeded() + ")");
        List<RaftMessage> received = b.received();
        assertThat(received).as(seeded()).hasSize(SNAPSHOT_CHUNKS);
        for (int i = 0; i < SNAPSHOT_CHUNKS; i++) {
            assertThat(received.get(i))
                    .as("chunk %d of %d at %s; %s", i, SNAPSHOT_CHUNKS, B, seeded())
                    .isEqualTo(chunks.get(i));
        }
        assertThat(a.received()).as("answers at %s; %s", A, seeded()).containsExactlyElementsOf(answers);
    }

    /**
     * A message of exactly {@link Transport#maxMessageBytes()} arrives intact; one a byte larger
     * is dropped (and counted, by a transport that reports {@link Transport#traffic()}), and the
     * link goes on carrying the messages after it.
     */
    @Test
    void carriesTheLargestMessageItAdvertisesAndDropsOneByteMore() {
        Node a = start(A);
        Node b = start(B);
        int max = a.transport.maxMessageBytes();
        int overhead = MessageCodec.encodedSize(snapshotOfOneChunk(1, Bytes.EMPTY));
        assumeTrue(
                max <= maxTestedMessageBytes() && max > overhead,
                () -> "the transport's largest message, " + max + " bytes, is out of the range this contract builds");
        Random random = new Random(seed);
        InstallSnapshotRequest largest = snapshotOfOneChunk(1, randomBytes(random, max - overhead));
        InstallSnapshotRequest tooLarge = snapshotOfOneChunk(2, randomBytes(random, max - overhead + 1));
        assertThat(MessageCodec.encodedSize(largest)).isEqualTo(max);
        assertThat(MessageCodec.encodedSize(tooLarge)).isEqualTo(max + 1);

        a.transport.send(largest);
        await("the message of " + max + " bytes at " + B, () -> !b.inbox.isEmpty(), this::seeded);
        assertThat(b.received()).as(seeded()).containsExactly(largest);

        long droppedBefore = dropped(a, B);
        a.transport.send(tooLarge);
        a.transport.send(heartbeat(A, B, 1));
        await("the message after the one of " + (max + 1) + " bytes at " + B, () -> b.inbox.size() >= 2, this::seeded);
        assertThat(b.received()).as(seeded()).containsExactly(largest, heartbeat(A, B, 1));
        if (a.transport.traffic().containsKey(B)) {
            await("the message of " + (max + 1) + " bytes counted as dropped", () -> dropped(a, B) > droppedBefore);
        }
    }

    @Test
    void deliversBothWays() {
        Node a = start(A);
        Node b = start(B);
        a.transport.send(heartbeat(A, B, 1));
        b.transport.send(heartbeat(B, A, 1));

        await("a message each way", () -> !a.inbox.isEmpty() && !b.inbox.isEmpty());
        assertThat(a.received()).containsExactly(heartbeat(B, A, 1));
        assertThat(b.received()).containsExactly(heartbeat(A, B, 1));
    }

    // ---- ordering -------------------------------------------------------------------------------

    @Test
    void keepsTheOrderOfEachLink() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        int count = 2_000;
        for (int i = 1; i <= count; i++) {
            a.transport.send(heartbeat(A, B, i));
            a.transport.send(heartbeat(A, C, i));
        }

        await(
                count + " messages at each of " + B + " and " + C,
                () -> b.inbox.size() == count && c.inbox.size() == count);
        assertThat(sequences(b.received())).isEqualTo(oneTo(count));
        assertThat(sequences(c.received())).isEqualTo(oneTo(count));
    }

    @Test
    void keepsEachSendersOrderWhenThreadsSendConcurrently() throws InterruptedException {
        Node a = start(A);
        Node b = start(B);
        int threads = 4;
        int perThread = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 1; t <= threads; t++) {
            long term = t;
            Thread sender = new Thread(
                    () -> {
                        awaitLatch(go);
                        for (int i = 1; i <= perThread; i++) {
                            a.transport.send(new AppendEntriesRequest(A, B, term, i, 0, List.of(), 0));
                        }
                    },
                    "contract-sender-" + t);
            senders.add(sender);
            sender.start();
        }
        go.countDown();
        for (Thread sender : senders) {
            sender.join(patience().toMillis());
        }

        await(threads * perThread + " messages at " + B, () -> b.inbox.size() == threads * perThread);
        Map<Long, List<Long>> byTerm = new HashMap<>();
        for (RaftMessage message : b.received()) {
            byTerm.computeIfAbsent(message.term(), unused -> new ArrayList<>()).add(sequence(message));
        }
        for (long term = 1; term <= threads; term++) {
            assertThat(byTerm.get(term))
                    .as("messages of sender thread %d", term)
                    .isEqualTo(oneTo(perThread));
        }
    }

    // ---- addressing -----------------------------------------------------------------------------

    @Test
    void neverDeliversToAnotherNode() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        for (int i = 1; i <= 100; i++) {
            a.transport.send(heartbeat(A, B, i));
            a.transport.send(heartbeat(A, STRANGER, i));
            a.transport.send(heartbeat(A, C, 1000 + i));
            b.transport.send(heartbeat(B, C, 2000 + i));
        }

        await("every message for a member", () -> b.inbox.size() == 100 && c.inbox.size() == 200);
        assertThat(b.received()).allSatisfy(message -> assertThat(message.to()).isEqualTo(B));
        assertThat(c.received()).allSatisfy(message -> assertThat(message.to()).isEqualTo(C));
        assertThat(a.received()).isEmpty();
        assertThat(sequences(b.received())).isEqualTo(oneTo(100));
    }

    // ---- peers that are down, restart or stop -----------------------------------------------------

    @Test
    void sendNeverBlocksWhileAPeerIsDownAndOthersStillReceive() {
        Node a = start(A);
        Node c = start(C);
        int count = 20_000;
        long began = System.nanoTime();
        for (int i = 1; i <= count; i++) {
            a.transport.send(heartbeat(A, B, i)); // B never started
            if (i % 20 == 0) {
                a.transport.send(heartbeat(A, C, i / 20));
            }
        }
        Duration spent = Duration.ofNanos(System.nanoTime() - began);

        assertThat(spent).as("time to send %d messages with a peer down", count).isLessThan(patience());
        await(count / 20 + " messages at " + C, () -> c.inbox.size() == count / 20);
        assertThat(sequences(c.received())).isEqualTo(oneTo(count / 20));
    }

    @Test
    void deliversOnceAPeerThatWasDownComesUp() {
        Node a = start(A);
        for (int i = 1; i <= 10; i++) {
            a.transport.send(heartbeat(A, B, i)); // may be dropped or queued: B is not there yet
        }
        Node b = start(B);

        long next = sendUntilDelivered(a, B, b, 1_000);
        assertFollowingMessagesArriveInOrder(a, b, next);
    }

    @Test
    void reconnectsAfterAPeerRestarts() {
        Node a = start(A);
        Node b = start(B);
        a.transport.send(heartbeat(A, B, 1));
        await("the first message at " + B, () -> !b.inbox.isEmpty());

        b.transport.close();
        for (int i = 2; i <= 50; i++) {
            a.transport.send(heartbeat(A, B, i)); // lost or queued while B is down
        }
        Node restarted = start(B);

        long next = sendUntilDelivered(a, B, restarted, 1_000);
        assertFollowingMessagesArriveInOrder(a, restarted, next);
        restarted.transport.send(heartbeat(B, A, 1));
        await("a message from the restarted " + B, () -> !a.inbox.isEmpty());
        assertThat(a.received()).containsExactly(heartbeat(B, A, 1));
    }

    @Test
    void aClosedTransportReceivesNothing() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        b.transport.close();
        for (int i = 1; i <= 100; i++) {
            a.transport.send(heartbeat(A, B, i));
        }
        a.transport.send(heartbeat(A, C, 1));

        await("the marker at " + C, () -> !c.inbox.isEmpty());
        assertThat(b.received()).isEmpty();
    }

    @Test
    void startingTwiceIsRefused() {
        Node a = start(A);
        assertThatThrownBy(() -> a.transport.start(A, message -> {})).isInstanceOf(IllegalStateException.class);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** A heartbeat whose {@code prevLogIndex} carries a sequence number. */
    protected static AppendEntriesRequest heartbeat(NodeId from, NodeId to, long sequence) {
        return new AppendEntriesRequest(from, to, 1, sequence, 0, List.of(), 0);
    }

    /** The one chunk, of {@code data}, of a snapshot at {@code index} sent from A to B. */
    private static InstallSnapshotRequest snapshotOfOneChunk(long index, Bytes data) {
        return new InstallSnapshotRequest(A, B, 1, index, 1, data.size(), 0, data, true);
    }

    private static Bytes randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return Bytes.wrap(bytes);
    }

    private static long dropped(Node node, NodeId peer) {
        PeerTraffic traffic = node.transport.traffic().get(peer);
        return traffic == null ? 0 : traffic.dropped();
    }

    private String seeded() {
        return "seed " + seed + " (replay with -Draftlog.contract.seed=" + seed + ")";
    }

    protected static long sequence(RaftMessage message) {
        return ((AppendEntriesRequest) message).prevLogIndex();
    }

    private static List<Long> sequences(List<RaftMessage> messages) {
        return messages.stream().map(TransportContract::sequence).toList();
    }

    private static List<Long> oneTo(long count) {
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            expected.add(i);
        }
        return expected;
    }

    /** Sends numbered messages from {@code firstSequence} on until one arrives; returns the next number. */
    private long sendUntilDelivered(Node from, NodeId to, Node receiver, long firstSequence) {
        AtomicReference<Long> next = new AtomicReference<>(firstSequence);
        await("a message to reach the peer that came up", () -> {
            from.transport.send(heartbeat(from.id, to, next.get()));
            next.set(next.get() + 1);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // pace the retries, like Raft's heartbeats
            return !receiver.inbox.isEmpty();
        });
        return next.get();
    }

    /** Once a link works again, a burst sent on it arrives complete and in order. */
    private void assertFollowingMessagesArriveInOrder(Node from, Node receiver, long firstSequence) {
        await(
                "the stragglers of the reconnection",
                () -> receiver.inbox.stream().anyMatch(message -> sequence(message) == firstSequence - 1));
        int before = receiver.inbox.size();
        List<Long> burst = new ArrayList<>();
        for (long i = firstSequence + 1_000; i < firstSequence + 1_100; i++) {
            from.transport.send(heartbeat(from.id, receiver.id, i));
            burst.add(i);
        }
        await("a burst of 100 after the reconnection", () -> receiver.inbox.size() >= before + burst.size());
        List<Long> received = sequences(receiver.received());
        assertThat(received.subList(received.size() - burst.size(), received.size()))
                .isEqualTo(burst);
        assertThat(received).isSorted();
    }

    /** Polls {@code condition} until it holds, failing after {@link #patience()}. */
    protected final void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    protected final void await(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + patience().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + patience() + " waiting for " + what + " " + state.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A started transport and what it received, in arrival order. */
    protected static final class Node {
        final NodeId id;
        final Transport transport;
        final Queue<RaftMessage> inbox = new ConcurrentLinkedQueue<>();

        Node(NodeId id, Transport transport) {
            this.id = id;
            this.transport = transport;
        }

        public NodeId id() {
            return id;
        }

        public Transport transport() {
            return transport;
        }

        /** A snapshot of the messages received so far. */
        public List<RaftMessage> received() {
            return List.copyOf(inbox);
        }
    }
}
