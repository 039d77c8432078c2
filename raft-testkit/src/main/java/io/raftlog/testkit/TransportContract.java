package io.raftlog.testkit;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract every {@link Transport} must pass (a TCK): delivery, per-link ordering, a
 * snapshot streamed in large chunks, the largest message the transport advertises (and one byte
 * more, which it drops), reconnection after a peer restarts, behaviour while a peer is down,
 * back-pressure from a receiver whose handler is blocked, senders that are interrupted, and no
 * delivery to the wrong node. A plugin author extends this class and supplies
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
 * <p>The tests come in groups (JUnit {@link Nested} classes, reported under this class); each
 * assertion names the rule it checks ({@code "[rule: send never blocks ...]"}), the rules of the
 * {@link Transport} Javadoc. To turn a test off, with a reason, see {@link ContractExclusion}.
 *
 * <p>Each test runs on a fresh test instance with the cluster {@link #MEMBERS}; it may create
 * a transport for the same member again after closing the previous one, which models a restart
 * (a networked transport must then listen where the old one did). Delivery is best effort in
 * general, but on a healthy link with a modest load the contract expects every message to
 * arrive, in order; where it loads a link beyond what a transport may keep, every message must be
 * delivered or counted as dropped in {@link Transport#traffic()} (a transport that reports no
 * traffic skips those counts). Waits are bounded ({@link #patience()}); nothing sleeps for a fixed
 * time. Tests with random data print their seed when they fail; {@code -Draftlog.contract.seed=S}
 * replays it.
 */
@ExtendWith(ContractExclusions.class)
public abstract class TransportContract {
    protected static final NodeId A = NodeId.of("node-a");
    protected static final NodeId B = NodeId.of("node-b");
    protected static final NodeId C = NodeId.of("node-c");
    /** The members of the test cluster. */
    protected static final List<NodeId> MEMBERS = List.of(A, B, C);
    /** A node that is not a member: nothing may ever be delivered for it. */
    protected static final NodeId STRANGER = NodeId.of("node-stranger");

    private final List<Node> started = new ArrayList<>();
    final long seed = Long.getLong("raftlog.contract.seed", System.nanoTime());

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

    /**
     * Messages sent to a peer whose handler is blocked: more than the transport keeps for one peer,
     * so some must be dropped. The default, 100,000 (of {@link #backPressurePayloadBytes()} each),
     * is above the in-memory transport's 65,536 and Netty's 4,096 plus its socket buffers; a
     * transport that keeps more for a stalled peer raises it.
     */
    protected int backPressureMessages() {
        return 100_000;
    }

    /** Payload bytes of each message of the back-pressure tests (one payload shared by all). */
    protected int backPressurePayloadBytes() {
        return 256;
    }

    @AfterEach
    final void closeTransports() {
        for (Node node : started) {
            node.transport.close();
        }
    }

    /** Creates and starts a transport for {@code id}, recording what it receives. */
    protected final Node start(NodeId id) {
        return start(id, message -> {}, message -> null);
    }

    /**
     * Creates and starts a transport for {@code id}. Its handler hands each message to
     * {@code arrival} first (which may block, as a stalled node's would), then records it, then
     * sends what {@code answer} returns for it (nothing for null) from the transport's own
     * delivery thread, as a node would.
     */
    final Node start(NodeId id, Consumer<RaftMessage> arrival, Function<RaftMessage, RaftMessage> answer) {
        Node node = new Node(id, newTransport(id));
        node.transport.start(id, message -> {
            arrival.accept(message);
            node.inbox.add(message);
            RaftMessage reply = answer.apply(message);
            if (reply != null) {
                node.transport.send(reply);
            }
        });
        started.add(node);
        return node;
    }

    /** A heartbeat whose {@code prevLogIndex} carries a sequence number. */
    protected static AppendEntriesRequest heartbeat(NodeId from, NodeId to, long sequence) {
        return new AppendEntriesRequest(from, to, 1, sequence, 0, List.of(), 0);
    }

    /** The sequence number {@link #heartbeat} and the contract's other numbered messages carry. */
    protected static long sequence(RaftMessage message) {
        return ((AppendEntriesRequest) message).prevLogIndex();
    }

    /** Polls {@code condition} until it holds, failing after {@link #patience()}. */
    protected final void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** Like {@link #await(String, BooleanSupplier)}, adding {@code state} to the failure message. */
    protected final void await(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + patience().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + patience() + " waiting for " + what + " " + state.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The seed, with the property that replays it, for assertion messages. */
    final String seeded() {
        return "seed " + seed + " (replay with -Draftlog.contract.seed=" + seed + ")";
    }

    @Nested
    @DisplayName("delivery: every kind and size of message arrives intact")
    class Delivery extends TransportDeliveryRules {
        Delivery() {
            super(TransportContract.this);
        }
    }

    @Nested
    @DisplayName("order and addressing: each link keeps its order; nothing reaches another node")
    class Ordering extends TransportOrderRules {
        Ordering() {
            super(TransportContract.this);
        }
    }

    @Nested
    @DisplayName("peers down, restarting or closed")
    class Peers extends TransportPeerRules {
        Peers() {
            super(TransportContract.this);
        }
    }

    @Nested
    @DisplayName("back-pressure: a blocked receiver costs the sender neither time nor unbounded memory")
    class BackPressure extends TransportBackPressureRules {
        BackPressure() {
            super(TransportContract.this);
        }
    }

    @Nested
    @DisplayName("interrupted senders: no exception, flag kept, nothing lost uncounted")
    class InterruptedSenders extends TransportInterruptRules {
        InterruptedSenders() {
            super(TransportContract.this);
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
