package io.raftlog.core.transport;

import io.raftlog.api.NodeId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switch that {@link InMemoryTransport}s plug into: it routes each message to the transport
 * started for its addressee, and lets tests cut links. Thread-safe.
 */
public final class InMemoryNetwork {
    private final Map<NodeId, InMemoryTransport> attached = new ConcurrentHashMap<>();
    private final Set<String> blockedLinks = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final int inboxCapacity;

    /** A network whose transports each queue at most {@code inboxCapacity} undelivered messages. */
    public InMemoryNetwork(int inboxCapacity) {
        if (inboxCapacity < 1) {
            throw new IllegalArgumentException("inboxCapacity must be positive, was " + inboxCapacity);
        }
        this.inboxCapacity = inboxCapacity;
    }

    public InMemoryNetwork() {
        this(65_536);
    }

    /** A new, not yet started transport on this network. */
    public InMemoryTransport newTransport() {
        return new InMemoryTransport(this);
    }

    /** Stops delivery from {@code from} to {@code to} (one way) until {@link #heal()}. */
    public void block(NodeId from, NodeId to) {
        blockedLinks.add(from + "->" + to);
    }

    /** Cuts both directions between {@code a} and {@code b}. */
    public void cut(NodeId a, NodeId b) {
        block(a, b);
        block(b, a);
    }

    /** Restores both directions between {@code a} and {@code b}, leaving other cuts as they are. */
    public void restore(NodeId a, NodeId b) {
        blockedLinks.remove(a + "->" + b);
        blockedLinks.remove(b + "->" + a);
    }

    /** Restores every link. */
    public void heal() {
        blockedLinks.clear();
    }

    /** Messages dropped so far: to an unknown or stopped node, over a cut link, or to a full inbox. */
    public long dropped() {
        return dropped.get();
    }

    int inboxCapacity() {
        return inboxCapacity;
    }

    void attach(NodeId id, InMemoryTransport transport) {
        if (attached.putIfAbsent(id, transport) != null) {
            throw new IllegalStateException("a transport for node " + id + " is already started on this network");
        }
    }

    void detach(NodeId id, InMemoryTransport transport) {
        attached.remove(id, transport);
    }

    /** Puts {@code message} in its addressee's inbox; false (and counted) if it was dropped. */
    boolean route(io.raftlog.api.message.RaftMessage message) {
        InMemoryTransport target = attached.get(message.to());
        if (target == null
                || (!blockedLinks.isEmpty() && blockedLinks.contains(message.from() + "->" + message.to()))
                || !target.offer(message)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }
}
