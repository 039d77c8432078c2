package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.message.MalformedMessageException;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A Raft message between peers, encoded with raft-api's {@link MessageCodec}.
 *
 * @param message     the message
 * @param encodedSize {@code MessageCodec.encodedSize(message)}, computed once by the sender
 */
public record RaftFrame(RaftMessage message, int encodedSize) implements Frame {
    public RaftFrame {
        Objects.requireNonNull(message, "message");
    }

    /** Wraps {@code message}, computing its encoded size. */
    public static RaftFrame of(RaftMessage message) {
        return new RaftFrame(message, MessageCodec.encodedSize(message));
    }

    @Override
    public int kind() {
        return KIND_RAFT;
    }

    @Override
    public int bodySize() {
        return encodedSize;
    }

    @Override
    public void writeBody(ByteBuf out) {
        writeBody(message, encodedSize, out);
    }

    /**
     * Appends the whole frame of {@code message}, header included, to {@code out}, as
     * {@code FrameEncoder.write(new RaftFrame(message, encodedSize), out)} would, without the record.
     *
     * @param encodedSize {@code MessageCodec.encodedSize(message)}
     */
    public static void write(RaftMessage message, int encodedSize, ByteBuf out) {
        out.writeInt(2 + encodedSize).writeByte(VERSION).writeByte(KIND_RAFT);
        writeBody(message, encodedSize, out);
    }

    private static void writeBody(RaftMessage message, int encodedSize, ByteBuf out) {
        int index = out.writerIndex();
        out.ensureWritable(encodedSize);
        if (out.nioBufferCount() == 1) {
            // Encode straight into the buffer's memory: no intermediate copy, no new view, no re-sizing.
            MessageCodec.encode(message, out.internalNioBuffer(index, encodedSize), encodedSize);
        } else {
            out.setBytes(index, MessageCodec.encode(message));
        }
        out.writerIndex(index + encodedSize);
    }

    static RaftFrame read(ByteBuf in) {
        int size = in.readableBytes();
        RaftFrame frame = read(in, in.readerIndex(), size);
        in.skipBytes(size);
        return frame;
    }

    /**
     * Decodes the {@code size} bytes of {@code in} at {@code index}; moves neither index. The
     * buffer's memory is read where it is (through its cached NIO view when it has one: no copy,
     * no new object); the codec copies payloads out, so the buffer may be released afterwards.
     */
    static RaftFrame read(ByteBuf in, int index, int size) {
        return new RaftFrame(decode(in, index, size), size);
    }

    /** As {@link #read(ByteBuf, int, int)}, without the frame record around the message. */
    static RaftMessage decode(ByteBuf in, int index, int size) {
        ByteBuffer view;
        if (in.hasArray()) {
            view = ByteBuffer.wrap(in.array(), in.arrayOffset() + index, size);
        } else if (in.nioBufferCount() == 1) {
            view = in.internalNioBuffer(index, size);
        } else {
            view = in.nioBuffer(index, size); // a composite: one merged copy
        }
        try {
            return MessageCodec.decode(view);
        } catch (MalformedMessageException e) {
            throw new ProtocolException("malformed raft message: " + e.getMessage(), e);
        }
    }
}
