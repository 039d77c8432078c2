package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Reads on interrupted threads. Applications read the log on their own threads, and those get
 * interrupted (a cancelled task, an executor shut down). A store must answer them correctly, leave
 * their interrupt flag as it found it, and stay whole for every other thread: an interrupted
 * {@link java.nio.channels.FileChannel} operation closes the channel for everyone (a
 * {@link java.nio.channels.ClosedByInterruptException}), so a store reading through one shared
 * channel fails these tests.
 */
abstract class LogStoreInterruptRules extends LogStoreRules {
    private static final int INTERRUPTED_ROUNDS = 100;
    private static final HardState STATE = new HardState(3, Optional.of(NodeId.of("node-2")));
    private static final Bytes IDENTITY = Bytes.ofUtf8("cluster c, node n1");

    LogStoreInterruptRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void readsOnAThreadWhoseInterruptFlagIsSetReturnTheRightAnswersAndKeepTheFlag() throws Exception {
        List<LogEntry> written = prepare();
        LogStore store = store();
        onNewThread("contract-interrupted-reader", () -> {
            assertSameEntries(written, readAll(store, "read"), "read");
            assertFlag(false, "read");
            Thread.currentThread().interrupt();
            assertSameEntries(written, readAll(store, "read"), "read on a thread whose interrupt flag is set");
            assertFlag(true, "read");
            for (long index : new long[] {0, 1, 150, 299, 300}) {
                long term = answered(() -> store.term(index), onInterrupted("term(" + index + ")"));
                assertThat(term)
                        .as("rule: term(%d) on a thread whose interrupt flag is set is right", index)
                        .isEqualTo(index == 0 ? 0 : 3);
                assertFlag(true, "term(" + index + ")");
            }
            assertSameEntries(written, visitAll(store, "forEach"), "forEach on a thread whose interrupt flag is set");
            assertFlag(true, "forEach");
            assertThat(answered(store::lastIndex, onInterrupted("lastIndex()")))
                    .as("rule: lastIndex() on an interrupted thread is right")
                    .isEqualTo(300);
            assertThat(answered(store::firstIndex, onInterrupted("firstIndex()")))
                    .as("rule: firstIndex() on an interrupted thread is right")
                    .isEqualTo(1);
            assertThat(answered(store::hardState, onInterrupted("hardState()")))
                    .as("rule: hardState() on an interrupted thread is right")
                    .isEqualTo(STATE);
            assertThat(answered(() -> store.metadata("identity"), onInterrupted("metadata()")))
                    .as("rule: metadata() on an interrupted thread is right")
                    .contains(IDENTITY);
            assertFlag(true, "lastIndex(), firstIndex(), hardState() and metadata()");
            return null;
        });
        assertStoreStillWorks(written);
    }

    /** The visitor interrupts its own thread at the first entry: forEach still visits every entry. */
    @Test
    void aForEachWhoseThreadIsInterruptedMidwayVisitsEveryEntryAndKeepsTheFlag() throws Exception {
        List<LogEntry> written = prepare();
        LogStore store = store();
        onNewThread("contract-reader-interrupted-midway", () -> {
            List<LogEntry> visited = new ArrayList<>();
            int count = answered(
                    () -> store.forEach(1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
                        if (visited.isEmpty()) {
                            Thread.currentThread().interrupt();
                        }
                        visited.add(LogStoreEntryRules.copy(entry));
                    }),
                    onInterrupted("forEach interrupted at its first entry"));
            assertSameEntries(written, visited, "forEach interrupted at its first entry");
            assertThat(count)
                    .as("rule: forEach interrupted at its first entry returns the number it visited")
                    .isEqualTo(written.size());
            assertFlag(true, "forEach interrupted midway");
            return null;
        });
        assertStoreStillWorks(written);
    }

    /** Another thread interrupts a reader again and again while it reads: every answer is right. */
    @Test
    void readsInterruptedByAnotherThreadWhileReadingReturnTheRightAnswers() throws Exception {
        List<LogEntry> written = prepare();
        LogStore store = store();
        FutureTask<String> reads = new FutureTask<>(() -> readWhileInterrupted(store, written));
        Thread reader = new Thread(reads, "contract-reader-interrupted-meanwhile");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!reads.isDone() && System.nanoTime() < deadline) {
            reader.interrupt();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20)); // pace the interrupts, not a wait
        }
        String outcome;
        try {
            outcome = reads.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "rule: reads interrupted meanwhile return the right answers; one threw " + e.getCause(),
                    e.getCause());
        }
        assertThat(outcome)
                .as("rule: reads, term lookups and forEach interrupted meanwhile return the right answers")
                .isEqualTo("all right");
        assertStoreStillWorks(written);
    }

    private static String readWhileInterrupted(LogStore store, List<LogEntry> written) {
        try {
            for (int round = 1; round <= INTERRUPTED_ROUNDS; round++) {
                Thread.interrupted(); // clear: the next interrupt then arrives during a call
                List<LogEntry> read = store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
                if (!read.equals(written)) {
                    return "round " + round + ": read returned " + read.size() + " entries, not the written ones";
                }
                int[] intact = {0};
                store.forEach(1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
                    if (TestEntries.isIntact(entry)) {
                        intact[0]++;
                    }
                });
                if (intact[0] != written.size()) {
                    return "round " + round + ": forEach visited " + intact[0] + " intact entries of " + written.size();
                }
                long index = 1L + round % written.size();
                if (store.term(index) != 3) {
                    return "round " + round + ": term(" + index + ") was not 3";
                }
            }
            return "all right";
        } finally {
            Thread.interrupted();
        }
    }

    /** 300 entries in term 3, a hard state and a metadata record. */
    private List<LogEntry> prepare() {
        List<LogEntry> written = range(1, 300, 3);
        store().append(written);
        store().saveHardState(STATE);
        store().saveMetadata("identity", IDENTITY);
        return written;
    }

    /** From the test's own thread: reads, an append and a reopening work after the interrupts. */
    private void assertStoreStillWorks(List<LogEntry> written) {
        String rule = "after an interrupted reader, ";
        assertSameEntries(written, readAll(store(), rule + "read on another thread"), rule + "read on another thread");
        answered(
                () -> {
                    store().append(range(301, 310, 4));
                    return null;
                },
                "an interrupted reader leaves the store working for every other thread (append)");
        List<LogEntry> all = concat(written, range(301, 310, 4));
        assertSameEntries(all, store().read(1, Integer.MAX_VALUE, Long.MAX_VALUE), rule + "read after an append");
        assertSameEntries(all, reopen().read(1, Integer.MAX_VALUE, Long.MAX_VALUE), rule + "read after reopening");
        assertThat(Thread.currentThread().isInterrupted())
                .as("rule: a store never interrupts a thread that was not interrupted")
                .isFalse();
    }

    private static List<LogEntry> readAll(LogStore store, String call) {
        return answered(() -> store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE), onInterrupted(call));
    }

    private static List<LogEntry> visitAll(LogStore store, String call) {
        List<LogEntry> visited = new ArrayList<>();
        answered(
                () -> store.forEach(
                        1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> visited.add(LogStoreEntryRules.copy(entry))),
                onInterrupted(call));
        return visited;
    }

    private static String onInterrupted(String call) {
        return call + " answers: a read on an interrupted thread gets the right answer and breaks nothing for"
                + " other threads";
    }

    private static void assertFlag(boolean expected, String call) {
        assertThat(Thread.currentThread().isInterrupted())
                .as(
                        "rule: a store leaves the caller's interrupt flag as it was (%s after %s)",
                        expected ? "set" : "clear", call)
                .isEqualTo(expected);
    }
}
