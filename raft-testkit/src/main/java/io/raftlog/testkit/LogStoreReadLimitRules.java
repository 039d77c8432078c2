package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where reads stop: after {@code maxEntries}, or before the entry that would take the sum of
 * {@link LogEntry#sizeInBytes()} past {@code maxBytes} (payload plus a header estimate, so an entry
 * without payload still counts), but never before the first entry; and which ranges may be read.
 */
abstract class LogStoreReadLimitRules extends LogStoreRules {
    private static final String MAX_BYTES_RULE = "read stops at maxBytes counted with LogEntry.sizeInBytes()";

    LogStoreReadLimitRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void readStopsAtMaxBytesButReturnsAtLeastOneEntry() {
        List<LogEntry> written = List.of(
                sized(1, 1, EntryType.DATA, 100),
                sized(2, 1, EntryType.DATA, 100),
                sized(3, 1, EntryType.DATA, 100),
                sized(4, 1, EntryType.DATA, 5000));
        store().append(written);
        long twoEntries = written.get(0).sizeInBytes() + written.get(1).sizeInBytes();

        assertReadsCount(1, 10, twoEntries, 2, "two entries' sizeInBytes() exactly");
        assertReadsCount(1, 10, twoEntries + 1, 2, "a byte more than two entries");
        assertReadsCount(1, 10, 1, 1, "1 byte: the first entry is returned even if it alone exceeds maxBytes");
        assertReadsCount(4, 10, 1, 1, "1 byte from a 5,000-byte entry: returned alone");
        assertReadsCount(1, 2, Long.MAX_VALUE, 2, "maxEntries 2, no byte limit");
    }

    /**
     * The limit counts {@link LogEntry#sizeInBytes()} (payload and header estimate), not payload
     * bytes: a store that counts payloads only returns one entry too many here.
     */
    @Test
    void maxBytesCountsSizeInBytesNotPayloadBytes() {
        List<LogEntry> written = new ArrayList<>();
        for (long index = 1; index <= 6; index++) {
            written.add(sized(index, 1, EntryType.DATA, 100));
        }
        store().append(written);
        long each = written.get(0).sizeInBytes();

        assertReadsCount(1, 100, 3 * each, 3, "exactly three entries' sizeInBytes()");
        assertReadsCount(1, 100, 3 * each - 1, 2, "a byte less than three entries' sizeInBytes()");
        assertReadsCount(1, 100, 300, 2, "three payloads (300 bytes) but less than three entries' sizeInBytes()");
        assertReadsCount(2, 100, 5 * each, 5, "five entries' sizeInBytes() from index 2: all that is left");
    }

    /** Entries without payload (a NOOP, a batch header) count their header estimate. */
    @Test
    void maxBytesCountsEntriesWithoutPayloadAtTheirSizeInBytes() {
        List<LogEntry> written = new ArrayList<>();
        for (long index = 1; index <= 10; index++) {
            EntryType type = index % 2 == 0 ? EntryType.NOOP : EntryType.PRODUCER_BATCH;
            written.add(new LogEntry(index, 1, type, Bytes.EMPTY));
        }
        store().append(written);
        long each = written.get(0).sizeInBytes();

        assertReadsCount(1, 100, 4 * each, 4, "four empty entries' sizeInBytes()");
        assertReadsCount(1, 100, 4 * each + each - 1, 4, "a byte less than five empty entries");
        assertReadsCount(3, 100, each, 1, "one empty entry's sizeInBytes()");
    }

