package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import io.raftlog.api.StorageException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The contract has teeth: each store below breaks one rule of the SPI the way a real plugin did,
 * and the contract must fail it in the test for that rule, with a message naming the rule. (The
 * intact in-memory store passes everything: {@link InMemoryLogStoreContractTest}.)
 */
class LogStoreContractTeethTest {
    @Test
    void aStoreCountingPayloadBytesForMaxBytesFailsTheReadLimitRule() {
        String rule = "rule: read stops at maxBytes counted with LogEntry.sizeInBytes()";
        assertFails(
                CountsPayloadBytesOnly.class,
                Map.of(
                        "maxBytesCountsSizeInBytesNotPayloadBytes", rule,
                        "maxBytesCountsEntriesWithoutPayloadAtTheirSizeInBytes", rule,
                        "readAndForEachStopAtTheSameEntryForEveryLimit", rule));
    }

    @Test
    void aStoreReadingProducerBatchesBackAsDataFailsTheRoundTripRule() {
        assertFails(
                LosesTheProducerBatchType.class,
                Map.of(
                        "everyEntryTypeReadsBackWithItsTypeTermIndexAndPayloadAlsoAfterReopening",
                        "rule: an entry reads back with the EntryType it was appended with",
                        "emptyPayloadsReadBackEmptyForEveryEntryType",
                        "rule: an entry reads back with the EntryType it was appended with"));
    }

    @Test
    void aStoreWhoseReadsBreakOnInterruptedThreadsFailsEveryInterruptRule() {
        assertFails(
                BreaksOnInterruptedReads.class,
                Map.of(
                        "readsOnAThreadWhoseInterruptFlagIsSetReturnTheRightAnswersAndKeepTheFlag",
                        "ClosedByInterrupt",
                        "aForEachWhoseThreadIsInterruptedMidwayVisitsEveryEntryAndKeepsTheFlag",
                        "ClosedByInterrupt",
                        "readsInterruptedByAnotherThreadWhileReadingReturnTheRightAnswers",
                        "rule: reads interrupted meanwhile return the right answers"));
    }

    @Test
    void aStoreClearingTheInterruptFlagFailsTheFlagRule() {
        assertFails(
                SwallowsInterrupts.class,
                Map.of(
                        "readsOnAThreadWhoseInterruptFlagIsSetReturnTheRightAnswersAndKeepTheFlag",
                        "rule: a store leaves the caller's interrupt flag as it was (set after read)"));
    }

    @Test
    void aClosedStoreAnsweringFromACacheOrWithTheWrongExceptionFailsTheClosingRule() {
        assertFails(
                WrongAfterClose.class,
                Map.of("aClosedStoreThrowsIllegalStateExceptionFromEveryMethod", "lastIndex() returned normally"));
    }

    @Test
    void aStoreKeepingItsDirectoryAfterCloseFailsTheReleaseRules() {
        assertFails(
                KeepsTheDirectoryAfterClose.class,
                Map.of(
                        "closeReleasesTheDirectorySoANewStoreOpensItAtOnce",
                        "rule: close() releases what the store holds"));
        assertFails(
                ReleasesOnlyOnTheOpeningThread.class,
                Map.of(
                        "aStoreOpenedOnOneThreadIsClosedOnAnotherAndReleasesTheDirectory",
                        "rule: close() releases the directory on whichever thread calls it"));
    }

    @Test
    void aStoreRefusingEmptyAppendsFailsTheNoOpRule() {
        assertFails(
                RefusesEmptyAppends.class,
                Map.of("appendingNothingChangesNothing", "rule: an empty append is a no-op"));
    }

    @Test
    void aStoreForgettingTheTermBeforeItsFirstEntryFailsTheTermRule() {
        String rule = "rule: term(firstIndex() - 1) is the term of the entry before the first";
        assertFails(
                ForgetsTheTermBeforeTheFirstEntry.class,
                Map.of(
                        "termBeforeTheFirstEntryIsKeptAfterPrefixTruncationsAndReopening", rule,
                        "truncatePrefixKeepsTheTermOfTheEntryBeforeTheNewFirst", rule));
    }

