package io.raftlog.api;

/**
 * The outcome is unknown: the record was appended to a leader's log but the caller cannot learn
 * whether it commits (the leader lost leadership, the node shut down, or the wait timed out). The
 * record may still appear in the log; retry only idempotently.
 */
public final class IndeterminateResultException extends RaftException {
    private static final long serialVersionUID = 1L;

    public IndeterminateResultException(String message) {
        super(message);
    }

    public IndeterminateResultException(String message, Throwable cause) {
        super(message, cause);
    }
}
