package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads and writes the primitive fields of frame bodies; every read checks what remains first. */
final class Wire {
    static final int MAX_STRING_BYTES = 0xffff;

    private Wire() {}

    static int nodeIdSize(NodeId id) {
        return 1 + id.value().length();
    }

    static int optionalNodeIdSize(Optional<NodeId> id) {
        return id.map(Wire::nodeIdSize).orElse(1);
    }

    static void writeNodeId(ByteBuf out, NodeId id) {
        out.writeByte(id.value().length());
        out.writeCharSequence(id.value(), StandardCharsets.US_ASCII);
    }

    static void writeOptionalNodeId(ByteBuf out, Optional<NodeId> id) {
        if (id.isPresent()) {
            writeNodeId(out, id.get());
        } else {
            out.writeByte(0);
        }
    }

    static NodeId readNodeId(ByteBuf in, String field) {
        return readOptionalNodeId(in, field).orElseThrow(() -> new ProtocolException(field + " id is empty"));
    }

    static Optional<NodeId> readOptionalNodeId(ByteBuf in, String field) {
        int length = readUnsignedByte(in, field + " id length");
        if (length == 0) {
            return Optional.empty();
        }
        require(in, length, field + " id");
        String value = in.readCharSequence(length, StandardCharsets.US_ASCII).toString();
        try {
            return Optional.of(new NodeId(value));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid " + field + " id: " + e.getMessage());
        }
    }

    /** Bytes {@link #writeString} writes for {@code value}. */
    static int stringSize(String value) {
        return 2 + utf8Length(value);
    }

    static int utf8Length(String value) {
        return io.netty.buffer.ByteBufUtil.utf8Bytes(value);
    }

    /** Truncates {@code value} so its UTF-8 encoding fits a string field. */
    static String fitString(String value) {
        if (utf8Length(value) <= MAX_STRING_BYTES) {
            return value;
        }
        // Each char encodes to at most 3 bytes, so this many chars always fit.
        return value.substring(0, MAX_STRING_BYTES / 3);
    }

    static void writeString(ByteBuf out, String value) {
        out.writeShort(utf8Length(value));
        out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    static String readString(ByteBuf in, String field) {
        require(in, 2, field + " length");
        int length = in.readUnsignedShort();
        require(in, length, field);
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    static Bytes readBytes(ByteBuf in, String field) {
        int length = readInt(in, field + " length");
        if (length < 0) {
            throw new ProtocolException("negative " + field + " length " + length);
        }
        require(in, length, field);
        if (length == 0) {
            return Bytes.EMPTY;
        }
        byte[] copy = new byte[length];
        in.readBytes(copy);
        // A fresh array nobody else holds: wrapping it keeps Bytes immutable without a second copy.
        return Bytes.wrap(copy);
    }

    static void writeBytes(ByteBuf out, Bytes bytes) {
        out.writeInt(bytes.size());
        out.writeBytes(bytes.asReadOnlyBuffer());
    }

    /** Reads a count of items that each take at least {@code minItemBytes}; refuses counts the body cannot hold. */
    static int readCount(ByteBuf in, int minItemBytes, String field) {
        int count = readInt(in, field + " count");
        if (count < 0) {
            throw new ProtocolException("negative " + field + " count " + count);
        }
        if ((long) count * minItemBytes > in.readableBytes()) {
            throw new ProtocolException(field + " count " + count + " needs at least " + (long) count * minItemBytes
                    + " bytes but only " + in.readableBytes() + " remain");
        }
        return count;
    }

    static long readLong(ByteBuf in, String field) {
        require(in, Long.BYTES, field);
        return in.readLong();
    }

    static int readInt(ByteBuf in, String field) {
        require(in, Integer.BYTES, field);
        return in.readInt();
    }

    static int readUnsignedByte(ByteBuf in, String field) {
        require(in, 1, field);
        return in.readUnsignedByte();
    }

    static void require(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException(
                    "truncated: " + field + " needs " + bytes + " byte(s) but only " + in.readableBytes() + " remain");
        }
    }

    static void requireEnd(ByteBuf in, String frame) {
        if (in.isReadable()) {
            throw new ProtocolException(in.readableBytes() + " trailing byte(s) after a complete " + frame);
        }
    }
}
