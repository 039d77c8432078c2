package io.raftlog.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery, rollover and the files themselves: what the contract suites do not look at. */
class SegmentLogStoreTest {
    private static final long SMALL = SegmentStoreConfig.MIN_SEGMENT_BYTES;

    @TempDir
    Path directory;

    @Test
    void aBatchCutShortByACrashIsDroppedWholeAndTheRestIsIntact() throws IOException {
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(1, 5, 1, 256));
            store.append(entries(6, 3, 1, 256));
        }
        Path segment = onlySegment();
        long closed = Files.size(segment);
        // Drop the CLOSE record and a few bytes of the last batch: what a crash during it leaves.
        truncate(segment, closed - Records.HEADER_BYTES - 17);
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            assertThat(store.lastIndex()).isEqualTo(5);
            assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 1, 256));
            store.append(entries(6, 2, 2, 10));
        }
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            assertThat(store.read(1, 100, Long.MAX_VALUE))
                    .hasSize(7)
                    .endsWith(entries(7, 1, 2, 10).get(0));
        }
    }

    @Test
    void aTornTailOfAnyLengthLeavesTheCompletedBatches() throws IOException {
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(1, 2, 1, 100));
        }
        Path segment = onlySegment();
        long base = Files.size(segment);
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(3, 4, 1, 100));
        }
        long full = Files.size(segment) - Records.HEADER_BYTES; // without the second CLOSE
        byte[] saved = Files.readAllBytes(segment);
        for (long cut = base; cut < full; cut += 37) {
            Files.write(segment, java.util.Arrays.copyOf(saved, (int) cut));
            try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
                assertThat(store.lastIndex()).as("cut at %d", cut).isEqualTo(2);
                assertThat(store.read(1, 10, Long.MAX_VALUE)).isEqualTo(entries(1, 2, 1, 100));
            }
        }
    }

    @Test
    void zerosInTheLastBatchAreATornWriteAndZerosBeforeACloseRecordAreDamage() throws IOException {
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(1, 2, 1, 100));
            store.append(entries(3, 1, 1, 2000));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        int payloadOfEntry3 = bytes.length - Records.HEADER_BYTES - 1500;
        java.util.Arrays.fill(bytes, payloadOfEntry3, payloadOfEntry3 + 512, (byte) 0);
        Files.write(segment, bytes);
        // The CLOSE record after it proves the batch was whole: damage, reported on read.
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            assertThat(store.lastIndex()).isEqualTo(3);
            assertThatThrownBy(() -> store.read(3, 1, Long.MAX_VALUE))
                    .isInstanceOfSatisfying(
                            CorruptLogException.class,
                            e -> assertThat(e.index()).isEqualTo(3))
                    .hasMessageContaining(directory.toString());
        }
        // Without the CLOSE records it is the last batch: a torn write, dropped.
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length - Records.HEADER_BYTES));
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            assertThat(store.lastIndex()).isEqualTo(2);
        }
    }

    @Test
    void aDamagedHeaderFollowedByRecordsFailsOpenNamingTheIndex() throws IOException {
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(1, 2, 1, 100));
            store.append(entries(3, 2, 1, 100));
            store.append(entries(5, 2, 1, 100));
        }
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        long second = Records.HEADER_BYTES + Records.length(entries(1, 2, 1, 100));
        bytes[(int) second + 13] ^= 0x40; // the count of the batch of entries 3..4
        Files.write(segment, bytes);
        assertThatThrownBy(() -> open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES))
                .isInstanceOfSatisfying(
                        CorruptLogException.class, e -> assertThat(e.index()).isEqualTo(3))
                .hasMessageContaining(directory.toString());
    }

    @Test
    void fullSegmentsRollOverAndEveryEntryReadsBackAcrossThem() {
        List<LogEntry> written = new ArrayList<>();
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 200; index += 4) {
                List<LogEntry> batch = entries(index, 4, 1 + index / 50, 300);
                store.append(batch);
                written.addAll(batch);
            }
            assertThat(segments().size()).isGreaterThan(10);
            assertThat(store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(written);
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.read(1, Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(written);
            assertThat(store.term(200)).isEqualTo(written.get(199).term());
        }
    }

    @Test
    void aTruncationAcrossSegmentsSurvivesReopenAndTheLogContinues() {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 100; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
            assertThat(segments().size()).isGreaterThan(5);
            store.truncateSuffix(12);
            assertThat(store.lastIndex()).isEqualTo(11);
            store.append(entries(12, 3, 2, 50));
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.lastIndex()).isEqualTo(14);
            assertThat(store.term(11)).isEqualTo(1);
            assertThat(store.term(12)).isEqualTo(2);
            List<LogEntry> all = store.read(1, 100, Long.MAX_VALUE);
            assertThat(all.subList(0, 11)).isEqualTo(entries(1, 11, 1, 400));
            assertThat(all.subList(11, 14)).isEqualTo(entries(12, 3, 2, 50));
        }
    }

    @Test
    void aPrefixTruncationDeletesWholeSegmentsBelowTheNewStart() {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 100; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
            int before = segments().size();
            store.truncatePrefix(90);
            assertThat(segments().size()).isLessThan(before);
            assertThat(store.firstIndex()).isEqualTo(90);
            assertThat(store.term(89)).isEqualTo(1);
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.firstIndex()).isEqualTo(90);
            assertThat(store.term(89)).isEqualTo(1);
            assertThat(store.read(90, 100, Long.MAX_VALUE)).isEqualTo(entries(90, 11, 1, 400));
        }
    }

    @Test
    void aResetStartsANewSegmentAndDeletesTheOldOnes() {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 60; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
            store.reset(1000, 7);
            assertThat(segments()).hasSize(1);
            store.append(entries(1001, 2, 7, 10));
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.firstIndex()).isEqualTo(1001);
            assertThat(store.term(1000)).isEqualTo(7);
            assertThat(store.read(1001, 10, Long.MAX_VALUE)).isEqualTo(entries(1001, 2, 7, 10));
        }
    }

    @Test
    void everyOperationSurvivesAReopen() {
        Bytes repaired = Bytes.wrap(new byte[] {9, 9, 9});
        List<Runnable> checks = new ArrayList<>();
        try (SegmentLogStore store = open(SMALL)) {
            store.append(entries(1, 10, 1, 500));
        }
        reopen(store -> assertThat(store.lastIndex()).isEqualTo(10));
        reopen(store -> store.replace(new LogEntry(4, 1, EntryType.DATA, repaired)));
        reopen(store ->
                assertThat(store.read(4, 1, Long.MAX_VALUE).get(0).payload()).isEqualTo(repaired));
        reopen(store -> store.truncateSuffix(8));
        reopen(store -> assertThat(store.lastIndex()).isEqualTo(7));
        reopen(store -> store.truncatePrefix(3));
        reopen(store -> assertThat(store.firstIndex()).isEqualTo(3));
        reopen(store -> store.saveHardState(new io.raftlog.api.spi.storage.HardState(5, java.util.Optional.empty())));
        reopen(store -> assertThat(store.hardState().term()).isEqualTo(5));
        reopen(store -> store.saveMetadata("cluster", Bytes.wrap(new byte[] {1, 2})));
        reopen(store -> assertThat(store.metadata("cluster")).contains(Bytes.wrap(new byte[] {1, 2})));
        reopen(store -> store.reset(50, 3));
        reopen(store -> {
            assertThat(store.firstIndex()).isEqualTo(51);
            assertThat(store.term(50)).isEqualTo(3);
            assertThat(store.hardState().term()).isEqualTo(5);
        });
        assertThat(checks).isEmpty();
    }

    @Test
    void preallocatedZerosAfterTheLastRecordOfAnySegmentReplayAsItsEnd() throws IOException {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 40; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
        }
        List<Path> segments = segments();
        assertThat(segments.size()).isGreaterThan(2);
        for (Path segment : List.of(segments.get(0), segments.get(segments.size() - 1))) {
            // What a crash leaves: zeros written ahead of the records, in a full segment and the last.
            Files.write(segment, new byte[5000], StandardOpenOption.APPEND);
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.read(1, 100, Long.MAX_VALUE)).isEqualTo(entries(1, 40, 1, 400));
            store.append(entries(41, 1, 1, 400));
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.lastIndex()).isEqualTo(41);
        }
    }

    @Test
    void aTornNewSegmentAfterPreallocatedZerosLeavesThePreviousOneActive() throws IOException {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 40; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
        }
        List<Path> segments = segments();
        Path last = segments.get(segments.size() - 1);
        Files.write(last, new byte[4096], StandardOpenOption.APPEND);
        long sequence = SegmentFiles.sequenceOf(last.getFileName().toString());
        // A roll a power cut interrupted: the new file is there, its START torn.
        Files.write(directory.resolve(SegmentFiles.fileName(sequence + 1)), new byte[] {0x52, 0x53, 0x45});
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(segments()).hasSize(segments.size());
            store.truncateSuffix(39);
            store.append(entries(39, 1, 2, 10));
        }
        try (SegmentLogStore store = open(SMALL)) {
            assertThat(store.lastIndex()).isEqualTo(39);
            assertThat(store.read(38, 10, Long.MAX_VALUE))
                    .containsExactly(
                            entries(38, 1, 1, 400).get(0), entries(39, 1, 2, 10).get(0));
        }
    }

    @Test
    void appendsFillThePreallocatedZerosAndCloseCutsThemOff() throws IOException {
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            store.append(entries(1, 1, 1, 100));
            assertThat(Files.size(onlySegment())).isGreaterThan(SegmentFiles.PREALLOCATE_BYTES);
            for (long index = 2; index <= 3000; index++) {
                store.append(entries(index, 1, 1, 400));
            }
        }
        long records = Records.HEADER_BYTES * 2L
                + Records.length(entries(1, 1, 1, 100))
                + 2999 * Records.length(entries(2, 1, 1, 400));
        assertThat(Files.size(onlySegment())).isEqualTo(records);
        try (SegmentLogStore store = open(SegmentStoreConfig.DEFAULT_SEGMENT_BYTES)) {
            assertThat(store.read(2990, 100, Long.MAX_VALUE)).isEqualTo(entries(2990, 11, 1, 400));
        }
    }

    @Test
    void aMissingSegmentFailsOpen() {
        try (SegmentLogStore store = open(SMALL)) {
            for (long index = 1; index <= 100; index += 5) {
                store.append(entries(index, 5, 1, 400));
            }
        }
        List<Path> segments = segments();
        try {
            Files.delete(segments.get(segments.size() / 2));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> open(SMALL))
                .isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void aSecondStoreOnTheDirectoryFailsAndCallsAfterCloseThrow() {
        SegmentLogStore store = open(SMALL);
        assertThatThrownBy(() -> open(SMALL))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("in use");
        store.close();
        store.close();
        assertThatThrownBy(store::lastIndex).isInstanceOf(IllegalStateException.class);
        try (SegmentLogStore again = open(SMALL)) {
            assertThat(again.lastIndex()).isZero();
        }
    }

    @Test
    void aDirectoryHoldingAnLmdbStoreIsRefusedNamingTheStoreThatOpensIt() throws IOException {
        Files.createDirectories(directory);
        Files.write(directory.resolve("data.mdb"), new byte[4096]);
        assertThatThrownBy(() -> open(SMALL))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("holds an LMDB store (data.mdb)")
                .hasMessageContaining("--store lmdb");
        assertThat(directory.resolve("data.mdb")).hasSize(4096);
        Files.delete(directory.resolve("data.mdb"));
        try (SegmentLogStore again = open(SMALL)) { // the refusal released the directory lock
            assertThat(again.lastIndex()).isZero();
        }
    }

    private void reopen(java.util.function.Consumer<SegmentLogStore> action) {
        try (SegmentLogStore store = open(SMALL)) {
            action.accept(store);
        }
    }

    private SegmentLogStore open(long segmentBytes) {
        return SegmentLogStore.open(SegmentStoreConfig.of(directory).withSegmentBytes(segmentBytes));
    }

    private Path onlySegment() {
        assertThat(segments()).hasSize(1);
        return segments().get(0);
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(
                            file -> SegmentFiles.sequenceOf(file.getFileName().toString()) >= 0)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static List<LogEntry> entries(long from, int count, long term, int payloadBytes) {
        List<LogEntry> entries = new ArrayList<>();
        for (long index = from; index < from + count; index++) {
            byte[] payload = new byte[payloadBytes];
            for (int i = 0; i < payloadBytes; i++) {
                payload[i] = (byte) (index * 31 + i);
            }
            EntryType type = EntryType.values()[(int) (index % EntryType.values().length)];
            entries.add(new LogEntry(index, term, type, Bytes.wrap(payload)));
        }
        return entries;
    }
}
