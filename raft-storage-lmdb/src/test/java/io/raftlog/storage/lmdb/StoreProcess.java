package io.raftlog.storage.lmdb;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.testkit.TestEntries;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The main class of child JVMs in the multi-process tests.
 *
 * <ul>
 *   <li>{@code write DIR SEED ACKFILE}: appends synced batches of random size forever, now and then
 *       truncating the prefix or saving a hard state; prints {@code START-…} before each call
 *       and the acknowledgement after it returns ({@code ACK last}, {@code PREFIX first},
 *       {@code HARD term}), each line ending in {@code " ."}, on stdout and appended to ACKFILE
 *       (written before the next store call, so it survives SIGKILL).</li>
 *   <li>{@code hold DIR}: opens the store, prints {@code OPEN pid}, and keeps it open until its
 *       stdin closes.</li>
 *   <li>{@code open DIR}: opens the store and prints {@code OPENED} or the error.</li>
 * </ul>
 */
public final class StoreProcess {
    static final int MAX_BATCH = 400;

    private StoreProcess() {}

    /** The term of the entry at {@code index}: rises every 500 entries. */
    static long termOf(long index) {
        return 1 + index / 500;
    }

    /** The hard state saved with {@code term}: the vote follows from the term. */
    static HardState hardState(long term) {
        return new HardState(term, term % 2 == 0 ? Optional.empty() : Optional.of(NodeId.of("candidate-" + term)));
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        Path directory = Path.of(args[1]);
        switch (args[0]) {
            case "write" -> {
                // Every line also goes to a file: the page cache keeps it through SIGKILL. The file
                // is written first, so a line that reached the pipe is always in the file too.
                try (PrintStream ackLog =
                        new PrintStream(new FileOutputStream(args[3], true), true, StandardCharsets.US_ASCII)) {
                    write(directory, new Random(Long.parseLong(args[2])), new TeeStream(ackLog, out));
                }
            }
            case "hold" -> {
                try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                    say(out, "OPEN " + ProcessHandle.current().pid());
                    while (System.in.read() != -1) {
                        // hold the store until the parent closes our stdin
                    }
                }
            }
            case "open" -> {
                try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                    say(out, "OPENED " + store.firstIndex() + " " + store.lastIndex());
                } catch (RuntimeException e) {
                    say(out, "ERROR " + e.getClass().getName() + ": " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void write(Path directory, Random random, PrintStream out) {
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            say(out, "READY " + store.firstIndex() + " " + store.lastIndex());
            long hardTerm = store.hardState().term();
            while (true) {
                long from = store.lastIndex() + 1;
                int size = 1 + random.nextInt(random.nextBoolean() ? 8 : MAX_BATCH);
                say(out, "START-APPEND " + (from + size - 1));
                store.append(batch(from, size));
                say(out, "ACK " + store.lastIndex());
                int action = random.nextInt(40);
                if (action == 0 && store.lastIndex() > store.firstIndex()) {
                    long to = store.firstIndex() + (store.lastIndex() - store.firstIndex()) / 2;
                    say(out, "START-PREFIX " + to);
                    store.truncatePrefix(to);
                    say(out, "PREFIX " + to);
                } else if (action < 4) {
                    hardTerm++;
                    say(out, "START-HARD " + hardTerm);
                    store.saveHardState(hardState(hardTerm));
                    say(out, "HARD " + hardTerm);
                }
            }
        }
    }

    private static List<LogEntry> batch(long from, int size) {
        LogEntry[] entries = new LogEntry[size];
        for (int i = 0; i < size; i++) {
            entries[i] = TestEntries.entry(from + i, termOf(from + i));
        }
        return List.of(entries);
    }

    private static void say(PrintStream out, String line) {
        out.println(line + " .");
        out.flush();
    }

    /** Writes each byte to both streams; flushing flushes both. */
    private static final class TeeStream extends PrintStream {
        TeeStream(PrintStream first, PrintStream second) {
            super(
                    new OutputStream() {
                        @Override
                        public void write(int b) {
                            first.write(b);
                            second.write(b);
                        }

                        @Override
                        public void write(byte[] bytes, int offset, int length) {
                            first.write(bytes, offset, length);
                            second.write(bytes, offset, length);
                        }

                        @Override
                        public void flush() {
                            first.flush();
                            second.flush();
                        }
                    },
                    false,
                    StandardCharsets.US_ASCII);
        }
    }
}
