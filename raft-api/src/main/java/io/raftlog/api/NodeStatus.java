package io.raftlog.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one node's view of the cluster, and of its own health.
 *
 * @param id          this node
 * @param role        its role
 * @param term        its current term
 * @param leader      the leader it knows of in this term, if any
 * @param commitIndex the highest index it knows to be committed (the high watermark)
 * @param lastIndex   the highest index in its log, committed or not
 * @param matchIndex  on a leader, the highest index known to be replicated on each member
 *                    (itself included); empty on other roles
 * @param health      whether the node works, works with a problem it is retrying, or has stopped
 * @param problem     what is wrong, when {@code health} is not {@link Health#HEALTHY}: a sentence
 *                    an operator can act on (the cause's message, the data directory, …)
 * @param log           the log's extent on disk and its snapshots
 * @param configuration the membership in effect on this node and where it comes from; empty when
 *                      not known (a status from a node too old to report it)
 */
public record NodeStatus(
        NodeId id,
        Role role,
        long term,
        Optional<NodeId> leader,
        long commitIndex,
        long lastIndex,
        Map<NodeId, Long> matchIndex,
        Health health,
        Optional<String> problem,
        Log log,
        Optional<Configuration> configuration) {

    /**
     * The membership a node uses: the newest {@code CONFIGURATION} entry in its log, committed or
     * not (Raft thesis §4.1: a configuration takes effect as soon as it is in the log), else the
     * one in its newest snapshot, else the voters it was bootstrapped with.
     *
     * @param membership voters and learners, with the addresses the entry records
     * @param index      the index of that entry (the snapshot's index for a snapshot's membership;
     *                   0 for the membership a node starts with before its log holds one: the
     *                   voters it bootstrapped with, or, for a node joining, the members it was
     *                   told to reach)
     * @param committed  whether this node knows the entry to be committed ({@code index} at or
     *                   below its commit index); an uncommitted one may still be replaced by a
     *                   new leader's log, and until it is committed the leader takes no other change
     */
    public record Configuration(Membership membership, long index, boolean committed) {
        public Configuration {
            Objects.requireNonNull(membership, "membership");
            if (index < 0) {
                throw new IllegalArgumentException("a configuration index cannot be negative, got " + index);
            }
            if (index == 0 && !committed) {
                throw new IllegalArgumentException("the bootstrap membership (index 0) is committed by definition");
            }
        }
    }

    /**
     * What the node's log holds and its snapshots.
     *
     * @param startOffset       the log start offset (1 until retention removed records)
     * @param sizeBytes         bytes of the entries from the log start to the applied index (as
     *                          counted for batching: payload plus a fixed header)
     * @param snapshotIndex     the index of the newest snapshot here (0 if none)
     * @param snapshotBytes     its size
     * @param snapshotMillis    when the last snapshot was taken here (epoch ms; 0 if none yet)
     * @param snapshotsSent     snapshots this node started sending to followers
     * @param snapshotsReceived snapshots this node received from leaders
     */
    public record Log(
            long startOffset,
            long sizeBytes,
            long snapshotIndex,
            long snapshotBytes,
            long snapshotMillis,
            long snapshotsSent,
            long snapshotsReceived) {
        /** A log nothing was removed from, without snapshots. */
        public static final Log WHOLE = new Log(1, 0, 0, 0, 0, 0, 0);
    }

    /** A node's health, from its own point of view. */
    public enum Health {
        /** Working. */
        HEALTHY,
        /**
         * Up, but its storage is failing (I/O errors, a full disk): it acknowledges nothing, grants
         * no votes and does not lead, and retries the write with back-off until it succeeds, then
         * goes on by itself.
         */
        STORAGE_FAILING,
        /** Stopped after a fatal error ({@code problem} says which); every call fails with it. */
        FAILED,
        /** Closed by its owner. */
        CLOSED,
        /**
         * Started on a blank store after losing its data ({@code --rejoin}): it catches up from the
         * leader and grants no vote until it is sure it cannot break a promise it forgot.
         */
        REJOINING,
        /**
         * A stored entry failed its integrity check; the node fetches an intact copy from a peer
         * and rewrites it. It applies nothing past that entry and does not lead meanwhile.
         */
        REPAIRING
    }

    public NodeStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(configuration, "configuration");
        matchIndex = Map.copyOf(matchIndex);
    }

    /** A status that does not say which membership is in effect. */
    public NodeStatus(
            NodeId id,
            Role role,
            long term,
            Optional<NodeId> leader,
            long commitIndex,
            long lastIndex,
            Map<NodeId, Long> matchIndex,
            Health health,
            Optional<String> problem,
            Log log) {
        this(id, role, term, leader, commitIndex, lastIndex, matchIndex, health, problem, log, Optional.empty());
    }

    /** A status with {@link Log#WHOLE}. */
    public NodeStatus(
            NodeId id,
            Role role,
            long term,
            Optional<NodeId> leader,
            long commitIndex,
            long lastIndex,
            Map<NodeId, Long> matchIndex,
            Health health,
            Optional<String> problem) {
        this(id, role, term, leader, commitIndex, lastIndex, matchIndex, health, problem, Log.WHOLE);
    }

    /** A healthy node's status. */
    public NodeStatus(
            NodeId id,
            Role role,
            long term,
            Optional<NodeId> leader,
            long commitIndex,
            long lastIndex,
            Map<NodeId, Long> matchIndex) {
        this(id, role, term, leader, commitIndex, lastIndex, matchIndex, Health.HEALTHY, Optional.empty());
    }

    /** This status with another health and problem ({@code null} for none). */
    public NodeStatus withHealth(Health health, String problem) {
        return new NodeStatus(
                id,
                role,
                term,
                leader,
                commitIndex,
                lastIndex,
                matchIndex,
                health,
                Optional.ofNullable(problem),
                log,
                configuration);
    }

    /** This status with another {@link Log}. */
    public NodeStatus withLog(Log newLog) {
        return new NodeStatus(
                id, role, term, leader, commitIndex, lastIndex, matchIndex, health, problem, newLog, configuration);
    }

    /** This status with the {@link Configuration} in effect. */
    public NodeStatus withConfiguration(Configuration newConfiguration) {
        return new NodeStatus(
                id,
                role,
                term,
                leader,
                commitIndex,
                lastIndex,
                matchIndex,
                health,
                problem,
                log,
                Optional.of(newConfiguration));
    }
}
