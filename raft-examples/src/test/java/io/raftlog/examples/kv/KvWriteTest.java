package io.raftlog.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link KvWrite}'s record format: compact, versioned, and strict about what it reads. */
class KvWriteTest {
    @Test
    void everyWriteDecodesToItself() {
        List<KvWrite> writes = List.of(
                new KvWrite.Put("k", "v"),
                new KvWrite.Put("k", ""),
                new KvWrite.Put("ключ", "x".repeat(300)),
                new KvWrite.Delete("k"),
                new KvWrite.CompareAndSet("k", "old", "new"),
                new KvWrite.CompareAndSet("k", "", "new"),
                new KvWrite.CompareAndSet("k", null, "new"));
        for (KvWrite write : writes) {
            assertThat(KvWrite.decode(write.encode())).isEqualTo(write);
        }
    }

    @Test
    void aPutIsOneHeaderByteAndTwoLengthPrefixedFields() {
        Bytes put = new KvWrite.Put("hello", "world").encode();
        assertThat(put.size()).isEqualTo(13);
        assertThat(put.byteAt(0)).as("version 1, operation 1").isEqualTo((byte) 0x11);
    }

    @Test
    void anEmptyStringExpectedIsNotTheSameAsAnAbsentKey() {
        assertThat(new KvWrite.CompareAndSet("k", "", "v").encode())
                .isNotEqualTo(new KvWrite.CompareAndSet("k", null, "v").encode());
    }

    @Test
    void recordsThatAreNotWritesOfThisVersionAreRefusedWithTheReason() {
        assertRefused(Bytes.EMPTY, "empty record");
        assertRefused(Bytes.ofUtf8("plain text"), "names version 7");
        assertRefused(Bytes.wrap(new byte[] {0x21, 1, 'k'}), "names version 2");
        assertRefused(Bytes.wrap(new byte[] {0x19, 1, 'k'}), "unknown key-value operation 9");
        assertRefused(Bytes.wrap(new byte[] {0x12, 0}), "empty key");
        assertRefused(Bytes.wrap(new byte[] {0x12, 5, 'k'}), "5 bytes long, but only 1 follow");
        assertRefused(Bytes.wrap(new byte[] {0x11, 1, 'k'}), "cut off in the length of its value");
        assertRefused(Bytes.wrap(new byte[] {0x12, 1, 'k', 'x'}), "1 bytes after the end");
        assertRefused(Bytes.wrap(new byte[] {0x12, 1, (byte) 0xC3}), "not UTF-8");
        assertRefused(
                Bytes.wrap(new byte[] {0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}), "31 bits");
    }

    @Test
    void noPrefixOrMutationOfAWriteThrowsAnythingButMalformedWrite() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] write =
                new KvWrite.CompareAndSet("key", "expected", "update").encode().toByteArray();
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = Arrays.copyOf(write, random.nextInt(write.length + 1));
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                KvWrite.decode(Bytes.wrap(bytes));
            } catch (MalformedWriteException expected) {
                // the only failure allowed
            } catch (RuntimeException other) {
                throw new AssertionError("seed " + seed + ": " + Arrays.toString(bytes) + " threw " + other, other);
            }
        }
    }

    @Test
    void aWriteNeedsANonEmptyKeyAndAValue() {
        assertThatThrownBy(() -> new KvWrite.Put("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvWrite.Put("k", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new KvWrite.CompareAndSet("k", "v", null)).isInstanceOf(NullPointerException.class);
    }

    private static void assertRefused(Bytes payload, String reason) {
        assertThatThrownBy(() -> KvWrite.decode(payload))
                .isInstanceOf(MalformedWriteException.class)
                .hasMessageContaining(reason);
    }
}
