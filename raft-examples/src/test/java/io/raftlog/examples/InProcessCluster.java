package io.raftlog.examples;

import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import io.raftlog.core.NodeConfig;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Nodes of one cluster in this JVM, each as {@code raftlog node} runs it (the default store in its own
 * directory, Netty on a loopback port, 10 ms ticks), with a client of them: for the tests of the
 * commands that talk to a cluster, which run in child JVMs against it.
 */
final class InProcessCluster implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Path root;
    final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<String, ClusterNode> running = new LinkedHashMap<>();
    final RaftClient client;

    /** Bootstraps a cluster of {@code ids} and waits until one of them leads. */
    InProcessCluster(Path root, String... ids) {
        this.root = root;
        for (String id : ids) {
            allocate(id);
        }
        for (String id : ids) {
            Map<NodeId, InetSocketAddress> peers = addresses.entrySet().stream()
                    .filter(entry -> !entry.getKey().equals(id))
                    .collect(Collectors.toMap(
                            entry -> NodeId.of(entry.getKey()), Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
            start(id, peers, NodeConfig.StartMode.BOOTSTRAP);
        }
        client = new RaftClient(RaftClientConfig.of(ClusterNode.DEFAULT_CLUSTER_ID, List.copyOf(addresses.values()))
                .withRequestTimeout(WAIT));
        leader();
    }

    /** Gives {@code id} a free loopback port, for a node to start later (or never). */
    InetSocketAddress allocate(String id) {
        return addresses.computeIfAbsent(id, ignored -> new InetSocketAddress("127.0.0.1", NodeProcesses.freePort()));
    }

    /**
     * Starts {@code id} as {@code raftlog node --join} does: a new node on an empty directory, with
     * the cluster's members now as its peers. It is no member until an operator adds it.
     */
    ClusterNode join(String id, Collection<String> members) {
        allocate(id);
        Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
        for (String member : members) {
            peers.put(NodeId.of(member), addresses.get(member));
        }
        return start(id, peers, NodeConfig.StartMode.JOIN);
    }

    private ClusterNode start(String id, Map<NodeId, InetSocketAddress> peers, NodeConfig.StartMode mode) {
        ClusterNode node = ClusterNode.start(
                ClusterNode.DEFAULT_CLUSTER_ID,
                NodeId.of(id),
                addresses.get(id),
                peers,
                root.resolve(id),
                Duration.ofMillis(10),
                mode,
                null);
        running.put(id, node);
        return node;
    }

    /** Closes {@code id} as a graceful stop does (a leader hands off first). */
    void stop(String id) {
        running.remove(id).close();
    }

    NodeStatus status(String id) {
        return running.get(id).node.status();
    }

    /** The id of the node every running node follows, once they agree on one that leads. */
    String leader() {
        return Awaitility.await()
                .atMost(WAIT)
                .until(this::agreedLeader, Optional::isPresent)
                .orElseThrow();
    }

    /** A leader that every running member of its membership follows (a node not added yet, or removed, has none). */
    private Optional<String> agreedLeader() {
        Optional<ClusterNode> leader = running.values().stream()
                .filter(node -> node.node.status().role() == Role.LEADER)
                .findFirst();
        if (leader.isEmpty()) {
            return Optional.empty();
        }
        Membership members = leader.get().node.membership();
        Optional<NodeId> id = Optional.of(leader.get().node.id());
        boolean followed = running.entrySet().stream()
                .filter(node -> members.contains(NodeId.of(node.getKey())))
                .allMatch(node -> node.getValue().node.status().leader().equals(id));
        return followed ? id.map(NodeId::value) : Optional.empty();
    }

    /** The membership in effect on the leader. */
    Membership membership() {
        return running.get(leader()).node.membership();
    }

    /** {@code host:port} of {@code ids}, comma-separated, as {@code --servers} takes them. */
    String servers(Collection<String> ids) {
        return ids.stream().map(id -> address(id)).collect(Collectors.joining(","));
    }

    /** {@code --servers} of every node started so far. */
    String servers() {
        return servers(running.keySet());
    }

    String address(String id) {
        return NodeProcesses.hostPort(addresses.get(id));
    }

    @Override
    public void close() {
        client.close();
        running.values().forEach(ClusterNode::close);
        running.clear();
    }
}
