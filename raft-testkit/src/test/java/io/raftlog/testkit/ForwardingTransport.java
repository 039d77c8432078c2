package io.raftlog.testkit;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import java.util.Map;

/** A transport that hands every call to another one: the base of the deliberately broken transports. */
class ForwardingTransport implements Transport {
    final Transport delegate;

    ForwardingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start(NodeId self, MessageHandler handler) {
        delegate.start(self, handler);
    }

    @Override
    public void send(RaftMessage message) {
        delegate.send(message);
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
