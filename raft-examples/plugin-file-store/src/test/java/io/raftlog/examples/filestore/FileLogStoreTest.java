package io.raftlog.examples.filestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.storage.files.FileIo;
import io.raftlog.testkit.TestEntries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link FileLogStore} promises beyond the contract suite: its directory, its interrupt
 * safety, its files, the space it gives back.
 */
class FileLogStoreTest {
    @TempDir
    Path directory;

    private static List<LogEntry> concat(List<LogEntry> first, List<LogEntry> second) {
        List<LogEntry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @Test
    void everyEntryTypeAndPayloadComesBackAfterReopening() {
        List<LogEntry> written = new ArrayList<>();
        long index = 1;
        long term = 1;
        for (EntryType type : EntryType.values()) {
            written.add(new LogEntry(index++, term, type, Bytes.EMPTY));
            written.add(new LogEntry(index++, term++, type, Bytes.ofUtf8(type + " payload")));
        }
        written.add(LogEntry.data(index, term, Bytes.copyOf(new byte[3 << 20]))); // larger than a read-ahead
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(written);
        }
        try (FileLogStore store = FileLogStore.open(directory)) {
            assertThat(store.read(1, 100, Long.MAX_VALUE))
                    .as("every entry type, empty and not, read back after reopening")
                    .isEqualTo(written);
        }
    }

