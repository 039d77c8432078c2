package io.raftlog.api;

/**
 * A definite failure: the membership change was refused, and nothing was appended. The message
 * says why (another change is in progress, the leader has not committed an entry of its term
 * yet, the change would leave no quorum, the learner lags too far to be promoted…) and what to do.
 */
public final class MembershipChangeException extends RaftException {
    private static final long serialVersionUID = 1L;

    public MembershipChangeException(String message) {
        super(message);
    }
}
