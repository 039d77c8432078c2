package io.raftlog.transport.netty;

import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.storage.InMemoryLogStore;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real cluster on loopback: raft-core's {@link RaftNode}s over {@link NettyTransport}s and
 * in-memory stores, each transport serving clients from its node.
 */
final class LoopbackRaftCluster implements AutoCloseable {
    final List<NodeId> members;
    final Map<NodeId, InetSocketAddress> addresses;
    final Map<NodeId, RaftNode> nodes = new LinkedHashMap<>();
    final Map<NodeId, NettyTransport> transports = new LinkedHashMap<>();

    LoopbackRaftCluster(int size) {
        this(names(size), UnaryOperator.identity());
    }

    /** A cluster of {@code ids}, each transport's config changed by {@code tweak}. */
    LoopbackRaftCluster(List<NodeId> ids, UnaryOperator<NettyTransportConfig> tweak) {
        members = List.copyOf(ids);
        addresses = Loopback.addresses(members);
        for (NodeId id : members) {
            NettyTransport transport = new NettyTransport(tweak.apply(Loopback.config(id, addresses)));
            RaftNode node = new RaftNode(NodeConfig.of(id, members), new InMemoryLogStore(), transport);
            transport.serveClients(node);
            node.start();
            nodes.put(id, node);
            transports.put(id, transport);
        }
    }

    private static List<NodeId> names(int size) {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        return ids;
    }

    /** Waits for a leader that every member agrees on, and returns it. */
    NodeId awaitLeader(Duration timeout) {
        return await().atMost(timeout)
                .until(this::agreedLeader, Optional::isPresent)
                .orElseThrow();
    }

    private Optional<NodeId> agreedLeader() {
        Optional<NodeId> leader = Optional.empty();
        for (RaftNode node : nodes.values()) {
            if (node.status().role() == Role.LEADER) {
                leader = Optional.of(node.id());
            }
        }
        if (leader.isEmpty()) {
            return leader;
        }
        for (RaftNode node : nodes.values()) {
            if (!node.status().leader().equals(leader)) {
                return Optional.empty();
            }
        }
        return leader;
    }

    List<NodeId> followers(NodeId leader) {
        return members.stream().filter(id -> !id.equals(leader)).toList();
    }

    @Override
    public void close() {
        nodes.values().forEach(RaftNode::close); // closes the transports too
    }
}
