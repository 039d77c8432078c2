package io.raftlog.api;

/**
 * An idempotent append whose outcome the leader cannot tell: its producer or its sequence numbers
 * are older than what the leader remembers (the producer was idle past the idle timeout, or the
 * batch is older than the last batches kept per producer). Its records may be in the log from an
 * earlier attempt, or not; nothing was appended by this attempt. Like
 * {@link IndeterminateResultException}, the outcome is unknown; unlike it, retrying the same
 * sequence numbers cannot learn more. Start a new producer id for further appends.
 */
public final class UnknownSequenceException extends RaftException {
    private static final long serialVersionUID = 1L;

    public UnknownSequenceException(String message) {
        super(message);
    }
}
