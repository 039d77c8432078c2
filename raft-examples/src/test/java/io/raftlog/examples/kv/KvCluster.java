package io.raftlog.examples.kv;

import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftNode;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;
import io.raftlog.core.transport.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * Real {@link RaftNode}s (real clock, 10 ms ticks) on in-memory storage and an in-memory network
 * that a test can cut, each applying its log to its own {@link KvStateMachine}.
 */
final class KvCluster implements AutoCloseable {
    final InMemoryNetwork network = new InMemoryNetwork();
    final List<NodeId> ids = new ArrayList<>();
    final List<RaftNode> nodes = new ArrayList<>();
    final List<KvStateMachine> machines = new ArrayList<>();
    final List<KvStore> stores = new ArrayList<>();

    /**
     * {@code size} nodes; appends and reads give up after {@code appendTimeout}, so an operation
     * caught by a partition ends (indeterminate, or refused) soon.
     */
    KvCluster(int size, Duration appendTimeout, long seed) {
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        for (NodeId id : ids) {
            KvStateMachine machine = new KvStateMachine();
            RaftNode node = new RaftNode(
                    NodeConfig.of(id, ids).withAppendTimeout(appendTimeout),
                    new InMemoryLogStore(new InMemoryLogStore.Volume()),
                    new InMemorySnapshotStore(),
                    machine,
                    network.newTransport(),
                    NodeMetrics.NONE,
                    seed * 31 + nodes.size());
            machines.add(machine);
            nodes.add(node.start());
            stores.add(new KvStore(node, machine));
        }
    }

    /** The index of the node that leads, once one does. */
    int awaitLeader() {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(this::leader, Optional::isPresent)
                .orElseThrow();
    }

    Optional<Integer> leader() {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).status().role() == Role.LEADER) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** The index of {@code id}'s node. */
    int indexOf(NodeId id) {
        return ids.indexOf(id);
    }

    /** Cuts node {@code index} off from every other node, both ways. */
    void isolate(int index) {
        for (NodeId other : ids) {
            if (!other.equals(ids.get(index))) {
                network.cut(ids.get(index), other);
            }
        }
    }

    /** The highest term any node is in. */
    long maxTerm() {
        return nodes.stream().mapToLong(node -> node.status().term()).max().orElse(0);
    }

    @Override
    public void close() {
        nodes.forEach(RaftNode::close);
    }
}
