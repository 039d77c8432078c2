package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * The answer to an {@link AppendEntriesRequest}.
 *
 * <p>On success, {@code index} is the highest index the follower now knows to match the leader's
 * log. On rejection, {@code index} is the rejected request's {@code prevLogIndex}, and the hint
 * lets the leader skip back over a whole conflicting term in one round trip: {@code hintIndex} is
 * the follower's highest index at or below {@code index} whose term is at most the request's
 * {@code prevLogTerm}, and {@code hintTerm} is that entry's term.
 *
 * @param from      the follower
 * @param to        the leader
 * @param term      the follower's current term
 * @param success   whether the entries were accepted
 * @param index     match index on success, rejected {@code prevLogIndex} on rejection
 * @param hintIndex on rejection, where the leader should probe next (see above); 0 on success
 * @param hintTerm  on rejection, the follower's term at {@code hintIndex}; 0 on success
 * @param readContext the answered request's {@link AppendEntriesRequest#readContext()}, echoed
 */
public record AppendEntriesResponse(
        NodeId from, NodeId to, long term, boolean success, long index, long hintIndex, long hintTerm, long readContext)
        implements RaftMessage {
    public AppendEntriesResponse {
        Messages.requireNonNegative("readContext", readContext);
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("index", index);
        Messages.requireNonNegative("hintIndex", hintIndex);
        Messages.requireNonNegative("hintTerm", hintTerm);
    }

    /** An answer that echoes no read-confirmation round ({@code readContext} 0). */
    public AppendEntriesResponse(
            NodeId from, NodeId to, long term, boolean success, long index, long hintIndex, long hintTerm) {
        this(from, to, term, success, index, hintIndex, hintTerm, 0);
    }
}
