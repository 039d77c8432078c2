package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What every group of {@link LogStoreContract} shares: the store under test (through the contract
 * instance that encloses the group) and the checks that name the rule they enforce. Every
 * assertion of the contract starts its description with {@code "rule: "}, so a failure says what
 * the store got wrong, not only which numbers differ.
 */
abstract class LogStoreRules {
    /** How long a check waits for a thread it started. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final LogStoreContract contract;

    LogStoreRules(LogStoreContract contract) {
        this.contract = contract;
    }

    /** The store under test; a new object after {@link #reopen()}. */
    final LogStore store() {
        return contract.store;
    }

    /** Closes the store and opens a new one on the same directory. */
    final LogStore reopen() {
        return contract.reopen();
    }

    final LogStoreContract contract() {
        return contract;
    }

    /** Asserts that {@code call} throws {@code type}; the description names the rule. */
    static void assertThrows(Class<? extends Throwable> type, ThrowingCallable call, String rule, Object... args) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("rule: " + rule, args).isInstanceOf(type);
    }

    /** Asserts that {@code call} is refused with {@link IllegalArgumentException}. */
    static void assertRefused(ThrowingCallable call, String rule, Object... args) {
        assertThrows(IllegalArgumentException.class, call, rule, args);
    }

    /**
     * The result of {@code call}; if it throws, an {@link AssertionError} naming {@code rule} and
     * what was thrown (rather than the store's bare exception, which names no rule).
     */
    static <T> T answered(Callable<T> call, String rule) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new AssertionError("[rule: " + rule + "] it threw " + e, e);
        }
    }

    /** Every entry of the store, read in one call. */
    final List<LogEntry> allEntries() {
        LogStore store = store();
        return store.read(store.firstIndex(), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Compares an entry read back with the one appended, field by field, so a failure names the
     * field: index, term, type, payload (length, then the first differing byte) and
     * {@link LogEntry#sizeInBytes()}. {@code how} says how it was read ("read after reopening").
     */
    static void assertSameEntry(LogEntry expected, LogEntry actual, String how) {
        long index = expected.index();
        assertThat(actual)
                .as("rule: %s returns an entry for index %d", how, index)
                .isNotNull();
        assertThat(actual.index())
                .as("rule: an entry reads back at the index it was appended at (%s, entry %d)", how, index)
                .isEqualTo(index);
        assertThat(actual.term())
                .as("rule: an entry reads back with the term it was appended with (%s, entry %d)", how, index)
                .isEqualTo(expected.term());
        assertThat(actual.type())
                .as("rule: an entry reads back with the EntryType it was appended with (%s, entry %d)", how, index)
                .isEqualTo(expected.type());
        assertThat(actual.payload().size())
                .as("rule: an entry reads back with all of its payload (%s, entry %d, bytes)", how, index)
                .isEqualTo(expected.payload().size());
        assertThat(Arrays.mismatch(
                        actual.payload().toByteArray(), expected.payload().toByteArray()))
                .as(
                        "rule: an entry reads back with its payload byte for byte (%s, entry %d: first wrong byte)",
                        how, index)
                .isEqualTo(-1);
        assertThat(actual.sizeInBytes())
                .as("rule: an entry read back has the sizeInBytes() of the entry appended (%s, entry %d)", how, index)
                .isEqualTo(expected.sizeInBytes());
    }

    /** Compares a whole read with what was appended, entry by entry. */
    static void assertSameEntries(List<LogEntry> expected, List<LogEntry> actual, String how) {
        assertThat(actual.size())
                .as(
                        "rule: %s returns every entry asked for (%d expected from index %s)",
                        how,
                        expected.size(),
                        expected.isEmpty() ? "-" : expected.get(0).index())
                .isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSameEntry(expected.get(i), actual.get(i), how);
        }
    }

    /** A data entry of {@code payloadBytes} bytes whose content follows from its index. */
    static LogEntry sized(long index, long term, EntryType type, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) (index * 7 + i);
        }
        return new LogEntry(index, term, type, Bytes.wrap(payload));
    }

    static List<LogEntry> concat(List<LogEntry> first, List<LogEntry> second) {
        List<LogEntry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * Runs {@code body} on a new thread named {@code name} and returns its result, rethrowing what
     * it threw; fails if it does not finish within {@link #DEADLINE}. The interrupt checks run on
     * such threads so that an interrupt flag never leaks into the test's own thread.
     */
    static <T> T onNewThread(String name, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(body);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError(
                    "rule: a store call returns (thread " + name + " was still running after " + DEADLINE + ")", e);
        }
    }
}
