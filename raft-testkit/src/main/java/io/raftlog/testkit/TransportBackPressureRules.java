package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.A;
import static io.raftlog.testkit.TransportContract.B;
import static io.raftlog.testkit.TransportContract.C;
import static io.raftlog.testkit.TransportContract.heartbeat;
import static io.raftlog.testkit.TransportContract.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.testkit.TransportContract.Node;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A receiver whose handler is blocked (a stalled node, a long GC pause): the sender's
 * {@code send} never blocks, its other links keep flowing, the transport keeps a bounded number of
 * messages for the stalled peer and drops and counts the rest, and delivery resumes, in order,
 * once the handler returns.
 */
abstract class TransportBackPressureRules extends TransportRules {
    TransportBackPressureRules(TransportContract contract) {
        super(contract);
    }

    @Test
    void sendNeverBlocksAndOtherLinksFlowWhileAReceiversHandlerIsBlocked() throws Exception {
        Stalled stalled = stallB();
        try {
            stalled.flood();
        } finally {
            stalled.release();
        }
    }

    @Test
    void aBlockedReceiverCostsBoundedMemoryAndDeliveryResumesInOrder() throws Exception {
        Stalled stalled = stallB();
        try {
            stalled.flood();
        } finally {
            stalled.release();
        }
        Node a = stalled.a;
        Node b = stalled.b;
        long next = sendUntilOneArrivesAfterTheFlood(stalled);
        int burst = contract().backPressureMessages();
        long delivered = b.received().stream()
                .filter(message -> message instanceof AppendEntriesRequest request && request.term() == FLOOD_TERM)
                .count();
        assertThat(delivered)
                .as(
                        "rule: a transport keeps a bounded number of messages for a peer that does not take them;"
                                + " all %d sent while its handler was blocked were kept",
                        burst)
                .isLessThan(burst);
        assertThat(sequences(b.received()))
                .as("rule: what survives back-pressure arrives in the order it was sent")
                .isSorted();
        awaitDeliveredOrCountedSince(stalled, "a peer whose handler was blocked");
        assertFollowingMessagesArriveInOrder(a, b, next);
    }

    /**
     * Sends numbered heartbeats after the flood until one arrives: then everything of the flood
     * that survived has arrived before it (the link keeps its order). Returns the next number.
     */
    private long sendUntilOneArrivesAfterTheFlood(Stalled stalled) {
        long first = stalled.flooded + 1;
        AtomicLong next = new AtomicLong(first);
        await(
                "a message sent after the flood to reach B once its handler is free",
                () -> {
                    stalled.a.transport().send(heartbeat(A, B, next.getAndIncrement()));
                    stalled.sentToB.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // pace them, like heartbeats
                    return stalled.b.inbox.stream().anyMatch(message -> sequence(message) >= first);
                },
                () -> "(" + stalled.b.inbox.size() + " messages arrived at B)");
        return next.get();
    }

    /** The term of the flood's messages, to tell them from the probes and markers around them. */
    private static final long FLOOD_TERM = 7;

    private void awaitDeliveredOrCountedSince(Stalled stalled, String what) {
        if (counts(stalled.a, B)) {
            awaitDeliveredOrCounted(stalled.a, stalled.b, stalled.sentToB.get(), 0, stalled.droppedBefore, what);
        }
    }

    /**
     * Starts A, B and C, and makes sure A's link to B works; B's handler then blocks at the first
     * message of the flood, until {@link Stalled#release()}.
     */
    private Stalled stallB() {
        CountDownLatch gate = new CountDownLatch(1);
        Node b = start(
                B,
                message -> {
                    if (message.term() == FLOOD_TERM) {
                        awaitLatch(gate);
                    }
                },
                message -> null);
        Node a = start(A);
        Node c = start(C);
        Stalled stalled = new Stalled(a, b, c, gate, dropped(a, B));
        AtomicLong probe = new AtomicLong();
        await("a first message from A to reach B", () -> {
            a.transport().send(heartbeat(A, B, probe.incrementAndGet()));
            stalled.sentToB.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // pace the probes
            return !b.inbox.isEmpty();
        });
        stalled.flooded = probe.get();
        return stalled;
    }

    /** Three nodes, B's handler blocked until {@link #release()}. */
    private final class Stalled {
        final Node a;
        final Node b;
        final Node c;
        final CountDownLatch gate;
        final long droppedBefore;
        final AtomicLong sentToB = new AtomicLong();
        /** The last sequence number sent before the flood. */
        long flooded;

        Stalled(Node a, Node b, Node c, CountDownLatch gate, long droppedBefore) {
            this.a = a;
            this.b = b;
            this.c = c;
            this.gate = gate;
            this.droppedBefore = droppedBefore;
        }

        /**
         * From a thread of its own, sends {@link TransportContract#backPressureMessages()} messages
         * to the blocked B and one in a hundred to C: the sender must finish, and C get all of its.
         */
        void flood() throws Exception {
            int count = contract().backPressureMessages();
            Bytes payload = Bytes.wrap(new byte[contract().backPressurePayloadBytes()]);
            long first = flooded + 1;
            FutureTask<Void> sending = new FutureTask<>(
                    () -> {
                        for (int i = 0; i < count; i++) {
                            long sequence = first + i;
                            a.transport()
                                    .send(new AppendEntriesRequest(
                                            A,
                                            B,
                                            FLOOD_TERM,
                                            sequence,
                                            0,
                                            List.of(LogEntry.data(sequence + 1, 1, payload)),
                                            0));
                            sentToB.incrementAndGet();
                            if (i % 100 == 0) {
                                a.transport().send(heartbeat(A, C, i / 100 + 1));
                            }
                        }
                    },
                    null);
            Thread sender = new Thread(sending, "contract-flooding-sender");
            sender.setDaemon(true);
            sender.start();
            try {
                sending.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("rule: send never blocks, also while the addressee's handler is blocked"
                        + " (the sender had not sent " + count + " messages after " + patience() + ")");
            }
            flooded = first + count - 1;
            int toC = (count + 99) / 100;
            await(
                    "rule: a peer whose handler is blocked never holds up the sender's other links (" + toC
                            + " messages to C)",
                    () -> c.inbox.size() >= toC,
                    () -> "(" + c.inbox.size() + " arrived)");
            assertThat(sequences(c.received()))
                    .as("rule: a peer whose handler is blocked never holds up the sender's other links")
                    .isEqualTo(oneTo(toC));
        }

        void release() {
            gate.countDown();
        }
    }
}
