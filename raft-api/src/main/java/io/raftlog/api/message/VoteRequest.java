package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * RequestVote (Raft §5.2, Figure 2), also used for PreVote (Raft thesis §9.6).
 *
 * @param from               the candidate
 * @param to                 the voter
 * @param term               the candidate's term; for a pre-vote, the term it would campaign in
 * @param lastLogIndex       index of the candidate's last log entry
 * @param lastLogTerm        term of the candidate's last log entry
 * @param preVote            true for a pre-vote: the voter grants without changing its term or vote
 * @param leadershipTransfer true when the current leader asked the candidate to campaign
 *                           ({@link TimeoutNow}); voters then skip the CheckQuorum lease check
 */
public record VoteRequest(
        NodeId from,
        NodeId to,
        long term,
        long lastLogIndex,
        long lastLogTerm,
        boolean preVote,
        boolean leadershipTransfer)
        implements RaftMessage {
    public VoteRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("lastLogIndex", lastLogIndex);
        Messages.requireNonNegative("lastLogTerm", lastLogTerm);
        if (preVote && leadershipTransfer) {
            throw new IllegalArgumentException("a leadership transfer campaign skips the pre-vote");
        }
    }
}
