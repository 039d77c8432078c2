package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * The answer to a {@link VoteRequest}.
 *
 * @param from    the voter
 * @param to      the candidate
 * @param term    for a granted pre-vote, the term of the request; otherwise the voter's current term
 * @param granted whether the vote is granted
 * @param preVote whether this answers a pre-vote
 */
public record VoteResponse(NodeId from, NodeId to, long term, boolean granted, boolean preVote) implements RaftMessage {
    public VoteResponse {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
    }
}