    /** Mixed sizes: each read stops where the running sum of sizeInBytes() would pass maxBytes. */
    @Test
    void readAndForEachStopAtTheSameEntryForEveryLimit() {
        List<LogEntry> written = new ArrayList<>();
        int[] sizes = {0, 300, 7, 0, 1200, 24, 0, 999, 1, 60};
        for (int i = 0; i < sizes.length; i++) {
            EntryType type = sizes[i] == 0 ? EntryType.NOOP : EntryType.DATA;
            written.add(sized(i + 1, 1, type, sizes[i]));
        }
        store().append(written);

        for (int from = 1; from <= written.size(); from++) {
            long sum = 0;
            for (int last = from; last <= written.size(); last++) {
                sum += written.get(last - 1).sizeInBytes();
                assertReadsCount(from, 100, sum, last - from + 1, "the sum of sizeInBytes() up to entry " + last);
                if (last > from) {
                    assertReadsCount(from, 100, sum - 1, last - from, "a byte less than that up to entry " + last);
                }
            }
        }
    }

    @Test
    void readAndForEachStopAtMaxEntries() {
        store().append(range(1, 30, 1));
        for (int max : new int[] {1, 2, 7, 29, 30, 31, Integer.MAX_VALUE}) {
            int expected = Math.min(max, 30);
            assertThat(store().read(1, max, Long.MAX_VALUE))
                    .as("rule: read stops after maxEntries entries (read(1, %d, unlimited) of 30)", max)
                    .hasSize(expected);
            assertThat(store().forEach(1, max, Long.MAX_VALUE, entry -> {}))
                    .as("rule: forEach stops after maxEntries entries (forEach(1, %d, unlimited) of 30)", max)
                    .isEqualTo(expected);
        }
    }

    // ---- invalid reads ------------------------------------------------------------------------

    @Test
    void readingBeyondTheEndIsRejected() {
        store().append(range(1, 5, 1));
        assertThat(store().read(6, 10, 1000))
                .as("rule: read(lastIndex() + 1) returns nothing")
                .isEmpty();
        assertThat(store().forEach(6, 10, 1000, entry -> {}))
                .as("rule: forEach(lastIndex() + 1) visits nothing")
                .isZero();
        assertRefused(() -> store().read(7, 10, 1000), "read past lastIndex() + 1 throws IllegalArgumentException");
        assertRefused(() -> store().read(0, 10, 1000), "read(0) throws IllegalArgumentException");
        assertRefused(
                () -> store().forEach(7, 10, 1000, entry -> {}),
                "forEach past lastIndex() + 1 throws IllegalArgumentException");
    }

    @Test
    void readLimitsMustBePositive() {
        store().append(range(1, 5, 1));
        assertRefused(() -> store().read(1, 0, 1000), "read with maxEntries 0 throws IllegalArgumentException");
        assertRefused(() -> store().read(1, 10, 0), "read with maxBytes 0 throws IllegalArgumentException");
        assertRefused(
                () -> store().forEach(1, -1, 1000, entry -> {}),
                "forEach with negative maxEntries throws IllegalArgumentException");
        assertRefused(
                () -> store().forEach(1, 10, -5, entry -> {}),
                "forEach with negative maxBytes throws IllegalArgumentException");
    }

    /** read and forEach from {@code from} with the limits return {@code expected} entries, the right ones. */
    private void assertReadsCount(long from, int maxEntries, long maxBytes, int expected, String why) {
        List<LogEntry> read = store().read(from, maxEntries, maxBytes);
        assertThat(read.size())
                .as("rule: %s; read(%d, %d, %d): %s", MAX_BYTES_RULE, from, maxEntries, maxBytes, why)
                .isEqualTo(expected);
        List<LogEntry> visited = new ArrayList<>();
        int count = store().forEach(from, maxEntries, maxBytes, entry -> visited.add(LogStoreEntryRules.copy(entry)));
        assertThat(count)
                .as("rule: forEach %s too; forEach(%d, %d, %d): %s", MAX_BYTES_RULE, from, maxEntries, maxBytes, why)
                .isEqualTo(expected);
        assertSameEntries(read, visited, "forEach(" + from + ", " + maxEntries + ", " + maxBytes + ")");
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).index())
                    .as("rule: read returns consecutive entries from fromIndex (read(%d, ...))", from)
                    .isEqualTo(from + i);
        }
    }
}