    /**
     * Runs the named tests of the contract against {@code contract}'s store and checks that each
     * failed with a message containing its text.
     */
    private static void assertFails(Class<? extends LogStoreContract> contract, Map<String, String> expected) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        expected.keySet().forEach(test -> selectors.add(selectNestedMethod(List.of(contract), groupOf(test), test)));
        Map<String, String> failed = new TreeMap<>();
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectors.toArray(DiscoverySelector[]::new))
                .execute()
                .testEvents()
                .failed()
                .stream()
                .forEach(event -> failed.put(
                        ((MethodSource) event.getTestDescriptor().getSource().orElseThrow()).getMethodName(),
                        event.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(String::valueOf)
                                .orElse("")));
        expected.forEach((test, text) -> {
            assertThat(failed)
                    .as("the tests the contract failed for %s", contract.getSimpleName())
                    .containsKey(test);
            assertThat(failed.get(test))
                    .as("why %s failed for %s", test, contract.getSimpleName())
                    .contains(text);
        });
    }

    /** The nested group of {@link LogStoreContract} that holds the test {@code name}. */
    private static Class<?> groupOf(String name) {
        for (Class<?> group : LogStoreContract.class.getDeclaredClasses()) {
            for (Class<?> type = group; type != null; type = type.getSuperclass()) {
                for (Method method : type.getDeclaredMethods()) {
                    if (method.getName().equals(name) && method.isAnnotationPresent(Test.class)) {
                        return group;
                    }
                }
            }
        }
        throw new IllegalArgumentException("LogStoreContract has no test named " + name);
    }

    // ---- the broken stores ----------------------------------------------------------------------

    /** A contract over in-memory volumes, each store wrapped by {@link #broken}; short concurrency checks. */
    abstract static class BrokenStoreContract extends LogStoreContract {
        private final Map<Path, InMemoryLogStore.Volume> volumes = new HashMap<>();

        abstract LogStore broken(LogStore intact);

        @Override
        protected LogStore openStore(Path directory) {
            return broken(
                    new InMemoryLogStore(volumes.computeIfAbsent(directory, unused -> new InMemoryLogStore.Volume())));
        }

        @Override
        protected LogStoreConcurrencyChecks concurrencyChecks(LogStore store) {
            return new LogStoreConcurrencyChecks(store) {
                @Override
                protected int writerIterations() {
                    return 5;
                }
            };
        }
    }

    /** Counts payload bytes against maxBytes, leaving out the header estimate of sizeInBytes(). */
    static class CountsPayloadBytesOnly extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
                    List<LogEntry> all = delegate.read(fromIndex, maxEntries, Long.MAX_VALUE);
                    List<LogEntry> within = new ArrayList<>();
                    long bytes = 0;
                    for (LogEntry entry : all) {
                        bytes += entry.payload().size();
                        if (bytes > maxBytes && !within.isEmpty()) {
                            break;
                        }
                        within.add(entry);
                    }
                    return within;
                }

                @Override
                public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
                    List<LogEntry> entries = read(fromIndex, maxEntries, maxBytes);
                    entries.forEach(visitor);
                    return entries.size();
                }
            };
        }
    }

    /** Decodes a producer batch's header entry as a plain data entry. */
    static class LosesTheProducerBatchType extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
                    return delegate.read(fromIndex, maxEntries, maxBytes).stream()
                            .map(LosesTheProducerBatchType::decoded)
                            .toList();
                }

                @Override
                public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
                    return delegate.forEach(fromIndex, maxEntries, maxBytes, entry -> visitor.accept(decoded(entry)));
                }
            };
        }

        private static LogEntry decoded(LogEntry entry) {
            return entry.type() == EntryType.PRODUCER_BATCH
                    ? LogEntry.data(entry.index(), entry.term(), entry.payload())
                    : entry;
        }
    }

    /** Reads through one shared channel, which an interrupted read closes for every thread. */
    static class BreaksOnInterruptedReads extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                private volatile boolean channelClosed;

                private void io() {
                    if (channelClosed) {
                        throw new StorageException("ClosedChannelException: the log file's channel is closed");
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        channelClosed = true;
                        throw new StorageException("ClosedByInterruptException while reading the log file");
                    }
                }

                @Override
                public long term(long index) {
                    io();
                    return delegate.term(index);
                }

                @Override
                public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
                    List<LogEntry> entries = new ArrayList<>();
                    forEach(fromIndex, maxEntries, maxBytes, entries::add);
                    return entries;
                }

                @Override
                public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
                    io();
                    return delegate.forEach(fromIndex, maxEntries, maxBytes, entry -> {
                        io(); // one positional read per entry
                        visitor.accept(entry);
                    });
                }

                @Override
                public void append(List<LogEntry> entries) {
                    io();
                    delegate.append(entries);
                }
            };
        }
    }

    /** Clears the interrupt flag of every reader, as a store that drops an InterruptedException does. */
    static class SwallowsInterrupts extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
                    Thread.interrupted(); // clears the flag
                    return delegate.read(fromIndex, maxEntries, maxBytes);
                }
            };
        }
    }

    /** After close, answers lastIndex() from a cache and throws StorageException from metadata(). */
    static class WrongAfterClose extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                private volatile boolean closed;
                private volatile long cachedLast;

                @Override
                public long lastIndex() {
                    return closed ? cachedLast : delegate.lastIndex();
                }

                @Override
                public java.util.Optional<io.raftlog.api.Bytes> metadata(String name) {
                    if (closed) {
                        throw new StorageException("the store is closed");
                    }
                    return delegate.metadata(name);
                }

                @Override
                public void close() {
                    if (!closed) {
                        cachedLast = delegate.lastIndex();
                    }
                    closed = true;
                    delegate.close();
                }
            };
        }
    }

    /** Marks itself closed but keeps its volume (the directory lock) held. */
    static class KeepsTheDirectoryAfterClose extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public void close() {
                    // the lock stays with the closed store
                }
            };
        }
    }

    /** Releases its volume only when closed on the thread that opened it (a thread-owned lock). */
    static class ReleasesOnlyOnTheOpeningThread extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            Thread owner = Thread.currentThread();
            return new ForwardingLogStore(intact) {
                @Override
                public void close() {
                    if (Thread.currentThread() == owner) {
                        delegate.close();
                    }
                }
            };
        }
    }

    /** Refuses an empty batch as a gap, like a store that checks the first entry's index first. */
    static class RefusesEmptyAppends extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public void append(List<LogEntry> entries) {
                    if (entries.isEmpty()) {
                        throw new IllegalArgumentException(
                                "expected an entry at index " + (delegate.lastIndex() + 1) + ", got nothing");
                    }
                    delegate.append(entries);
                }
            };
        }
    }

    /** Answers term(firstIndex() - 1) with the first entry's term, as if it never kept the one before. */
    static class ForgetsTheTermBeforeTheFirstEntry extends BrokenStoreContract {
        @Override
        LogStore broken(LogStore intact) {
            return new ForwardingLogStore(intact) {
                @Override
                public long term(long index) {
                    long first = delegate.firstIndex();
                    if (index == first - 1 && first <= delegate.lastIndex()) {
                        return delegate.term(first);
                    }
                    return delegate.term(index);
                }
            };
        }
    }
}
