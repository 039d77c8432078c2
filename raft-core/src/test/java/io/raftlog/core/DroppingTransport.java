package io.raftlog.core;

import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A transport that loses the first {@code limit} outgoing messages {@code lost} picks (a message
 * lost on the wire), and sends everything else as its delegate does.
 */
final class DroppingTransport implements Transport {
    private final Transport delegate;
    private final Predicate<RaftMessage> lost;
    private final int limit;
    /** Messages lost so far. */
    final AtomicInteger dropped = new AtomicInteger();

    DroppingTransport(Transport delegate, Predicate<RaftMessage> lost, int limit) {
        this.delegate = delegate;
        this.lost = lost;
        this.limit = limit;
    }

    private boolean drops(RaftMessage message) {
        if (!lost.test(message)) {
            return false;
        }
        return dropped.getAndUpdate(count -> count < limit ? count + 1 : count) < limit;
    }

    @Override
    public void start(NodeId self, MessageHandler handler) {
        delegate.start(self, handler);
    }

    @Override
    public void send(RaftMessage message) {
        if (!drops(message)) {
            delegate.send(message);
        }
    }

    @Override
    public void send(List<? extends RaftMessage> messages) {
        delegate.send(messages.stream().filter(message -> !drops(message)).toList());
    }

    @Override
    public void membershipChanged(Membership membership) {
        delegate.membershipChanged(membership);
    }

    @Override
    public int maxMessageBytes() {
        return delegate.maxMessageBytes();
    }

    @Override
    public Map<NodeId, PeerTraffic> traffic() {
        return delegate.traffic();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
