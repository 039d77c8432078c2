package io.raftlog.api.spi.transport;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import java.util.List;
import java.util.Map;

/**
 * Carries {@link RaftMessage}s between cluster members: the transport plugin SPI.
 *
 * <p><b>Delivery.</b> Best effort, like a datagram network: a message may be lost, and the protocol
 * retries. A transport must never deliver a message to a node other than its {@code to()}, and
 * must keep the order of messages sent on one link (from this node to one peer) while the link
 * stays up: what arrives is a subsequence of what was sent, in order.
 *
 * <p><b>Back-pressure.</b> {@link #send} never blocks its caller. When a peer is slow, unreachable
 * or its handler is stalled, the transport keeps a bounded number of messages for it and drops the
 * rest, counting them in {@link PeerTraffic#dropped()}; one stalled peer costs bounded memory and
 * never delays the links to the others; delivery resumes once the peer takes messages again.
 *
 * <p><b>Threads.</b> All methods are thread-safe. {@link #send} is called concurrently by the
 * node's event loop ({@code raftlog-loop-<id>}), its I/O thread ({@code raftlog-io-<id>}, which
 * sends votes and acknowledgements once they are durable), and {@link MessageHandler}s answering
 * on the transport's own threads. A sender's interrupt flag may
 * be set, or the sender interrupted while it sends: {@code send} must then neither throw nor break
 * the transport for other senders, must leave the flag as it was, and must deliver the message or
 * drop and count it. So it does no blocking, interruptible I/O on the caller's thread (an interrupt
 * closes a {@link java.nio.channels.SocketChannel} or {@code FileChannel} in use; hand the message
 * to a thread of the transport instead). {@link #start} and {@link #close} are called once each, by
 * the node.
 *
 * <p><b>Errors and closing.</b> {@link #send} on a transport never started throws
 * {@link IllegalStateException}; after {@link #close()} it drops silently. Failures of a link
 * (refused connection, reset) are the transport's to log, count and retry; they never reach the
 * caller of {@code send}.
 *
 * <p><b>Ownership.</b> The node given the transport starts it in {@code RaftNode.start()} and
 * closes it in {@code RaftNode.close()} (and when its constructor or start fails).
 *
 * <p>Implementations prove themselves by passing {@code io.raftlog.testkit.TransportContract}.
 */
public interface Transport extends AutoCloseable {
    /**
     * Starts accepting messages for {@code self} and handing them to {@code handler}.
     *
     * @throws IllegalStateException if already started
     */
    void start(NodeId self, MessageHandler handler);

    /**
     * Queues {@code message} for its addressee and returns at once. After {@link #close()} it drops
     * the message silently: a node shutting down must not fail on its way out.
     *
     * @throws IllegalStateException if the transport was never started
     */
    void send(RaftMessage message);

    /** Queues several messages; a transport may send them as one write per peer. */
    default void send(List<? extends RaftMessage> messages) {
        for (RaftMessage message : messages) {
            send(message);
        }
    }

    /**
     * The nodes to reach are now {@code membership}'s members: at start, and after each change
     * (it takes effect as soon as its entry is in the node's log). Until a removal commits, the
     * node includes the members it removes, as learners, so that they can receive the entry that
     * removes them. A transport that reaches peers by address connects to every member at the
     * address the membership records (where one is recorded, {@code ""} otherwise), accepts
     * messages from every member, and drops its connections to nodes no longer in it. Called on
     * the node's loop thread; must not block.
     * The default does nothing: a transport whose peers are fixed in its own configuration (or,
     * like the in-memory one, needs no addresses) then reaches only those.
     */
    default void membershipChanged(io.raftlog.api.Membership membership) {}

    /**
     * The largest message, as {@link io.raftlog.api.message.MessageCodec#encodedSize} counts it,
     * that this transport carries; a larger one is dropped (and counted). A node refuses records
     * that could never travel to its followers, and checks its append size limit against this at
     * start. Unlimited by default.
     */
    default int maxMessageBytes() {
        return Integer.MAX_VALUE;
    }

    /**
     * Counters of each peer link, for metrics; read at scrape time, so a transport keeps them in
     * whatever cheap form it likes and builds the snapshot here. Empty by default (a transport that
     * counts nothing).
     */
    default Map<NodeId, PeerTraffic> traffic() {
        return Map.of();
    }

    /**
     * The transport's own counters besides its peers' traffic, by a short snake_case name, for
     * metrics: connections refused and why, protocol errors and the like, each only growing while
     * the transport runs. Read at scrape time. Empty by default.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** Stops sending and receiving and releases every resource; pending messages are dropped. */
    @Override
    void close();
}
