package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * The concurrency half of {@link LogStoreContract}, usable on its own: one thread mutates the store
 * (the SPI allows one mutating thread at a time; the node's I/O thread) while {@link #readers()}
 * reader threads (the node's loop and the application's readers) check that every read sees the
 * log before or after a mutation, never a mix. Each check throws an {@link AssertionError} whose
 * message starts with {@code "rule: "} when the store breaks a rule, and needs a new, empty store.
 *
 * <p>From a project that does not extend the contract (AssertJ must be on its test class path):
 *
 * <pre>{@code
 * try (LogStore store = MyLogStore.open(directory)) {
 *     new LogStoreConcurrencyChecks(store).readersDuringAppendsSeeWholeBatches();
 * }
 * }</pre>
 *
 * <p><b>Tuning.</b> The defaults take well under a second on a small machine. For a longer run
 * override {@link #readers()}, {@link #writerIterations()} or {@link #deadline()} (in a subclass,
 * or through {@link LogStoreContract#concurrencyChecks(LogStore)}), or set the system properties
 * {@value #READERS_PROPERTY} and {@value #ITERATIONS_PROPERTY}, for example
 * {@code -Draftlog.contract.readers=8 -Draftlog.contract.iterations=5000}.
 */
public class LogStoreConcurrencyChecks {
    /** System property: the number of reader threads; 3 by default. */
    public static final String READERS_PROPERTY = "raftlog.contract.readers";
    /** System property: the number of writer iterations of each check; 150 by default. */
    public static final String ITERATIONS_PROPERTY = "raftlog.contract.iterations";

    private static final int BATCH = 16;

    private final LogStore store;

    /** Checks for {@code store}, which must be new and empty (one store per check). */
    public LogStoreConcurrencyChecks(LogStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Reader threads that run beside the writer ({@value #READERS_PROPERTY}, default 3). */
    protected int readers() {
        return Integer.getInteger(READERS_PROPERTY, 3);
    }

    /**
     * What the writer does in each check ({@value #ITERATIONS_PROPERTY}, default 150): that many
     * batches appended, that many rounds of truncations and appends, twice that many hard states.
     */
    protected int writerIterations() {
        return Integer.getInteger(ITERATIONS_PROPERTY, 150);
    }

    /** How long a check waits for its threads before failing. */
    protected Duration deadline() {
        return Duration.ofSeconds(60);
    }

    /**
     * Batches of 16 entries, each in its own term, appended one after another: a reader sees whole
     * batches only — in {@code lastIndex()}, in {@code read}, in {@code forEach} and in {@code term}.
     */
    public void readersDuringAppendsSeeWholeBatches() throws Exception {
        int iterations = writerIterations();
        runConcurrently(
                () -> {
                    for (long term = 1; term <= iterations; term++) {
                        long from = (term - 1) * BATCH + 1;
                        store.append(TestEntries.range(from, from + BATCH - 1, term));
                    }
                },
                this::checkWholeBatches);
    }

    private void checkWholeBatches() {
        long last = store.lastIndex();
        assertThat(last % BATCH)
                .as("rule: an append is seen whole or not at all; lastIndex() %d is inside a batch of %d", last, BATCH)
                .isZero();
        List<LogEntry> entries = store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
        assertThat(entries.size() % BATCH)
                .as(
                        "rule: a read sees whole appends; it returned %d entries, part of a batch of %d",
                        entries.size(), BATCH)
                .isZero();
        assertContiguousAndIntact(entries, 1);
        for (LogEntry entry : entries) {
            assertThat(entry.term())
                    .as("rule: a read during appends returns each entry with its term (entry %d)", entry.index())
                    .isEqualTo((entry.index() - 1) / BATCH + 1);
        }
        List<LogEntry> visited = new ArrayList<>();
        store.forEach(1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
            assertThat(TestEntries.isIntact(entry))
                    .as("rule: forEach during appends visits intact entries (entry %d)", entry.index())
                    .isTrue();
            visited.add(entry);
        });
        assertThat(visited.size() % BATCH)
                .as("rule: forEach sees whole appends; it visited %d entries, part of a batch", visited.size())
                .isZero();
        if (last > 0) {
            assertThat(store.term(last))
                    .as("rule: term(lastIndex()) during appends is the term of that entry (%d)", last)
                    .isEqualTo(last / BATCH);
        }
    }

    /** Suffix and prefix truncations interleaved with appends: reads stay contiguous and intact. */
    public void readersDuringTruncationsSeeContiguousIntactEntries() throws Exception {
        int iterations = writerIterations();
        runConcurrently(
                () -> {
                    for (long term = 1; term <= iterations; term++) {
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
                this::checkContiguousDuringTruncations);
    }

    private void checkContiguousDuringTruncations() {
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
                    .as(
                            "rule: a read during truncations sees terms that never go back (entry %d)",
                            entries.get(i).index())
                    .isGreaterThanOrEqualTo(entries.get(i - 1).term());
        }
        if (!entries.isEmpty()) {
            LogEntry middle = entries.get(entries.size() / 2);
            try {
                assertThat(store.term(middle.index()))
                        .as("rule: term(%d) after a read is that entry's term or a later one's", middle.index())
                        .isGreaterThanOrEqualTo(middle.term());
            } catch (IllegalArgumentException truncatedMeanwhile) {
                // the entry was compacted or truncated since the read: allowed
            }
        }
    }

    /** Hard states whose vote follows from their term: a reader never sees a term with another's vote. */
    public void readersOfTheHardStateNeverSeeATornState() throws Exception {
        int saves = 2 * writerIterations();
        runConcurrently(
                () -> {
                    for (long term = 1; term <= saves; term++) {
                        store.saveHardState(hardState(term));
                    }
                },
                () -> {
                    HardState seen = store.hardState();
                    assertThat(seen)
                            .as("rule: saveHardState is seen whole: a term with its own vote, never another's")
                            .isIn(HardState.INITIAL, hardState(seen.term()));
                });
    }

    private static HardState hardState(long term) {
        return new HardState(term, term % 3 == 0 ? Optional.empty() : Optional.of(NodeId.of("node-" + term)));
    }

    private static void assertContiguousAndIntact(List<LogEntry> entries, long from) {
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            assertThat(entry.index())
                    .as(
                            "rule: a read during mutations returns consecutive entries (entry %d of a read from %d)",
                            i, from)
                    .isEqualTo(from + i);
            assertThat(TestEntries.isIntact(entry))
                    .as("rule: a read during mutations returns intact entries (entry %d)", entry.index())
                    .isTrue();
        }
    }

    /**
     * Runs {@code writer} on this thread once every reader has started, while {@link #readers()}
     * reader threads repeat {@code check}; rethrows the first failure.
     */
    private void runConcurrently(Runnable writer, Runnable check) throws Exception {
        int readers = readers();
        if (readers < 1 || writerIterations() < 1) {
            throw new IllegalArgumentException("readers() and writerIterations() must be positive, were " + readers
                    + " and " + writerIterations());
        }
        long deadlineMillis = deadline().toMillis();
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(readers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                Callable<Integer> reader = () -> {
                    int reads = 0;
                    do {
                        try {
                            check.run();
                        } finally {
                            started.countDown();
                        }
                        reads++;
                    } while (writing.get());
                    return reads;
                };
                results.add(pool.submit(reader));
            }
            assertThat(started.await(deadlineMillis, TimeUnit.MILLISECONDS))
                    .as("rule: reads return (the readers did not all finish a first read within %s)", deadline())
                    .isTrue();
            try {
                writer.run();
            } finally {
                writing.set(false);
            }
            for (Future<Integer> result : results) {
                awaitReader(result, deadlineMillis);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(deadlineMillis, TimeUnit.MILLISECONDS))
                    .as("rule: reads return (the readers did not stop within %s)", deadline())
                    .isTrue();
        }
    }

    private static void awaitReader(Future<Integer> result, long deadlineMillis) throws Exception {
        try {
            assertThat(result.get(deadlineMillis, TimeUnit.MILLISECONDS))
                    .as("reads done by a reader")
                    .isPositive();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
