package io.raftlog.api;

/** The node is shut down (or shutting down); a definite failure for calls it had not accepted. */
public final class NodeClosedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public NodeClosedException(String message) {
        super(message);
    }
}
