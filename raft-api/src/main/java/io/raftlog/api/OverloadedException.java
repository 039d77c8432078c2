package io.raftlog.api;

/**
 * A definite failure: the leader already holds as many uncommitted bytes as it is configured to
 * allow, so it refused the record without appending it. Back off and retry.
 */
public final class OverloadedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String message) {
        super(message);
    }
}
