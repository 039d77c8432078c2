package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.util.List;

/**
 * A peer's answer to a {@link RepairRequest}: its intact, committed entry at {@code index}; or,
 * not known committed, that entry and the one after it, both durable and intact: the asking node
 * takes the copy only if its own entry after the damaged one has the same term (by Raft's Log
 * Matching property the two logs are then the same up to there); or nothing ({@code entries}
 * empty) — for now, or for good ({@code damaged}: its own copy fails its check too, or it no
 * longer holds it). Not a Raft message: the protocol ignores it.
 *
 * @param term    the answering peer's current term
 * @param entries the entry at {@code index}, alone (committed); with the entry after it (not known
 *                committed); or none
 * @param damaged with no entry: this peer will never have an intact copy to give
 */
public record RepairResponse(NodeId from, NodeId to, long term, long index, List<LogEntry> entries, boolean damaged)
        implements RaftMessage {
    public RepairResponse {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        entries = List.copyOf(entries);
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
        if (entries.size() > 2
                || (!entries.isEmpty() && entries.get(0).index() != index)
                || (entries.size() == 2 && entries.get(1).index() != index + 1)) {
            throw new IllegalArgumentException("a repair carries the entry at index " + index
                    + ", alone or with the one after it, got " + entries);
        }
    }
}
