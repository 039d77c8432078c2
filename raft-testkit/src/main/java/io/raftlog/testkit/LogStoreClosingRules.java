package io.raftlog.testkit;

import static io.raftlog.testkit.TestEntries.entry;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Closing: every method of a closed store throws {@link IllegalStateException}, closing twice is
 * harmless, {@code close()} releases what the store holds (a directory lock, files) before it
 * returns, on whichever thread calls it, and reads racing it end cleanly.
 */
abstract class LogStoreClosingRules extends LogStoreRules {
    LogStoreClosingRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void aClosedStoreThrowsIllegalStateExceptionFromEveryMethod() {
        store().append(range(1, 3, 1));
        LogStore closed = store();
        closed.close();

        List<String> wrong = new ArrayList<>();
        callsOf(closed).forEach((call, body) -> {
            Throwable thrown = catchThrowable(body);
            if (!(thrown instanceof IllegalStateException)) {
                wrong.add(call + " " + (thrown == null ? "returned normally" : "threw " + thrown));
            }
        });
        assertThat(wrong)
                .as("rule: every method of a closed store but close() throws IllegalStateException (LogStore#close);"
                        + " these did not")
                .isEmpty();
        assertSameEntries(
                range(1, 3, 1), reopen().read(1, 10, Long.MAX_VALUE), "read after the calls on the closed store");
    }

    @Test
    void closingTwiceIsHarmless() {
        store().append(range(1, 3, 1));
        store().close();
        Throwable second = catchThrowable(store()::close);
        assertThat(second)
                .as("rule: close() of a closed store does nothing (it threw)")
                .isNull();
        assertSameEntries(range(1, 3, 1), reopen().read(1, 10, Long.MAX_VALUE), "read after closing twice");
    }

    /**
     * A node that stops releases its data directory for the next one at once: a store opened on the
     * directory right after {@code close()} returns must open (no lock, file or thread of the old
     * store left behind) and see everything.
     */
    @Test
    void closeReleasesTheDirectorySoANewStoreOpensItAtOnce() {
        for (int round = 1; round <= 3; round++) {
            store().append(range(round, round, 1));
            int opened = round;
            Throwable refused = catchThrowable(this::reopen);
            assertThat(refused)
                    .as(
                            "rule: close() releases what the store holds (its directory lock, files): opening the"
                                    + " directory again right after close() failed (round %d)",
                            opened)
                    .isNull();
            assertSameEntries(range(1, round, 1), store().read(1, 10, Long.MAX_VALUE), "read after reopening");
        }
    }

    /** The node opens its store on the application's thread and closes it on another one. */
    @Test
    void aStoreOpenedOnOneThreadIsClosedOnAnotherAndReleasesTheDirectory() throws Exception {
        store().append(range(1, 5, 1));
        LogStore opened = store();
        Throwable failed = onNewThread("contract-closer", () -> catchThrowable(opened::close));
        assertThat(failed)
                .as("rule: close() works on a thread other than the one that opened the store")
                .isNull();

        LogStore[] next = new LogStore[1];
        Throwable refused = catchThrowable(() -> next[0] = contract().openStore(contract().directory));
        assertThat(refused)
                .as("rule: close() releases the directory on whichever thread calls it: opening it again after a"
                        + " close() on another thread failed")
                .isNull();
        contract().store = next[0];
        assertSameEntries(range(1, 5, 1), next[0].read(1, 10, Long.MAX_VALUE), "read after a close on another thread");
    }

    /**
     * {@code close()} may come while application threads still read: each read returns the right
     * entries or throws {@link IllegalStateException}; none returns wrong bytes or fails otherwise.
     */
    @Test
    void readsRacingCloseReturnTheRightEntriesOrThrowIllegalStateException() throws Exception {
        List<LogEntry> written = range(1, 300, 2);
        store().append(written);
        LogStore racing = store();
        int readers = 3;
        CountDownLatch reading = new CountDownLatch(readers);
        AtomicBoolean closeReturned = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                outcomes.add(pool.submit(() -> readUntilClosed(racing, written, reading, closeReturned)));
            }
            assertThat(reading.await(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .as("rule: reads return (the readers did not all finish a first read)")
                    .isTrue();
            racing.close();
            closeReturned.set(true);
            for (Future<String> outcome : outcomes) {
                assertThat(outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                        .as("rule: a read racing close() returns the right entries or throws IllegalStateException")
                        .isEqualTo("stopped by IllegalStateException");
            }
        } finally {
            pool.shutdownNow();
        }
        assertSameEntries(written, reopen().read(1, 1000, Long.MAX_VALUE), "read after the race");
    }

    private static String readUntilClosed(
            LogStore store, List<LogEntry> written, CountDownLatch reading, AtomicBoolean closeReturned) {
        try {
            while (true) {
                boolean afterClose = closeReturned.get();
                List<LogEntry> read = store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
                if (!read.equals(written)) {
                    return "a read returned " + read.size() + " entries, not the " + written.size() + " written";
                }
                int[] intact = {0};
                store.forEach(1, Integer.MAX_VALUE, Long.MAX_VALUE, entry -> {
                    if (TestEntries.isIntact(entry)) {
                        intact[0]++;
                    }
                });
                if (intact[0] != written.size()) {
                    return "forEach visited " + intact[0] + " intact entries of " + written.size();
                }
                if (store.term(150) != 2) {
                    return "term(150) was not 2";
                }
                if (afterClose) {
                    return "a read begun after close() returned did not throw IllegalStateException";
                }
                reading.countDown();
            }
        } catch (IllegalStateException closed) {
            reading.countDown();
            return "stopped by IllegalStateException";
        } catch (RuntimeException e) {
            reading.countDown();
            return "a read threw " + e;
        }
    }

    /** Each method of the SPI but close(), named, called with arguments valid for entries 1..3. */
    private static Map<String, ThrowingCallable> callsOf(LogStore store) {
        Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
        calls.put("hardState()", store::hardState);
        calls.put("saveHardState(...)", () -> store.saveHardState(HardState.INITIAL));
        calls.put("metadata(\"identity\")", () -> store.metadata("identity"));
        calls.put("saveMetadata(\"identity\", ...)", () -> store.saveMetadata("identity", Bytes.ofUtf8("x")));
        calls.put("firstIndex()", store::firstIndex);
        calls.put("lastIndex()", store::lastIndex);
        calls.put("term(2)", () -> store.term(2));
        calls.put("append([entry 4])", () -> store.append(List.of(entry(4, 1))));
        calls.put("append([])", () -> store.append(List.of()));
        calls.put("replace(entry 2)", () -> store.replace(entry(2, 1)));
        calls.put("truncateSuffix(3)", () -> store.truncateSuffix(3));
        calls.put("truncatePrefix(2)", () -> store.truncatePrefix(2));
        calls.put("reset(10, 2)", () -> store.reset(10, 2));
        calls.put("read(1, 10, 1000)", () -> store.read(1, 10, 1000));
        calls.put("forEach(1, 10, 1000, ...)", () -> store.forEach(1, 10, 1000, entry -> {}));
        return calls;
    }
}
