package io.raftlog.api;

/**
 * A definite failure of an idempotent append: its sequence numbers do not follow the producer's
 * last appended batch (a gap), or a producer the leader does not know starts above sequence 0 (its
 * first batch has not arrived yet). Nothing was appended, and the batch is not in the log. A retry
 * of a batch the leader cannot place — too old, or of a producer that expired — fails with
 * {@link UnknownSequenceException} instead, since it may be in the log.
 */
public final class OutOfOrderSequenceException extends RaftException {
    private static final long serialVersionUID = 1L;

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