    @Test
    void aMissingDirectoryIsCreatedAndAFileInItsPlaceIsRefusedByName() throws Exception {
        Path nested = directory.resolve("a/b/store");
        try (FileLogStore store = FileLogStore.open(nested)) {
            assertThat(Files.isDirectory(nested))
                    .as("the directory was created")
                    .isTrue();
            assertThat(store.directory()).as("the store's directory").isEqualTo(nested.toAbsolutePath());
        }
        Path file = Files.writeString(directory.resolve("plain-file"), "not a directory");
        assertThatThrownBy(() -> FileLogStore.open(file))
                .as("a file where the directory should be")
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void aSecondStoreOnTheDirectoryIsRefusedUntilTheFirstCloses() {
        FileLogStore first = FileLogStore.open(directory);
        first.append(TestEntries.range(1, 3, 1));
        assertThatThrownBy(() -> FileLogStore.open(directory))
                .as("a second store on a locked directory")
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("in use by another store in this JVM");
        first.close();
        try (FileLogStore second = FileLogStore.open(directory)) {
            assertThat(second.lastIndex()).as("the log, once the lock is free").isEqualTo(3);
        }
    }

    @Test
    void anInterruptedCallerReadsAndWritesAndKeepsItsInterrupt() {
        try (FileLogStore store = FileLogStore.open(directory)) {
            Thread.currentThread().interrupt();
            try {
                store.append(TestEntries.range(1, 5, 1));
                store.saveHardState(new HardState(2, Optional.of(NodeId.of("n1"))));
                store.saveMetadata("identity", Bytes.ofUtf8("n1"));
                assertThat(store.read(1, 10, Long.MAX_VALUE))
                        .as("a read by an interrupted thread")
                        .isEqualTo(TestEntries.range(1, 5, 1));
                assertThat(store.metadata("identity")).as("the metadata saved").contains(Bytes.ofUtf8("n1"));
                assertThat(Thread.currentThread().isInterrupted())
                        .as("the caller's interrupt, still set")
                        .isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(store.read(1, 10, Long.MAX_VALUE))
                    .as("a read by another thread afterwards")
                    .isEqualTo(TestEntries.range(1, 5, 1));
        }
    }

    /**
     * One reader is interrupted over and over while it and two others read: an interrupted
     * FileChannel read closes the channel for every thread, so without the store's guard the
     * others would fail too.
     */
    @Test
    void readersAroundAnInterruptedOneNeverFail() throws Exception {
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(TestEntries.range(1, 200, 1));
            ExecutorService readers = Executors.newFixedThreadPool(3);
            AtomicBoolean reading = new AtomicBoolean(true);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    results.add(readers.submit(() -> {
                        synchronized (threads) {
                            threads.add(Thread.currentThread());
                        }
                        int reads = 0;
                        for (; reads < 300; reads++) {
                            assertThat(store.read(1, 200, Long.MAX_VALUE))
                                    .as("a read of all 200 entries")
                                    .hasSize(200);
                        }
                        return reads;
                    }));
                }
                Thread interrupter = new Thread(() -> {
                    while (reading.get()) {
                        synchronized (threads) {
                            if (!threads.isEmpty()) {
                                threads.get(0).interrupt();
                            }
                        }
                        Thread.yield();
                    }
                });
                interrupter.start();
                for (Future<Integer> result : results) {
                    assertThat(result.get(60, TimeUnit.SECONDS))
                            .as("reads of each reader, all intact")
                            .isEqualTo(300);
                }
                reading.set(false);
                interrupter.join();
            } finally {
                reading.set(false);
                readers.shutdownNow();
                assertThat(readers.awaitTermination(60, TimeUnit.SECONDS))
                        .as("readers stopped")
                        .isTrue();
            }
            store.append(TestEntries.range(201, 201, 1));
            assertThat(store.lastIndex()).as("the writer, unaffected").isEqualTo(201);
        }
    }

    @Test
    void truncatedEntriesGiveTheirSpaceBackOnceTheyOutweighThePresentOnes() throws Exception {
        Path log = directory.resolve(FileLogStore.LOG_FILE);
        List<LogEntry> entries = new ArrayList<>();
        for (long index = 1; index <= 100; index++) {
            entries.add(LogEntry.data(index, 1, Bytes.copyOf(new byte[1000])));
        }
        try (FileLogStore store = FileLogStore.open(directory, 10_000)) {
            store.append(entries);
            long full = Files.size(log);
            store.truncatePrefix(60);
            assertThat(Files.size(log))
                    .as("the file after 59 of 100 entries were removed (dead bytes > live bytes)")
                    .isLessThan(full / 2);
            store.truncateSuffix(95);
            store.append(List.of(LogEntry.data(95, 2, Bytes.ofUtf8("after"))));
        }
        try (FileLogStore store = FileLogStore.open(directory)) {
            List<LogEntry> expected = new ArrayList<>(entries.subList(59, 94));
            expected.add(LogEntry.data(95, 2, Bytes.ofUtf8("after")));
            assertThat(store.firstIndex())
                    .as("the first entry after the rewrite")
                    .isEqualTo(60);
            assertThat(store.term(59))
                    .as("the term before the first entry, kept by the rewrite")
                    .isEqualTo(1);
            assertThat(store.read(60, 100, Long.MAX_VALUE))
                    .as("the log after the rewrite")
                    .isEqualTo(expected);
        }
        assertThat(Files.exists(directory.resolve(FileLogStore.REWRITE_FILE)))
                .as("the rewrite's temporary file, gone")
                .isFalse();
    }

    /**
     * An append that failed late (its second force reported an error) may have left its whole
     * operation in the file, markers included, though the store went on as if it were not there.
     * The next write must cut it off first: written over in part, its valid frames after the new
     * operation's would later read as damage.
     */
    @Test
    void whatAFailedWriteLeftBehindNeverBecomesPartOfTheLog() throws Exception {
        Path log = directory.resolve(FileLogStore.LOG_FILE);
        long afterFirst;
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(TestEntries.range(1, 3, 1));
            afterFirst = Files.size(log);
            store.append(TestEntries.range(4, 20, 1)); // plays the failed append
        }
        byte[] withTheFailedAppend = Files.readAllBytes(log);
        Files.write(log, Arrays.copyOf(withTheFailedAppend, (int) afterFirst));
        try (FileLogStore store = FileLogStore.open(directory)) {
            Files.write(log, withTheFailedAppend); // in the file, though the store never saw it succeed
            store.append(TestEntries.range(4, 5, 2));
        }
        try (FileLogStore store = FileLogStore.open(directory)) {
            assertThat(store.read(1, 100, Long.MAX_VALUE))
                    .as("the log: the appends that succeeded, nothing of the failed one")
                    .isEqualTo(concat(TestEntries.range(1, 3, 1), TestEntries.range(4, 5, 2)));
        }
    }

    @Test
    void hardStateAndMetadataLiveInTheirOwnFilesAndTemporaryLeftoversAreIgnored() throws Exception {
        HardState state = new HardState(7, Optional.of(NodeId.of("n2")));
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.saveHardState(state);
            store.saveMetadata("identity", Bytes.ofUtf8("n1"));
        }
        // A crash in the middle of the next save leaves its temporary file, half written.
        Path leftover = directory.resolve(FileLogStore.HARD_STATE_FILE + FileIo.TEMPORARY_SUFFIX);
        Files.write(leftover, new byte[] {0, 1, 2});
        try (FileLogStore store = FileLogStore.open(directory)) {
            assertThat(store.hardState()).as("the hard state saved last").isEqualTo(state);
            assertThat(store.metadata("identity")).as("the metadata saved").contains(Bytes.ofUtf8("n1"));
        }
        assertThat(Files.exists(leftover))
                .as("the temporary file, deleted at open")
                .isFalse();

        Path hardState = directory.resolve(FileLogStore.HARD_STATE_FILE);
        byte[] bytes = Files.readAllBytes(hardState);
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(hardState, bytes);
        assertThatThrownBy(() -> FileLogStore.open(directory))
                .as("a damaged hard state")
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(hardState.toString())
                .hasMessageContaining("CRC32C");
    }
}
