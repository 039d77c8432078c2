package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * Sent by a leader handing over leadership (Raft thesis §3.10): the receiver campaigns at once,
 * without waiting for its election timeout and without a pre-vote.
 *
 * <p>It names its transfer by the leader's last log index when it was sent. A leader appends
 * nothing while it transfers, and when it gives up a transfer for which it sent a TimeoutNow it
 * appends a no-op first; so an entry of this {@code term} past {@code lastLogIndex} exists only once
 * the transfer was given up. A receiver whose log holds one ignores the message: it arrived after
 * the leader's later AppendEntries, however the network reordered or delayed it, and obeying it
 * would depose a leader that no longer wants to hand over.
 *
 * @param from         the leader
 * @param to           the follower to take over
 * @param term         the leader's term
 * @param lastLogIndex the index of the leader's last entry when it sent this; 0 when the sender
 *                     does not say, and the receiver then obeys whatever its log holds
 */
public record TimeoutNow(NodeId from, NodeId to, long term, long lastLogIndex) implements RaftMessage {
    public TimeoutNow {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("lastLogIndex", lastLogIndex);
    }

    /** A TimeoutNow that names no log index ({@code lastLogIndex} 0): always obeyed. */
    public TimeoutNow(NodeId from, NodeId to, long term) {
        this(from, to, term, 0);
    }
}
