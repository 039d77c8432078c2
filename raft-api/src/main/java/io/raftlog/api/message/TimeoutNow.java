package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * Sent by a leader handing over leadership (Raft thesis §3.10): the receiver campaigns at once,
 * without waiting for its election timeout and without a pre-vote.
 */
public record TimeoutNow(NodeId from, NodeId to, long term) implements RaftMessage {
    public TimeoutNow {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
    }
}
