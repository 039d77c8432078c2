package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
    private final EntryCodec codec = new EntryCodec("/data/node-1");

    @Test
    void decodesWhatItEncodes() {
        LogEntry entry = new LogEntry(42, 7, EntryType.CONFIGURATION, Bytes.ofUtf8("a,b,c"));
        ByteBuffer stored = encode(entry);
        assertThat(stored.remaining()).isEqualTo(EntryCodec.HEADER_BYTES + 5);
        assertThat(codec.verify(42, stored)).isEqualTo(7);
        assertThat(codec.decode(42, stored, true)).isEqualTo(entry);
        assertThat(codec.decode(42, stored, false)).isEqualTo(entry);
    }

    @Test
    void aStoredEntryCountsAsItsSizeInBytesAgainstReadLimits() {
        for (int payloadBytes : new int[] {0, 1, 24, 1000}) {
            LogEntry entry = new LogEntry(3, 2, EntryType.PRODUCER_BATCH, Bytes.wrap(new byte[payloadBytes]));
            assertThat(EntryCodec.sizeInBytes(encode(entry)))
                    .as("the stored size counted for a payload of %d bytes", payloadBytes)
                    .isEqualTo(entry.sizeInBytes());
        }
    }

    @Test
    void anEmptyPayloadRoundTrips() {
        LogEntry entry = new LogEntry(1, 1, EntryType.NOOP, Bytes.EMPTY);
        assertThat(codec.decode(1, encode(entry), true)).isEqualTo(entry);
    }

    @Test
    void anEntryUnderTheWrongIndexFailsItsChecksum() {
        ByteBuffer stored = encode(LogEntry.data(5, 1, Bytes.ofUtf8("x")));
        assertThatThrownBy(() -> codec.verify(6, stored))
                .isInstanceOf(CorruptLogException.class)
                .hasMessageStartingWith("corrupt log entry at index 6 in /data/node-1: CRC32C mismatch (stored ");
    }

    @Test
    void everyFlippedByteIsCaught() {
        ByteBuffer stored = encode(LogEntry.data(9, 3, Bytes.ofUtf8("payload bytes")));
        for (int i = 0; i < stored.remaining(); i++) {
            ByteBuffer damaged = copy(stored);
            damaged.put(i, (byte) (damaged.get(i) ^ 1));
            assertThatThrownBy(() -> codec.decode(9, damaged, true))
                    .as("flipped byte %d", i)
                    .isInstanceOf(CorruptLogException.class)
                    .hasFieldOrPropertyWithValue("index", 9L);
        }
    }

    @Test
    void aValueShorterThanTheHeaderIsCorrupt() {
        assertThatThrownBy(() -> codec.verify(3, ByteBuffer.allocate(7)))
                .isInstanceOf(CorruptLogException.class)
                .hasMessage("corrupt log entry at index 3 in /data/node-1: stored value of 7 bytes is shorter than"
                        + " the 20-byte entry header");
    }

    @Test
    void aTruncatedValueIsCorrupt() {
        ByteBuffer stored = encode(LogEntry.data(4, 1, Bytes.ofUtf8("0123456789")));
        ByteBuffer truncated = copy(stored).limit(stored.remaining() - 3);
        assertThatThrownBy(() -> codec.verify(4, truncated))
                .isInstanceOf(CorruptLogException.class)
                .hasMessage(
                        "corrupt log entry at index 4 in /data/node-1: header says 10 payload bytes but 7 are stored");
    }

    @Test
    void anUnknownTypeWithAValidChecksumIsRefused() {
        ByteBuffer stored = encode(LogEntry.data(2, 1, Bytes.ofUtf8("x")));
        stored.putShort(8, (short) 99);
        rechecksum(2, stored); // as a newer writer would have
        assertThatThrownBy(() -> codec.verify(2, stored))
                .isInstanceOf(CorruptLogException.class)
                .hasMessage("corrupt log entry at index 2 in /data/node-1: unknown entry type 99 or flags 0"
                        + " (written by a newer format?)");
    }

    @Test
    void aTermBelowOneWithAValidChecksumIsRefused() {
        ByteBuffer stored = encode(LogEntry.data(2, 1, Bytes.ofUtf8("x")));
        stored.putLong(0, 0);
        rechecksum(2, stored);
        assertThatThrownBy(() -> codec.verify(2, stored))
                .isInstanceOf(CorruptLogException.class)
                .hasMessage("corrupt log entry at index 2 in /data/node-1: term 0 is not positive");
    }

    /** Stores the checksum a writer would have computed for the bytes as they are now. */
    private static void rechecksum(long index, ByteBuffer stored) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, index));
        crc.update(stored.duplicate().limit(16));
        crc.update(stored.duplicate().position(EntryCodec.HEADER_BYTES));
        stored.putInt(16, (int) crc.getValue());
    }

    private ByteBuffer encode(LogEntry entry) {
        ByteBuffer target = ByteBuffer.allocateDirect(EntryCodec.storedSize(entry));
        codec.encode(entry, target);
        return target.clear();
    }

    private static ByteBuffer copy(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate()).flip();
        return copy;
    }
}
