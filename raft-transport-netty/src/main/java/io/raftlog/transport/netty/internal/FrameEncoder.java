package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s: length, version, kind and body, into one buffer of exactly the frame's
 * size. The buffer goes down the pipeline and is released by the channel once written (or when
 * the write fails); a frame that fails to encode fails its write promise and its buffer is
 * released here. Stateless, but, like every handler here, one instance per channel.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int size = Integer.BYTES + frame.frameLength();
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        write(frame, out);
    }

    /** Appends the whole frame, header included, to {@code out}. */
    public static void write(Frame frame, ByteBuf out) {
        out.writeInt(frame.frameLength()).writeByte(Frame.VERSION).writeByte(frame.kind());
        int bodyStart = out.writerIndex();
        frame.writeBody(out);
        int written = out.writerIndex() - bodyStart;
        if (written != frame.bodySize()) {
            throw new IllegalStateException("wrote " + written + " body bytes for a "
                    + frame.getClass().getSimpleName() + " whose body size is " + frame.bodySize());
        }
    }
}
