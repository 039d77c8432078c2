package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log entries whose content follows from their index and term, so a test can check any entry it
 * reads back without remembering what it wrote.
 */
public final class TestEntries {
    private TestEntries() {}

    /** The payload of the data entry at {@code index} in {@code term}: 0 to 300 bytes, content varying. */
    public static Bytes payload(long index, long term) {
        String head = "entry " + index + " term " + term + ";";
        int padding = (int) ((index * 31 + term * 7) % 300);
        byte[] bytes = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + padding);
        for (int i = head.length(); i < bytes.length; i++) {
            bytes[i] = (byte) (index + i);
        }
        return Bytes.copyOf(bytes);
    }

    /** The entry at {@code index} in {@code term}: every 10th a NOOP with no payload, else DATA. */
    public static LogEntry entry(long index, long term) {
        return index % 10 == 0
                ? new LogEntry(index, term, EntryType.NOOP, Bytes.EMPTY)
                : LogEntry.data(index, term, payload(index, term));
    }

    /** Entries {@code from..to} (inclusive), all in {@code term}. */
    public static List<LogEntry> range(long from, long to, long term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long index = from; index <= to; index++) {
            entries.add(entry(index, term));
        }
        return entries;
    }

    /** True if {@code entry} is exactly what {@link #entry} makes for its index and term. */
    public static boolean isIntact(LogEntry entry) {
        return entry.equals(entry(entry.index(), entry.term()));
    }
}
