package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The concurrency half of {@link LogStoreContract}: one thread mutates (the SPI allows one) while
 * reader threads check that every read sees the log before or after a mutation, never a mix.
 */
final class LogStoreConcurrencyChecks {
    private static final int READERS = 3;
    private static final long DEADLINE_SECONDS = 60;

    /** A body a reader thread repeats until the writer is done; returns normally if all is well. */
    private interface ReaderCheck {
        void check();
    }

    private LogStoreConcurrencyChecks() {}

    /** Batches of 16 entries, each in its own term: a reader sees whole batches only. */
    static void readersDuringAppendsSeeWholeBatches(LogStore store) throws Exception {
        int batch = 16;
        runConcurrently(
                store,
                () -> {
                    for (long term = 1; term <= 150; term++) {
                        long from = (term - 1) * batch + 1;
                        store.append(TestEntries.range(from, from + batch - 1, term));
                    }
                },
                () -> {
                    long last = store.lastIndex();
                    assertThat(last % batch)
                            .as("lastIndex() %d is inside a batch", last)
                            .isZero();
                    List<LogEntry> entries = store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
                    assertThat(entries.size() % batch)
                            .as("read returned %d entries: part of a batch", entries.size())
                            .isZero();
                    assertContiguousAndIntact(entries, 1);
                    for (LogEntry entry : entries) {
                        assertThat(entry.term()).isEqualTo((entry.index() - 1) / batch + 1);
                    }
                    List<LogEntry> visited = new ArrayList<>();
                    store.forEach(1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
                        assertThat(TestEntries.isIntact(entry))
                                .as("visited entry %d is intact", entry.index())
                                .isTrue();
                        visited.add(entry);
                    });
                    assertThat(visited.size() % batch)
                            .as("forEach visited part of a batch")
                            .isZero();
                    if (last > 0) {
                        assertThat(store.term(last)).isEqualTo(last / batch);
                    }
                });
    }

    /** Suffix and prefix truncations interleaved with appends: reads stay contiguous and intact. */
    static void readersDuringTruncationsSeeContiguousIntactEntries(LogStore store) throws Exception {
        runConcurrently(
                store,
                () -> {
                    for (long term = 1; term <= 120; term++) {
                        long last = store.lastIndex();
                        if (last - 3 >= store.firstIndex()) {
                            store.truncateSuffix(last - 3);
                        }
                        long from = store.lastIndex() + 1;
                        store.append(TestEntries.range(from, from + 9, term));
                        if (term % 10 == 0) {
                            store.truncatePrefix(store.firstIndex() + 20);
                        }
                    }
                },
                () -> {
                    long first = store.firstIndex();
                    List<LogEntry> entries;
                    try {
                        entries = store.read(first, Integer.MAX_VALUE, Long.MAX_VALUE);
                    } catch (IllegalArgumentException compactedMeanwhile) {
                        return;
                    }
                    assertContiguousAndIntact(entries, first);
                    for (int i = 1; i < entries.size(); i++) {
                        assertThat(entries.get(i).term())
                                .isGreaterThanOrEqualTo(entries.get(i - 1).term());
                    }
                    if (!entries.isEmpty()) {
                        LogEntry middle = entries.get(entries.size() / 2);
                        try {
                            long term = store.term(middle.index());
                            assertThat(term).isGreaterThanOrEqualTo(middle.term());
                        } catch (IllegalArgumentException truncatedMeanwhile) {
                            // the entry was compacted or truncated since the read: allowed
                        }
                    }
                });
    }

    /** Hard states whose vote follows from their term: a reader never sees a term with another's vote. */
    static void readersOfTheHardStateNeverSeeATornState(LogStore store) throws Exception {
        runConcurrently(
                store,
                () -> {
                    for (long term = 1; term <= 300; term++) {
                        store.saveHardState(hardState(term));
                    }
                },
                () -> {
                    HardState seen = store.hardState();
                    assertThat(seen).isIn(HardState.INITIAL, hardState(seen.term()));
                });
    }

    private static HardState hardState(long term) {
        return new HardState(term, term % 3 == 0 ? Optional.empty() : Optional.of(NodeId.of("node-" + term)));
    }

    private static void assertContiguousAndIntact(List<LogEntry> entries, long from) {
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            assertThat(entry.index()).as("entry %d of a read from %d", i, from).isEqualTo(from + i);
            assertThat(TestEntries.isIntact(entry))
                    .as("entry %d is intact", entry.index())
                    .isTrue();
        }
    }

    /**
     * Runs {@code writer} on this thread once every reader has started, while {@value #READERS}
     * reader threads repeat {@code check}; rethrows the first failure.
     */
    private static void runConcurrently(LogStore store, Runnable writer, ReaderCheck check) throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(READERS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                Callable<Integer> reader = () -> {
                    int reads = 0;
                    do {
                        try {
                            check.check();
                        } finally {
                            started.countDown();
                        }
                        reads++;
                    } while (writing.get());
                    return reads;
                };
                results.add(readers.submit(reader));
            }
            assertThat(started.await(DEADLINE_SECONDS, TimeUnit.SECONDS))
                    .as("readers started")
                    .isTrue();
            try {
                writer.run();
            } finally {
                writing.set(false);
            }
            for (Future<Integer> result : results) {
                try {
                    assertThat(result.get(DEADLINE_SECONDS, TimeUnit.SECONDS)).isPositive();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw e;
                }
            }
        } finally {
            writing.set(false);
            readers.shutdownNow();
            assertThat(readers.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS))
                    .as("readers stopped")
                    .isTrue();
        }
    }
}
