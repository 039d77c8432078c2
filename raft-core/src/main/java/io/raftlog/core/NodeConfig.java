package io.raftlog.core;

import io.raftlog.api.NodeId;
import io.raftlog.core.protocol.ProtocolConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How one {@link RaftNode} runs: who it is, who its peers are, and its timing.
 *
 * @param id               this node
 * @param members          the voters of a new cluster, this node included (for {@link StartMode#JOIN},
 *                         the existing members to reach, without this node). They only bootstrap:
 *                         once the node's log or snapshot holds a membership, that one is used
 *                         (membership changes), and the node warns if these disagree with it
 * @param tickInterval     real time per protocol tick; election timeout and heartbeat interval are
 *                         counted in ticks ({@link ProtocolConfig#electionTicks()},
 *                         {@link ProtocolConfig#heartbeatTicks()})
 * @param protocol         the protocol's tuning
 * @param maxBatchRecords  most records proposed as one batch (one append, one fsync)
 * @param appendTimeout    how long an append may wait to be committed before its future fails
 *                         with {@link io.raftlog.api.IndeterminateResultException}
 * @param producerIdleTimeout how long a producer's de-duplication state is kept after its last
 *                         append (see {@link io.raftlog.api.ReplicatedLog#appendAll(long, long, List)});
 *                         must be positive
 * @param clusterId        the cluster's name, recorded in the store on its first start and checked
 *                         on every later one (a store of another cluster is refused)
 * @param startMode        what a blank store means (see {@link StartMode})
 * @param log              retention and snapshots (see {@link LogConfig})
 */
public record NodeConfig(
        NodeId id,
        List<NodeId> members,
        Duration tickInterval,
        ProtocolConfig protocol,
        int maxBatchRecords,
        Duration appendTimeout,
        Duration producerIdleTimeout,
        String clusterId,
        StartMode startMode,
        LogConfig log) {

    /** The cluster id used when none is given. */
    public static final String DEFAULT_CLUSTER_ID = "raftlog";

    /** What a node does when its store is blank (no log, no hard state, no identity). */
    public enum StartMode {
        /**
         * A blank store is this member's first start, in a new cluster; a store that already
         * belongs to this node is used as it is. The default, for embedding and tests; a deployment
         * whose members have started once should use {@link #EXISTING}.
         */
        BOOTSTRAP,
        /**
         * The store must already belong to this node: a blank one is refused, since a member that
         * lost its data and starts as if new may break votes and acknowledgements it gave (start
         * it with {@link #REJOIN} instead).
         */
        EXISTING,
        /**
         * A blank store is this member after it lost its data: it catches up from the leader and
         * grants no vote (nor campaigns) until it has heard every other member's term and has the
         * log up to the commit index a leader told it; it never votes in a term it may already
         * have voted in. A store with data is used as it is.
         */
        REJOIN,
        /**
         * A node being added to a running cluster: a blank store is its first start, and it is not
         * a member yet. {@code members} lists the cluster's members it can reach (not itself); it
         * never campaigns, and takes the log, and its membership, from the leader once an operator
         * has added it as a learner. A store with data is used as it is.
         */
        JOIN
    }

    /** A node of the default cluster that bootstraps a blank store. */
    public NodeConfig(
            NodeId id,
            List<NodeId> members,
            Duration tickInterval,
            ProtocolConfig protocol,
            int maxBatchRecords,
            Duration appendTimeout,
            Duration producerIdleTimeout) {
        this(
                id,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                DEFAULT_CLUSTER_ID,
                StartMode.BOOTSTRAP,
                LogConfig.defaults());
    }

    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tickInterval, "tickInterval");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(appendTimeout, "appendTimeout");
        Objects.requireNonNull(producerIdleTimeout, "producerIdleTimeout");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(startMode, "startMode");
        Objects.requireNonNull(log, "log");
        if (clusterId.isEmpty() || clusterId.length() > 64) {
            throw new IllegalArgumentException("clusterId must have 1 to 64 characters, was '" + clusterId + "'");
        }
        members = List.copyOf(members);
        Set<NodeId> seen = new HashSet<>();
        for (NodeId member : members) {
            if (!seen.add(member)) {
                throw new IllegalArgumentException("member " + member + " is listed twice in " + members);
            }
        }
        if (startMode == StartMode.JOIN) {
            if (seen.contains(id)) {
                throw new IllegalArgumentException("this node (" + id + ") joins a running cluster: it is not a member"
                        + " yet, so list only the cluster's existing members, not " + id + " (" + members + ")");
            }
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a joining node needs the cluster's existing members to reach");
            }
        } else if (!seen.contains(id)) {
            throw new IllegalArgumentException("this node (" + id + ") is not among the members " + members);
        }
        if (tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("tickInterval must be positive, was " + tickInterval);
        }
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException("maxBatchRecords must be positive, was " + maxBatchRecords);
        }
        if (appendTimeout.isNegative() || appendTimeout.isZero()) {
            throw new IllegalArgumentException("appendTimeout must be positive, was " + appendTimeout);
        }
        if (producerIdleTimeout.isNegative() || producerIdleTimeout.isZero()) {
            throw new IllegalArgumentException("producerIdleTimeout must be positive, was " + producerIdleTimeout);
        }
    }

    /**
     * Defaults for {@code id} among {@code members}: 10 ms ticks, so a heartbeat every 10 ms and an
     * election timeout of 100–200 ms.
     */
    public static NodeConfig of(NodeId id, List<NodeId> members) {
        return new NodeConfig(
                id,
                members,
                Duration.ofMillis(10),
                ProtocolConfig.defaults(),
                4096,
                Duration.ofSeconds(30),
                Duration.ofHours(1));
    }

    /**
     * Defaults for {@code id}, a new node joining the running cluster whose members include
     * {@code existingMembers} ({@link StartMode#JOIN}); an operator then adds it as a learner.
     */
    public static NodeConfig joining(NodeId id, List<NodeId> existingMembers) {
        return new NodeConfig(
                id,
                existingMembers,
                Duration.ofMillis(10),
                ProtocolConfig.defaults(),
                4096,
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                DEFAULT_CLUSTER_ID,
                StartMode.JOIN,
                LogConfig.defaults());
    }

    public NodeConfig withTickInterval(Duration interval) {
        return new NodeConfig(
                id,
                members,
                interval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                startMode,
                log);
    }

    public NodeConfig withProtocol(ProtocolConfig config) {
        return new NodeConfig(
                id,
                members,
                tickInterval,
                config,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                startMode,
                log);
    }

    public NodeConfig withAppendTimeout(Duration timeout) {
        return new NodeConfig(
                id,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                timeout,
                producerIdleTimeout,
                clusterId,
                startMode,
                log);
    }

    /**
     * This configuration for a node started with other flags: its id, the members it lists (for
     * {@link StartMode#JOIN}, the cluster's members it can reach, not itself), and its start mode;
     * everything else as here. For a cluster whose members changed since the first start.
     */
    public NodeConfig forNode(NodeId node, List<NodeId> listedMembers, StartMode mode) {
        return new NodeConfig(
                node,
                listedMembers,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                mode,
                log);
    }

    /** This configuration for another member of the same cluster. */
    public NodeConfig withId(NodeId node) {
        return new NodeConfig(
                node,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                startMode,
                log);
    }

    public NodeConfig withClusterId(String cluster) {
        return new NodeConfig(
                id,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                cluster,
                startMode,
                log);
    }

    public NodeConfig withStartMode(StartMode mode) {
        return new NodeConfig(
                id,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                mode,
                log);
    }

    /** This configuration with another retention and snapshot policy. */
    public NodeConfig withLog(LogConfig logConfig) {
        return new NodeConfig(
                id,
                members,
                tickInterval,
                protocol,
                maxBatchRecords,
                appendTimeout,
                producerIdleTimeout,
                clusterId,
                startMode,
                logConfig);
    }
}
