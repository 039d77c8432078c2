package io.raftlog.api;

import java.util.Optional;

/**
 * A definite failure: this node is not the leader, so the record was not appended and never will
 * be through this call. Retry on {@link #leaderHint()} when present.
 */
public final class NotLeaderException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final NodeId nodeId;
    private final transient Optional<NodeId> leaderHint;

    public NotLeaderException(NodeId nodeId, Optional<NodeId> leaderHint) {
        this(
                nodeId,
                leaderHint,
                "node " + nodeId + " is not the leader; "
                        + leaderHint.map(leader -> "the leader is " + leader).orElse("no leader is known yet"));
    }

    /**
     * With a message of its own: for a linearizable read, the node could not get a leader to
     * confirm its leadership (nothing was changed; the read may be retried anywhere).
     */
    public NotLeaderException(NodeId nodeId, Optional<NodeId> leaderHint, String message) {
        super(message);
        this.nodeId = nodeId;
        this.leaderHint = leaderHint;
    }

    /** The node that refused. */
    public NodeId nodeId() {
        return nodeId;
    }

    /** The leader the refusing node knows of, if any. */
    public Optional<NodeId> leaderHint() {
        return leaderHint;
    }
}
