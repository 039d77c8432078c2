package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * The leader's answer to a {@link ReadIndexRequest}.
 *
 * @param from      the leader
 * @param to        the follower that asked
 * @param term      the leader's term
 * @param requestId the request's id
 * @param index     the read index when {@code granted}: every write acknowledged before the
 *                  request was made is at or below it; 0 when refused
 * @param granted   {@code false} when the node is no longer (or not yet) able to confirm its
 *                  leadership: the follower asks again, or tells its caller to retry
 */
public record ReadIndexResponse(NodeId from, NodeId to, long term, long requestId, long index, boolean granted)
        implements RaftMessage {
    public ReadIndexResponse {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("requestId", requestId);
        Messages.requireNonNegative("index", index);
        if (!granted && index != 0) {
            throw new IllegalArgumentException("a refused read index carries index 0, not " + index);
        }
    }
}
