package io.raftlog.transport.netty;

import io.raftlog.api.NodeId;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.testkit.TransportContract;
import java.net.InetSocketAddress;
import java.util.Map;

/** NettyTransport passes the transport contract on loopback; a restart listens on the same port again. */
class NettyTransportContractTest extends TransportContract {
    private final Map<NodeId, InetSocketAddress> addresses = Loopback.addresses(MEMBERS);

    @Override
    protected Transport newTransport(NodeId id) {
        return new NettyTransport(Loopback.config(id, addresses));
    }
}
