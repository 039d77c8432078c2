package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * A follower asks the leader for a read index (Raft thesis §6.4): the leader's commit index at the
 * time of the request, once the leader has confirmed with a quorum that it still leads. Every
 * write acknowledged before the request is at or below the index the leader answers, so the
 * follower serves a linearizable read once it has applied that far.
 *
 * @param from      the follower
 * @param to        the leader it follows
 * @param term      the follower's current term
 * @param requestId the follower's own id for the read, echoed in the {@link ReadIndexResponse}
 */
public record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId) implements RaftMessage {
    public ReadIndexRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("requestId", requestId);
    }
}
