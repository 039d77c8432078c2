package io.raftlog.transport.netty.internal;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A peer or client broke the wire protocol: an oversize frame, a wrong version byte, an unknown
 * frame kind, a body that does not parse, or a frame that is not allowed in the connection's state.
 * The connection it arrived on is closed; {@link #getMessage()} is the reason that gets logged.
 */
public final class ProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String reason) {
        super(reason);
    }

    public ProtocolException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
