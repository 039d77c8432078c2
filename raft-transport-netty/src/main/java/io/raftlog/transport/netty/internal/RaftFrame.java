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
        int index = out.writerIndex();
        out.ensureWritable(encodedSize);
        if (out.nioBufferCount() == 1) {
            // Encode straight into the buffer's memory: no intermediate copy.
            MessageCodec.encode(message, out.nioBuffer(index, encodedSize));
        } else {
            out.setBytes(index, MessageCodec.encode(message));
        }
        out.writerIndex(index + encodedSize);
    }

    /** Below this size a frame is decoded from a heap copy: the codec reads node ids faster from an array. */
    private static final int HEAP_COPY_BELOW_BYTES = 1024;

    static RaftFrame read(ByteBuf in) {
        int size = in.readableBytes();
        ByteBuffer view;
        if (in.hasArray()) {
            view = ByteBuffer.wrap(in.array(), in.arrayOffset() + in.readerIndex(), size);
        } else if (size < HEAP_COPY_BELOW_BYTES) {
            byte[] copy = new byte[size];
            in.getBytes(in.readerIndex(), copy);
            view = ByteBuffer.wrap(copy);
        } else {
            view = in.nioBuffer();
        }
        try {
            RaftMessage message = MessageCodec.decode(view);
            in.skipBytes(size);
            return new RaftFrame(message, size);
        } catch (MalformedMessageException e) {
            throw new ProtocolException("malformed raft message: " + e.getMessage(), e);
        }
    }
}
