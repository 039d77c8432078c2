package io.raftlog.core;

import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.transport.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;

/** Real {@link RaftNode}s on in-memory storage and transport, for runtime tests. */
final class LocalCluster implements AutoCloseable {
    final InMemoryNetwork network = new InMemoryNetwork();
    final List<NodeId> ids = new ArrayList<>();
    final Map<NodeId, InMemoryLogStore.Volume> volumes = new LinkedHashMap<>();
    final Map<NodeId, RaftNode> nodes = new LinkedHashMap<>();
    /** Entries whose stored copy fails its check when the node next starts (a bit flipped at rest). */
    final Map<NodeId, java.util.Set<Long>> corruptOnStart = new LinkedHashMap<>();
    /** Each running node's store, which fails on demand. */
    final Map<NodeId, FaultyLogStore> stores = new LinkedHashMap<>();

    private final java.util.function.UnaryOperator<NodeConfig> tune;
    /** The application state machine each start of a node gets (none by default). */
    java.util.function.Function<NodeId, io.raftlog.api.StateMachine> applications =
            id -> io.raftlog.api.StateMachine.NONE;
    /** Wraps each start's snapshot store (as it is by default). */
    java.util.function.BiFunction<
                    NodeId, io.raftlog.api.spi.storage.SnapshotStore, io.raftlog.api.spi.storage.SnapshotStore>
            snapshotStores = (id, store) -> store;
    /** Wraps each start's transport (as it is by default). */
    java.util.function.BiFunction<
                    NodeId, io.raftlog.api.spi.transport.Transport, io.raftlog.api.spi.transport.Transport>
            transports = (id, transport) -> transport;
    /** Starts so far: each start gets its own seed, as each process start draws its own randomness. */
    private long starts;

    LocalCluster(int size, java.util.function.UnaryOperator<NodeConfig> tune) {
        this.tune = tune;
        for (int i = 1; i <= size; i++) {
            NodeId id = NodeId.of("n" + i);
            ids.add(id);
            volumes.put(id, new InMemoryLogStore.Volume());
        }
        ids.forEach(this::start);
    }

    LocalCluster(int size) {
        this(size, config -> config);
    }

    RaftNode start(NodeId id) {
        return start(id, config -> config);
    }

    /** Starts {@code id} with the cluster's configuration changed by {@code extra}. */
    RaftNode start(NodeId id, java.util.function.UnaryOperator<NodeConfig> extra) {
        NodeConfig config = extra.apply(tune.apply(NodeConfig.of(id, ids)));
        FaultyLogStore store = new FaultyLogStore(new InMemoryLogStore(volumes.get(id)));
        store.corrupt.addAll(corruptOnStart.getOrDefault(id, java.util.Set.of()));
        stores.put(id, store);
        RaftNode node = new RaftNode(
                config,
                store,
                snapshotStores.apply(id, new io.raftlog.core.storage.InMemorySnapshotStore(volumes.get(id))),
                applications.apply(id),
                transports.apply(id, network.newTransport()),
                NodeMetrics.NONE,
                id.hashCode() * 31L + starts++);
        nodes.put(id, node.start());
        return node;
    }

    /**
     * Starts {@code id}, a new node on an empty volume that joins the running cluster (an operator
     * then adds it as a learner); it knows the bootstrap members.
     */
    RaftNode startJoining(NodeId id) {
        volumes.putIfAbsent(id, new InMemoryLogStore.Volume());
        java.util.List<NodeId> existing = new java.util.ArrayList<>(ids);
        existing.remove(id);
        NodeConfig base = tune.apply(NodeConfig.of(ids.get(0), ids));
        NodeConfig config = NodeConfig.joining(id, existing)
                .withTickInterval(base.tickInterval())
                .withProtocol(base.protocol())
                .withAppendTimeout(base.appendTimeout())
                .withLog(base.log());
        FaultyLogStore store = new FaultyLogStore(new InMemoryLogStore(volumes.get(id)));
        stores.put(id, store);
        RaftNode node = new RaftNode(
                config,
                store,
                snapshotStores.apply(id, new io.raftlog.core.storage.InMemorySnapshotStore(volumes.get(id))),
                applications.apply(id),
                transports.apply(id, network.newTransport()),
                NodeMetrics.NONE,
                id.hashCode() * 31L + starts++);
        nodes.put(id, node.start());
        return node;
    }

    void stop(NodeId id) {
        nodes.remove(id).close();
    }

    /** Gives the stopped node {@code id} a blank volume, as a lost disk would. */
    void wipe(NodeId id) {
        volumes.put(id, new InMemoryLogStore.Volume());
    }

    RaftNode awaitLeader() {
        RaftNode[] found = new RaftNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            Optional<RaftNode> leader = nodes.values().stream()
                    .filter(node -> node.status().role() == Role.LEADER)
                    .findFirst();
            leader.ifPresent(node -> found[0] = node);
            return leader.isPresent();
        });
        return found[0];
    }

    @Override
    public void close() {
        nodes.values().forEach(RaftNode::close);
        nodes.clear();
    }
}
