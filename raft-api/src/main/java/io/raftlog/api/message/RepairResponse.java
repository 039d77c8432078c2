package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.util.List;

/**
 * A peer's answer to a {@link RepairRequest}: its intact, committed entry at {@code index}, or
 * nothing ({@code entries} empty) — for now (it does not know that entry committed yet), or for
 * good ({@code damaged}: its own copy fails its check too, or it no longer holds it). Not a Raft
 * message: the protocol ignores it.
 *
 * @param term    the answering peer's current term
 * @param entries the entry at {@code index}, alone, or none
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
        if (entries.size() > 1 || (entries.size() == 1 && entries.get(0).index() != index)) {
            throw new IllegalArgumentException(
                    "a repair carries the entry at index " + index + " alone, got " + entries);
        }
    }
}
