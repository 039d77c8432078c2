package io.raftlog.examples.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The fields of a {@link KvWrite}: an unsigned LEB128 length, then that many bytes of UTF-8. */
final class WireFields {
    private WireFields() {}

    static void write(ByteArrayOutputStream out, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int length = utf8.length;
        while ((length & ~0x7F) != 0) {
            out.write((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.write(utf8, 0, utf8.length);
    }

    static String readKey(ByteBuffer in) {
        String key = read(in, "key");
        if (key.isEmpty()) {
            throw new MalformedWriteException("a key-value write with an empty key");
        }
        return key;
    }

    static String read(ByteBuffer in, String field) {
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            if (!in.hasRemaining()) {
                throw new MalformedWriteException("a key-value write cut off in the length of its " + field);
            }
            int next = in.get() & 0xFF;
            if (shift == 28 && next > 0x07) {
                throw new MalformedWriteException("the length of the " + field + " does not fit 31 bits");
            }
            length |= (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                break;
            }
        }
        if (length > in.remaining()) {
            throw new MalformedWriteException("the " + field + " of a key-value write is " + length
                    + " bytes long, but only " + in.remaining() + " follow");
        }
        ByteBuffer text = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(text);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedWriteException("the " + field + " of a key-value write is not UTF-8");
        }
    }
}
