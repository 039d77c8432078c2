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
 * @param members          every voting member, this node included
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
 */
public record NodeConfig(
        NodeId id,
        List<NodeId> members,
        Duration tickInterval,
        ProtocolConfig protocol,
        int maxBatchRecords,
        Duration appendTimeout,
        Duration producerIdleTimeout) {

    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tickInterval, "tickInterval");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(appendTimeout, "appendTimeout");
        Objects.requireNonNull(producerIdleTimeout, "producerIdleTimeout");
        members = List.copyOf(members);
        Set<NodeId> seen = new HashSet<>();
        for (NodeId member : members) {
            if (!seen.add(member)) {
                throw new IllegalArgumentException("member " + member + " is listed twice in " + members);
            }
        }
        if (!seen.contains(id)) {
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

    public NodeConfig withTickInterval(Duration interval) {
        return new NodeConfig(id, members, interval, protocol, maxBatchRecords, appendTimeout, producerIdleTimeout);
    }

    public NodeConfig withProtocol(ProtocolConfig config) {
        return new NodeConfig(id, members, tickInterval, config, maxBatchRecords, appendTimeout, producerIdleTimeout);
    }

    public NodeConfig withAppendTimeout(Duration timeout) {
        return new NodeConfig(id, members, tickInterval, protocol, maxBatchRecords, timeout, producerIdleTimeout);
    }
}
