package io.raftlog.api;

/**
 * A definite failure: the membership change was refused, and nothing was appended. The message
 * says why (another change is in progress, the leader has not committed an entry of its term
 * yet, the change would leave no quorum, the learner lags too far to be promoted…) and what to do.
 */
public final class MembershipChangeException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public MembershipChangeException(String message) {
        this(message, false);
    }

    /**
     * @param retryable whether the same change may be taken in a moment without anything else
     *                  changing: a new leader that has not committed an entry of its term yet, or
     *                  a previous change not committed yet
     */
    public MembershipChangeException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** Whether the same change may be taken in a moment (the node retries those itself until its timeout). */
    public boolean retryable() {
        return retryable;
    }
}
