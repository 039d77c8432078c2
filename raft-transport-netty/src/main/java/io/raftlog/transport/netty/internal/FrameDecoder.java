package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.raftlog.api.message.RaftMessage;
import java.util.List;

/**
 * Splits the byte stream into frames (see {@link Frame}) and decodes each into its frame record.
 *
 * <p>Anything that breaks the format — a length above the maximum (refused as soon as the length
 * field arrives, before the body is buffered), a length too small to hold the header, a wrong
 * version byte, an unknown kind, a body that does not parse — raises a {@link ProtocolException}
 * through the pipeline, and the decoder discards everything after it: the connection is done and
 * the handler at the end of the pipeline closes it. Decoded frames hold no reference to the
 * input buffers (payloads are copied), so nothing downstream needs releasing.
 *
 * <p>Stateful: one instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private boolean failed;
    private RaftMessageSink sink;

    /**
     * Takes raft messages straight from the decoder, in arrival order, instead of the pipeline
     * carrying a frame object per message: the receive path of a peer connection. Called on the
     * channel's event loop.
     */
    public interface RaftMessageSink {
        /** @param frameBytes the frame's size on the wire, length prefix included */
        void onRaftMessage(RaftMessage message, int frameBytes);
    }

    /**
     * From now on, raft frames go to {@code sink} rather than down the pipeline; other kinds of
     * frame still do. Call on the channel's event loop, e.g. when a peer's handshake completes:
     * frames after the one being handled then reach the sink, in order.
     */
    public void deliverRaftMessagesTo(RaftMessageSink sink) {
        this.sink = sink;
    }

    /** @param maxFrameBytes the largest accepted value of a frame's length field */
    public FrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < 2) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 2, was " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Integer.BYTES) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 2) {
            throw fail(in, "frame length " + length + " is too small for the version and kind bytes");
        }
        if (length > maxFrameBytes) {
            throw fail(in, "frame length " + length + " exceeds the maximum of " + maxFrameBytes + " bytes");
        }
        if (in.readableBytes() < Integer.BYTES + length) {
            return;
        }
        int version = in.getUnsignedByte(start + Integer.BYTES);
        if (version != Frame.VERSION) {
            throw fail(
                    in,
                    "unsupported protocol version " + version + " (this node speaks version " + Frame.VERSION + ")");
        }
        int kind = in.getUnsignedByte(start + Integer.BYTES + 1);
        int bodyStart = start + Frame.HEADER_BYTES;
        int bodySize = length - 2;
        Frame frame = null;
        RaftMessage forSink = null;
        try {
            if (kind == Frame.KIND_RAFT) {
                // The hot path: decoded in place, without a slice or a copy per frame.
                RaftMessage message = RaftFrame.decode(in, bodyStart, bodySize);
                in.skipBytes(Integer.BYTES + length);
                if (sink != null) {
                    forSink = message;
                } else {
                    frame = new RaftFrame(message, bodySize);
                }
            } else {
                ByteBuf body = in.slice(bodyStart, bodySize);
                in.skipBytes(Integer.BYTES + length);
                frame = decodeBody(kind, body);
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        } catch (RuntimeException e) {
            // A record constructor refused a decoded value.
            throw fail(in, "invalid frame of kind " + kind + ": " + e.getMessage());
        }
        if (forSink != null) {
            // Outside the try: what the receiver does with a message is not a fault of the frame.
            sink.onRaftMessage(forSink, Integer.BYTES + length);
        } else {
            out.add(frame);
        }
    }

    private ProtocolException fail(ByteBuf in, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new ProtocolException(reason);
    }

    /** Decodes a frame body of {@code kind}; the body must be consumed exactly. */
    public static Frame decodeBody(int kind, ByteBuf body) {
        return switch (kind) {
            case Frame.KIND_HELLO -> Hello.read(body);
            case Frame.KIND_HELLO_ACCEPTED -> HelloAccepted.read(body);
            case Frame.KIND_HELLO_REJECTED -> HelloRejected.read(body);
            case Frame.KIND_RAFT -> RaftFrame.read(body);
            case Frame.KIND_APPEND_REQUEST -> AppendRequest.read(body);
            case Frame.KIND_READ_REQUEST -> ReadRequest.read(body);
            case Frame.KIND_STATUS_REQUEST -> StatusRequest.read(body);
            case Frame.KIND_DELETE_RECORDS_REQUEST -> DeleteRecordsRequest.read(body);
            case Frame.KIND_READ_INDEX_REQUEST -> ReadIndexRequest.read(body);
            case Frame.KIND_MEMBERSHIP_REQUEST -> MembershipRequest.read(body);
            case Frame.KIND_APPEND_RESPONSE -> AppendResponse.read(body);
            case Frame.KIND_READ_RESPONSE -> ReadResponse.read(body);
            case Frame.KIND_STATUS_RESPONSE -> StatusResponse.read(body);
            case Frame.KIND_DELETE_RECORDS_RESPONSE -> DeleteRecordsResponse.read(body);
            case Frame.KIND_READ_INDEX_RESPONSE -> ReadIndexResponse.read(body);
            case Frame.KIND_MEMBERSHIP_RESPONSE -> MembershipResponse.read(body);
            case Frame.KIND_ERROR_RESPONSE -> ErrorResponse.read(body);
            default -> throw new ProtocolException("unknown frame kind " + kind);
        };
    }
}
