package io.raftlog.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The writer's reused record buffer gives the same bytes as a fresh one, whatever came before. */
class RecordsTest {
    @Test
    void aReusedBufferHoldsExactlyTheBytesOfAFreshOneAfterLargerAndSmallerRecords() {
        Records.Encoder encoder = new Records.Encoder();
        Random random = new Random(7);
        long index = 1;
        for (int round = 0; round < 40; round++) {
            // Sizes that grow past the first buffer, shrink and grow again; payloads of random bytes,
            // so stale bytes of an earlier record would show in reserved fields or past the end.
            int count = 1 + random.nextInt(round % 10 == 9 ? 300 : 20);
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[random.nextInt(round % 7 == 6 ? 4096 : 64)];
                random.nextBytes(payload);
                entries.add(new LogEntry(index++, 3, EntryType.DATA, Bytes.wrap(payload)));
            }
            long offset = 128L * round;
            ByteBuffer reused = encoder.entries(2, offset, Records.BATCH, entries);
            ByteBuffer fresh = ByteBuffer.allocate((int) Records.length(entries));
            fresh.put(Records.entries(2, offset, Records.BATCH, entries));
            assertThat(reused.position()).isZero();
            assertThat(reused.remaining()).isEqualTo((int) Records.length(entries));
            assertThat(copy(reused)).as("round %d", round).isEqualTo(copy(fresh.flip()));

            Records.Header header = Records.parse(reused, 0, 2, offset);
            assertThat(header.count()).isEqualTo(count);
            for (int i = 0; i < count; i++) {
                LogEntry decoded = Records.decode(
                        reused,
                        (int) (header.frameOffset(i) - offset),
                        entries.get(i).index(),
                        entries.get(i).term(),
                        header.payloadLengths()[i],
                        "test",
                        "test");
                assertThat(decoded).isEqualTo(entries.get(i));
            }
        }
    }

    @Test
    void aRecordLargerThanTheReusedBufferGetsItsOwn() {
        Records.Encoder encoder = new Records.Encoder();
        byte[] payload = new byte[Records.Encoder.MAX_REUSED_BYTES];
        List<LogEntry> entries = List.of(new LogEntry(1, 1, EntryType.DATA, Bytes.wrap(payload)));
        ByteBuffer big = encoder.entries(1, 0, Records.BATCH, entries);
        assertThat(big.isDirect()).isFalse();
        assertThat(big.remaining()).isEqualTo((int) Records.length(entries));
        ByteBuffer small =
                encoder.entries(1, 0, Records.BATCH, List.of(new LogEntry(1, 1, EntryType.DATA, Bytes.ofUtf8("x"))));
        assertThat(small.isDirect()).isTrue();
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
