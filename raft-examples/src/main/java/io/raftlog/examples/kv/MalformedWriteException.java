package io.raftlog.examples.kv;

/**
 * A record that is not a key-value write this node can apply: not in a format version it knows,
 * an unknown operation, truncated, or with text that is not UTF-8. {@link KvStateMachine} never
 * lets it escape {@code apply} (one bad record in the log must not stop every node that applies
 * it): it records the offset as a {@link KvResult.Rejected} write, and the proposer of that record
 * gets this exception from its future.
 */
public final class MalformedWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedWriteException(String message) {
        super(message);
    }
}
