package io.raftlog.core.transport;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} inside one JVM, for tests and embedded clusters. Messages pass by reference
 * (they are immutable) through an {@link InMemoryNetwork}; each started transport has a bounded
 * inbox drained by its own delivery thread, so a link keeps its order, a slow handler never blocks
 * a sender, and messages beyond the bound are dropped and counted like on a real network.
 * A {@link QueueingMessageHandler} (the node's own) has a queue of its own and never blocks: it is
 * called on the sender's thread instead, which saves a thread hand-off per message.
 * {@link #traffic()} counts messages per peer (there are no frames, so no bytes).
 */
public final class InMemoryTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryTransport.class);

    private final InMemoryNetwork network;
    private final BlockingQueue<RaftMessage> inbox;
    private final Map<NodeId, Counters> counters = new ConcurrentHashMap<>();
    private volatile NodeId self;
    private volatile boolean closed;
    private Thread delivery;
    /** The handler called on the sender's thread, or null when a delivery thread calls it. */
    private volatile QueueingMessageHandler direct;

    InMemoryTransport(InMemoryNetwork network) {
        this.network = network;
        this.inbox = new ArrayBlockingQueue<>(network.inboxCapacity());
    }

    @Override
    public synchronized void start(NodeId self, MessageHandler handler) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(handler, "handler");
        if (this.self != null || closed) {
            throw new IllegalStateException("transport already started or closed");
        }
        // Set before attaching: a sender that finds this transport attached calls the handler.
        direct = handler instanceof QueueingMessageHandler queueing ? queueing : null;
        try {
            network.attach(self, this);
        } catch (RuntimeException taken) {
            direct = null;
            throw taken;
        }
        this.self = self;
        if (direct == null) {
            delivery = new Thread(() -> deliverLoop(handler), "raftlog-inmemory-" + self);
            delivery.setDaemon(true);
            delivery.start();
        }
    }

    @Override
    public void send(RaftMessage message) {
        if (closed) {
            return; // dropped: the node is shutting down
        }
        if (self == null) {
            throw new IllegalStateException("transport is not started");
        }
        if (!message.from().equals(self)) {
            throw new IllegalArgumentException(
                    "message from " + message.from() + " sent through the transport of " + self);
        }
        Counters link = countersOf(message.to());
        if (network.route(message)) {
            link.sent.increment();
        } else {
            link.dropped.increment();
        }
    }

    @Override
    public Map<NodeId, PeerTraffic> traffic() {
        Map<NodeId, PeerTraffic> traffic = new HashMap<>();
        counters.forEach((peer, link) ->
                traffic.put(peer, new PeerTraffic(link.sent.sum(), 0, link.received.sum(), 0, link.dropped.sum())));
        return Map.copyOf(traffic);
    }

    private Counters countersOf(NodeId peer) {
        return counters.computeIfAbsent(peer, unused -> new Counters());
    }

    /** One peer's counts: sent and dropped by this transport, received from that peer. */
    private static final class Counters {
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder dropped = new LongAdder();
    }

    boolean offer(RaftMessage message) {
        if (closed) {
            return false;
        }
        QueueingMessageHandler handler = direct;
        if (handler == null) {
            return inbox.offer(message);
        }
        countersOf(message.from()).received.increment();
        try {
            handler.onMessage(message);
        } catch (RuntimeException e) {
            LOG.warn("message handler of {} failed", self, e); // the sender goes on, as it would with a thread
        }
        return true;
    }

    private void deliverLoop(MessageHandler handler) {
        while (!closed) {
            try {
                RaftMessage message = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (message != null && !closed) {
                    countersOf(message.from()).received.increment();
                    handler.onMessage(message);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A handler failure must not stop delivery of every later message.
                LOG.warn("message handler of {} failed", self, e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (self != null) {
            network.detach(self, this);
        }
        inbox.clear();
        if (delivery != null) {
            delivery.interrupt();
            try {
                delivery.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
