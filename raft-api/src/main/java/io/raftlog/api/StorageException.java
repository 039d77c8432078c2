package io.raftlog.api;

/**
 * A storage operation failed (I/O error, full disk, locked or unwritable data directory). The
 * message names the location and the cause.
 *
 * <p>A running node takes one from a write of its store for a disk that may recover: it tries the
 * write again with back-off, reports {@link NodeStatus.Health#STORAGE_FAILING} meanwhile, and
 * acknowledges nothing it has not written (so a store's failed write must leave the store as it
 * was: see {@code LogStore}). One while the node starts fails the start; a
 * {@link CorruptLogException} from a write stops the node rather than risk an inconsistent log.
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
