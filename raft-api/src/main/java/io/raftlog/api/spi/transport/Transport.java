package io.raftlog.api.spi.transport;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import java.util.List;
import java.util.Map;

/**
 * Carries {@link RaftMessage}s between cluster members: the transport plugin SPI.
 *
 * <p>Delivery is best effort, like a datagram network: a message may be lost, and the protocol
 * retries. A transport must never deliver a message to a node other than its {@code to()}, must
 * keep the order of messages sent on one link while the link stays up, and must never block the
 * caller of {@link #send}: when a peer is slow or unreachable it drops (and counts) messages beyond
 * a bound rather than buffer without limit.
 *
 * <p>All methods are thread-safe. Implementations prove themselves by passing
 * {@code io.raftlog.testkit.TransportContract}.
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

    /** Stops sending and receiving and releases every resource; pending messages are dropped. */
    @Override
    void close();
}
