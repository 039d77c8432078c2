package io.raftlog.api;

/**
 * A storage operation failed (I/O error, full disk, locked or unwritable data directory). The
 * message names the location and the cause. A node whose storage fails stops rather than risk an
 * inconsistent log.
 */
public class StorageException extends RaftException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
