package io.raftlog.api;

/** Base of every error raftlog reports. Unchecked; subclasses say what the caller may rely on. */
public class RaftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RaftException(String message) {
        super(message);
    }

    public RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
