package io.raftlog.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one node's view of the cluster.
 *
 * @param id          this node
 * @param role        its role
 * @param term        its current term
 * @param leader      the leader it knows of in this term, if any
 * @param commitIndex the highest index it knows to be committed (the high watermark)
 * @param lastIndex   the highest index in its log, committed or not
 * @param matchIndex  on a leader, the highest index known to be replicated on each member
 *                    (itself included); empty on other roles
 */
public record NodeStatus(
        NodeId id,
        Role role,
        long term,
        Optional<NodeId> leader,
        long commitIndex,
        long lastIndex,
        Map<NodeId, Long> matchIndex) {
    public NodeStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(leader, "leader");
        matchIndex = Map.copyOf(matchIndex);
    }
}
