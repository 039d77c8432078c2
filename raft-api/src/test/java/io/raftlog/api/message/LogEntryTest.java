package io.raftlog.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.raftlog.api.Bytes;
import org.junit.jupiter.api.Test;

class LogEntryTest {
    /** A store checks maxBytes from a length field with the static form: it must be the same count. */
    @Test
    void theSizeOfAPayloadLengthIsTheSizeOfEveryEntryWithThatPayload() {
        for (int length : new int[] {0, 1, 100, 1 << 20}) {
            for (EntryType type : EntryType.values()) {
                LogEntry entry = new LogEntry(7, 3, type, Bytes.copyOf(new byte[length]));
                assertThat(entry.sizeInBytes())
                        .as("a %s entry with %d payload bytes", type, length)
                        .isEqualTo(LogEntry.sizeInBytes(length));
            }
        }
        assertThat(LogEntry.sizeInBytes(0))
                .as("the header estimate, which the contract suites and the stores count with")
                .isEqualTo(24);
        assertThat(LogEntry.sizeInBytes(Integer.MAX_VALUE))
                .as("no overflow at the largest length")
                .isEqualTo(Integer.MAX_VALUE + 24L);
        assertThatIllegalArgumentException().isThrownBy(() -> LogEntry.sizeInBytes(-1));
    }
}
