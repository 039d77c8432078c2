package io.raftlog.api;

/** The role a node plays in the Raft protocol. */
public enum Role {
    /** Replicates the leader's log; the role every node starts in. */
    FOLLOWER,
    /** Asking peers whether it could win an election, without raising its term (PreVote, Raft thesis §9.6). */
    PRE_CANDIDATE,
    /** Has raised its term and voted for itself; collecting votes. */
    CANDIDATE,
    /** Accepts appends and replicates them. */
    LEADER
}
