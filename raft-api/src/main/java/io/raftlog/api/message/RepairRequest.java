package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * Sent by a node whose stored entry at {@code index} failed its integrity check, to each peer,
 * until one answers with an intact copy: the entry is committed here, so every peer that knows it
 * committed holds the same entry. Not a Raft message: the protocol ignores it.
 *
 * @param term the sender's current term (informational)
 */
public record RepairRequest(NodeId from, NodeId to, long term, long index) implements RaftMessage {
    public RepairRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
    }
}
