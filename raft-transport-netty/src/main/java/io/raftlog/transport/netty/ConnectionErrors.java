package io.raftlog.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.raftlog.transport.netty.internal.ProtocolException;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/** How every connection handler reacts to an error: log the reason, count protocol errors, close. */
final class ConnectionErrors {
    private ConnectionErrors() {}

    /**
     * Closes the connection of {@code ctx} because of {@code cause}. A broken protocol is logged as
     * a warning with its reason and counted in {@code protocolErrors}; an I/O error (a reset
     * connection) only at debug level, since peers restart all the time.
     */
    static void close(
            ChannelHandlerContext ctx,
            Throwable cause,
            Logger log,
            WarningLimiter warnings,
            String what,
            LongAdder protocolErrors) {
        ProtocolException protocol = protocolException(cause);
        if (protocol != null) {
            protocolErrors.increment();
            warnings.warn("closing {} connection {}: {}", what, ctx.channel().remoteAddress(), protocol.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("{} connection {} failed: {}", what, ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn(
                    "closing {} connection {} after an unexpected error",
                    what,
                    ctx.channel().remoteAddress(),
                    cause);
        }
        ctx.close();
    }

    /**
     * If {@code cause} is a TLS failure (no TLS spoken, an untrusted, expired or misnamed
     * certificate, none where one is required), logs what it means as a warning, counts it in
     * {@code tlsRefusals}, closes the connection and returns true; otherwise does nothing and
     * returns false.
     */
    static boolean closeIfTls(
            ChannelHandlerContext ctx, Throwable cause, WarningLimiter warnings, String what, LongAdder tlsRefusals) {
        String reason = io.raftlog.transport.netty.internal.Tls.describeFailure(cause);
        if (reason == null) {
            return false;
        }
        tlsRefusals.increment();
        warnings.warn("refused TLS on {} connection {}: {}", what, ctx.channel().remoteAddress(), reason);
        ctx.close();
        return true;
    }

    private static ProtocolException protocolException(Throwable cause) {
        if (cause instanceof ProtocolException protocol) {
            return protocol;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException protocol) {
            return protocol;
        }
        return null;
    }
}
