package io.raftlog.api;

/**
 * A stored log entry failed its integrity check. The bad bytes are never returned; the message
 * names the entry's index and where the log lives, so an operator can restore that node from a
 * peer.
 */
public final class CorruptLogException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final long index;
    private final String location;

    public CorruptLogException(long index, String location, String detail) {
        super("corrupt log entry at index " + index + " in " + location + ": " + detail);
        this.index = index;
        this.location = location;
    }

    /** The index of the corrupt entry. */
    public long index() {
        return index;
    }

    /** Where the log lives (for example the data directory). */
    public String location() {
        return location;
    }
}
