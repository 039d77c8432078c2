package io.raftlog.examples;

import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/** A one-node cluster (the default store, Netty) in this JVM, already leading, with a client of it. */
final class OneNodeCluster implements AutoCloseable {
    final InetSocketAddress address = new InetSocketAddress("127.0.0.1", NodeProcesses.freePort());
    final ClusterNode node;
    final RaftClient client;

    OneNodeCluster(Path data) {
        node = ClusterNode.start(
                ClusterNode.DEFAULT_CLUSTER_ID,
                NodeId.of("n1"),
                address,
                Map.of(),
                data,
                Duration.ofMillis(10),
                io.raftlog.core.NodeConfig.StartMode.BOOTSTRAP,
                null);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> node.node.status().role() == Role.LEADER);
        client = new RaftClient(RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, List.of(address)));
    }

    String servers() {
        return NodeProcesses.hostPort(address);
    }

    @Override
    public void close() {
        client.close();
        node.close();
    }
}
