package io.raftlog.storage.lmdb;

import static io.raftlog.storage.lmdb.LmdbErrorPathsTest.bigEntries;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.message.LogEntry;
import io.raftlog.testkit.TestEntries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the LMDB store does beyond the contract: zero-copy views, map growth, the NO_SYNC warning. */
class LmdbLogStoreTest {
    @TempDir
    Path directory;

    @Test
    void forEachHandsOutViewsOfTheMapWhileReadCopies() {
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            store.append(range(1, 9, 1));
            List<Boolean> direct = new ArrayList<>();
            store.forEach(1, 9, Long.MAX_VALUE, entry -> {
                direct.add(entry.payload().asReadOnlyBuffer().isDirect());
                assertThat(TestEntries.isIntact(entry)).isTrue();
            });
            assertThat(direct).containsOnly(true).hasSize(9);
            assertThat(store.read(1, 9, Long.MAX_VALUE))
                    .allSatisfy(entry -> assertThat(
                                    entry.payload().asReadOnlyBuffer().isDirect())
                            .isFalse());
        }
    }

    @Test
    void aLargeCompactionIsRemovedAShareAtATimeWithTheAppendsThatFollowAndAtTheNextOpen() {
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            for (long first = 1; first <= 20_000; first += 1000) {
                store.append(range(first, first + 999, 1));
            }
            store.truncatePrefix(19_001);
            assertThat(store.firstIndex()).isEqualTo(19_001);
            assertThat(store.storedEntries())
                    .as("the removal does not stall the writer: it waits for the appends")
                    .isGreaterThan(1000);
            for (long first = 20_001; first <= 40_000; first += 1000) {
                store.append(range(first, first + 999, 1));
            }
            assertThat(store.storedEntries()).isEqualTo(21_000);
            store.truncatePrefix(39_001);
            store.reset(50_000, 2);
            assertThat(store.read(50_001, 10, Long.MAX_VALUE)).isEmpty();
        }
        try (LmdbLogStore reopened = LmdbLogStore.open(directory)) {
            assertThat(reopened.storedEntries())
                    .as("what was left is removed at open")
                    .isZero();
            assertThat(reopened.firstIndex()).isEqualTo(50_001);
            assertThat(reopened.term(50_000)).isEqualTo(2);
        }
    }

    @Test
    void theMapGrowsInsteadOfFailingAppends() {
        LmdbStoreConfig config = LmdbStoreConfig.of(directory).withMapSize(64 << 10, 1L << 30);
        List<LogEntry> written = new ArrayList<>();
        try (LmdbLogStore store = LmdbLogStore.open(config)) {
            for (int batch = 0; batch < 8; batch++) {
                List<LogEntry> entries = bigEntries(store.lastIndex() + 1, 50, 10_000);
                store.append(entries);
                written.addAll(entries);
            }
            List<LogEntry> huge = bigEntries(store.lastIndex() + 1, 1, 3 << 20);
            store.append(huge);
            written.addAll(huge);
            assertThat(store.mapSizeBytes()).isGreaterThan(7L << 20);
            assertThat(store.read(1, 1000, Long.MAX_VALUE)).isEqualTo(written);
        }
        try (LmdbLogStore reopened = LmdbLogStore.open(config)) {
            assertThat(reopened.read(1, 1000, Long.MAX_VALUE)).isEqualTo(written);
        }
    }

    @Test
    void theMapGrowsWhileReadersAreReading() throws Exception {
        LmdbStoreConfig config = LmdbStoreConfig.of(directory).withMapSize(64 << 10, 1L << 30);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        try (LmdbLogStore store = LmdbLogStore.open(config)) {
            store.append(bigEntries(1, 5, 1000));
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(readers.submit(() -> {
                    while (writing.get()) {
                        List<LogEntry> entries = store.read(1, 10_000, Long.MAX_VALUE);
                        assertThat(entries).isNotEmpty();
                        assertThat(entries.get(entries.size() - 1).index()).isEqualTo(entries.size());
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> reads.get() > 10);
            long initialMap = store.mapSizeBytes();
            for (int batch = 0; batch < 40; batch++) {
                store.append(bigEntries(store.lastIndex() + 1, 20, 5000));
            }
            writing.set(false);
            for (Future<?> result : results) {
                result.get(20, TimeUnit.SECONDS);
            }
            assertThat(store.mapSizeBytes()).isGreaterThan(initialMap);
            assertThat(store.lastIndex()).isEqualTo(805);
        } finally {
            writing.set(false);
            readers.shutdownNow();
        }
    }

    @Test
    void noSyncModeWarnsLoudlyThatItCanLoseAcknowledgedData() {
        try (LogCapture log = LogCapture.start();
                LmdbLogStore store =
                        LmdbLogStore.open(LmdbStoreConfig.of(directory).withSyncMode(SyncMode.NO_SYNC))) {
            store.append(range(1, 3, 1));
            assertThat(store.read(1, 3, Long.MAX_VALUE)).isEqualTo(range(1, 3, 1));
            assertThat(log.lines())
                    .filteredOn(line -> line.contains(" WARN " + LmdbLogStore.class.getName() + " - "))
                    .singleElement(as(InstanceOfAssertFactories.STRING))
                    .contains("SyncMode.NO_SYNC")
                    .contains("CAN LOSE ACKNOWLEDGED ENTRIES")
                    .contains(directory.toAbsolutePath().toString());
        }
    }

    @Test
    void openingAndMapGrowthAreLoggedOnceEachUnderTheirOwnLoggers() {
        LmdbStoreConfig config = LmdbStoreConfig.of(directory).withMapSize(64 << 10, 1L << 30);
        try (LogCapture log = LogCapture.start();
                LmdbLogStore store = LmdbLogStore.open(config)) {
            store.append(bigEntries(1, 1, 256 << 10)); // 4 times the initial map: it must grow
            assertThat(log.lines())
                    .filteredOn(line -> line.contains(" INFO " + LmdbLogStore.class.getName() + " - "))
                    .singleElement(as(InstanceOfAssertFactories.STRING))
                    .contains("opened: 0 entries from index 1")
                    .contains("sync mode SYNC");
            assertThat(log.lines())
                    .filteredOn(line -> line.contains(" INFO " + LmdbEnvironment.class.getName() + " - "))
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line).contains("LMDB map in").contains("grown from"));
            assertThat(log.lines()).noneMatch(line -> line.contains(" WARN "));
        }
    }
}
