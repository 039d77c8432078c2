package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.heartbeat;
import static io.raftlog.testkit.TransportContract.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.testkit.TransportContract.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every group of {@link TransportContract} shares: starting nodes through the contract
 * instance that encloses the group, bounded waits, counters, and the checks of a link that works
 * again. Every assertion's description starts with {@code "rule: "}.
 */
abstract class TransportRules {
    private final TransportContract contract;

    TransportRules(TransportContract contract) {
        this.contract = contract;
    }

    final Node start(NodeId id) {
        return contract.start(id);
    }

    final Node start(NodeId id, Consumer<RaftMessage> arrival, Function<RaftMessage, RaftMessage> answer) {
        return contract.start(id, arrival, answer);
    }

    final TransportContract contract() {
        return contract;
    }

    final Duration patience() {
        return contract.patience();
    }

    final String seeded() {
        return contract.seeded();
    }

    final void await(String what, BooleanSupplier condition) {
        contract.await(what, condition);
    }

    final void await(String what, BooleanSupplier condition, Supplier<String> state) {
        contract.await(what, condition, state);
    }

    /** Messages the transport of {@code node} counted as dropped on its way to {@code peer}. */
    static long dropped(Node node, NodeId peer) {
        PeerTraffic traffic = node.transport().traffic().get(peer);
        return traffic == null ? 0 : traffic.dropped();
    }

    /** Whether the transport of {@code node} reports traffic for {@code peer} (so drops are counted). */
    static boolean counts(Node node, NodeId peer) {
        return node.transport().traffic().containsKey(peer);
    }

    static List<Long> sequences(List<RaftMessage> messages) {
        return messages.stream().map(TransportContract::sequence).toList();
    }

    static List<Long> oneTo(long count) {
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            expected.add(i);
        }
        return expected;
    }

    /**
     * Waits until each of {@code sent} messages from {@code from} to {@code receiver} since the
     * counts {@code receivedBefore} and {@code droppedBefore} arrived or was counted as dropped; a
     * transport that reports no traffic must deliver them all.
     */
    final void awaitDeliveredOrCounted(
            Node from, Node receiver, long sent, int receivedBefore, long droppedBefore, String what) {
        boolean counting = counts(from, receiver.id());
        await(
                "rule: every message is delivered or dropped and counted in traffic() (" + what + ")",
                () -> receiver.inbox.size()
                                - receivedBefore
                                + (counting ? dropped(from, receiver.id()) - droppedBefore : 0)
                        >= sent,
                () -> "(" + (receiver.inbox.size() - receivedBefore) + " delivered, "
                        + (dropped(from, receiver.id()) - droppedBefore) + " counted as dropped, of " + sent
                        + " sent)");
        if (counting) {
            assertThat(receiver.inbox.size() - receivedBefore + dropped(from, receiver.id()) - droppedBefore)
                    .as("rule: a message is delivered or counted as dropped, never both (%s)", what)
                    .isEqualTo(sent);
        }
    }

    /** Sends numbered messages from {@code firstSequence} on until one arrives; returns the next number. */
    final long sendUntilDelivered(Node from, Node receiver, long firstSequence) {
        return sendUntilDelivered(from, receiver, firstSequence, new AtomicLong());
    }

    /** Like {@link #sendUntilDelivered(Node, Node, long)}, adding each message sent to {@code sentCount}. */
    final long sendUntilDelivered(Node from, Node receiver, long firstSequence, AtomicLong sentCount) {
        AtomicLong next = new AtomicLong(firstSequence);
        int before = receiver.inbox.size();
        await("a message to reach " + receiver.id() + " again", () -> {
            from.transport().send(heartbeat(from.id(), receiver.id(), next.getAndIncrement()));
            sentCount.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // pace the retries, like Raft's heartbeats
            return receiver.inbox.size() > before;
        });
        return next.get();
    }

    /** Once a link works again, a burst sent on it arrives complete and in order. */
    final void assertFollowingMessagesArriveInOrder(Node from, Node receiver, long firstSequence) {
        await(
                "the stragglers of the reconnection",
                () -> receiver.inbox.stream().anyMatch(message -> sequence(message) == firstSequence - 1));
        int before = receiver.inbox.size();
        List<Long> burst = new ArrayList<>();
        for (long i = firstSequence + 1_000; i < firstSequence + 1_100; i++) {
            from.transport().send(heartbeat(from.id(), receiver.id(), i));
            burst.add(i);
        }
        await("a burst of 100 after the link works again", () -> receiver.inbox.size() >= before + burst.size());
        List<Long> received = sequences(receiver.received());
        assertThat(received.subList(received.size() - burst.size(), received.size()))
                .as("rule: once a link works again, what is sent on it arrives complete and in order")
                .isEqualTo(burst);
        assertThat(received)
                .as("rule: a link keeps its order across an outage (what arrives is a subsequence of what was sent)")
                .isSorted();
    }

    /** Waits for {@code latch} up to {@link #patience()}; false if it did not open. */
    final boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
