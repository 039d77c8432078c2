package io.raftlog.api.message;

import io.raftlog.api.RaftException;

/**
 * Bytes handed to {@link MessageCodec#decode} are not a valid encoded {@link RaftMessage}:
 * truncated, followed by trailing bytes, of an unknown version or type, or carrying values a
 * message may not hold. The message says what is wrong and, where it is known, at which byte
 * offset, counted from the buffer position at which decoding started.
 *
 * <p>A transport that gets one should drop the frame (and usually the connection): the peer
 * is broken or speaks another version. Nothing was decoded, so nothing needs undoing.
 */
public final class MalformedMessageException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** {@link #offset()} when the problem is not tied to one byte. */
    public static final int UNKNOWN_OFFSET = -1;

    private final int offset;

    /** A problem with the message as a whole, not tied to one byte. */
    public MalformedMessageException(String problem) {
        super(problem);
        this.offset = UNKNOWN_OFFSET;
    }

    /** A problem with the message as a whole, found by a check that threw {@code cause}. */
    public MalformedMessageException(String problem, Throwable cause) {
        super(problem, cause);
        this.offset = UNKNOWN_OFFSET;
    }

    /** A problem found at {@code offset} bytes from the start of the encoded message. */
    public MalformedMessageException(String problem, int offset) {
        super(problem + " at offset " + offset);
        this.offset = offset;
    }

    /** A problem at {@code offset}, found by a check that threw {@code cause}. */
    public MalformedMessageException(String problem, int offset, Throwable cause) {
        super(problem + " at offset " + offset, cause);
        this.offset = offset;
    }

    /** Where the problem was found, in bytes from the start of the message, or {@link #UNKNOWN_OFFSET}. */
    public int offset() {
        return offset;
    }
}
