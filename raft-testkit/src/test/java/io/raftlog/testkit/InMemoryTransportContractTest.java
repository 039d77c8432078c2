package io.raftlog.testkit;

import io.raftlog.api.NodeId;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.transport.InMemoryNetwork;

/** raft-core's in-memory transport passes the transport contract; each test gets its own network. */
class InMemoryTransportContractTest extends TransportContract {
    private final InMemoryNetwork network = new InMemoryNetwork();

    @Override
    protected Transport newTransport(NodeId id) {
        return network.newTransport();
    }
}
