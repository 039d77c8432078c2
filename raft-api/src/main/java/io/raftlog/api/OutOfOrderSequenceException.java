package io.raftlog.api;

/**
 * A definite failure of an idempotent append: its sequence numbers do not follow the producer's
 * last appended batch (a gap), or they repeat a batch too old for the leader to remember. Nothing
 * was appended.
 */
public final class OutOfOrderSequenceException extends RaftException {
    private static final long serialVersionUID = 1L;

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
