package io.raftlog.transport.netty;

import io.raftlog.api.NodeId;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.testkit.TransportContract;
import java.net.InetSocketAddress;
import java.util.Map;

/** The NIO fallback (used where native epoll is unavailable) passes the transport contract too. */
class NioTransportContractTest extends TransportContract {
    private final Map<NodeId, InetSocketAddress> addresses = Loopback.addresses(MEMBERS);

    @Override
    protected Transport newTransport(NodeId id) {
        return new NettyTransport(Loopback.config(id, addresses).withUseEpoll(false));
    }
}
