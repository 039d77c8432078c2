package io.raftlog.api;

/**
 * A definite failure: the node's access rules do not let this client (its certificate's
 * principal, or a client without one) produce, consume or administer as it asked; nothing was
 * done. Retrying will not help: the node's operator grants the permission.
 */
public final class NotAuthorizedException extends RaftException {
    private static final long serialVersionUID = 1L;

    public NotAuthorizedException(String message) {
        super(message);
    }
}
