package io.raftlog.examples.filestore;

import static io.raftlog.testkit.TestEntries.entry;
import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.message.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link FileLogStore} makes of its log file after a crash or bit rot, by editing the file
 * between a close and an open: a write cut short is undone whole, damage is named by its entry and
 * never read back, and nothing acknowledged is dropped in silence. Positions follow the layout
 * {@link Frames} documents: a first append's frames start at 0, each 40 bytes plus its payload,
 * and every operation ends with two 40-byte commit markers.
 */
class FileLogStoreRecoveryTest {
    private static final int HEADER = Frames.HEADER_BYTES;

    @TempDir
    Path directory;

    private Path log() {
        return directory.resolve(FileLogStore.LOG_FILE);
    }

    @Test
    void anAppendCutShortAnywhereIsUndoneWholeAndOnceItsMarkerIsWrittenItIsKept() throws IOException {
        List<LogEntry> first = range(1, 3, 1);
        List<LogEntry> second = range(4, 8, 2);
        long afterFirst;
        long afterSecond;
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(first);
            afterFirst = Files.size(log());
            store.append(second);
            afterSecond = Files.size(log());
        }
        byte[] file = Files.readAllBytes(log());
        long firstMarker = afterSecond - 2 * HEADER;
        TreeSet<Long> cuts = new TreeSet<>(List.of(firstMarker - 1, firstMarker, firstMarker + 1));
        for (long cut = afterFirst; cut < afterSecond; cut += 7) {
            cuts.add(cut);
        }
        cuts.addAll(List.of(firstMarker + HEADER - 1, firstMarker + HEADER, afterSecond - 1));
        for (long cut : cuts) {
            Files.write(log(), Arrays.copyOf(file, (int) cut));
            boolean committed = cut >= firstMarker + HEADER; // the first marker is whole
            List<LogEntry> expected = committed ? concat(first, second) : first;
            try (FileLogStore store = FileLogStore.open(directory)) {
                assertThat(store.read(1, 100, Long.MAX_VALUE))
                        .as("the log after a crash that left %d of the %d bytes", cut, afterSecond)
                        .isEqualTo(expected);
                assertThat(Files.size(log()))
                        .as("the file after opening, cut at %d", cut)
                        .isEqualTo(committed ? afterSecond : afterFirst);
                store.append(List.of(entry(expected.size() + 1, 3)));
            }
            try (FileLogStore store = FileLogStore.open(directory)) {
                assertThat(store.lastIndex())
                        .as("an append after the recovery from cut %d, kept", cut)
                        .isEqualTo(expected.size() + 1);
            }
        }
    }

    @Test
    void aDamagedPayloadIsNamedByItsIndexNeverReadBackAndRepairable() throws IOException {
        List<LogEntry> entries = range(1, 10, 1);
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(entries);
        }
        flip(position(List.of(entries), 4) + HEADER + 2);

        try (FileLogStore store = FileLogStore.open(directory)) {
            assertThatThrownBy(() -> store.read(4, 1, Long.MAX_VALUE))
                    .as("reading the damaged entry")
                    .isInstanceOfSatisfying(
                            CorruptLogException.class,
                            e -> assertThat(e.index())
                                    .as("the index the exception names")
                                    .isEqualTo(4))
                    .hasMessageContaining("CRC32C mismatch");
            assertThatThrownBy(() -> store.read(1, 10, Long.MAX_VALUE))
                    .as("a read across it")
                    .isInstanceOf(CorruptLogException.class);
            assertThat(store.read(5, 10, Long.MAX_VALUE))
                    .as("the entries after it")
                    .isEqualTo(range(5, 10, 1));
            assertThat(store.term(4)).as("its term, from the intact header").isEqualTo(1);

            store.replace(entry(4, 1));
            assertThat(store.read(1, 10, Long.MAX_VALUE))
                    .as("the log after the repair")
                    .isEqualTo(entries);
        }
        try (FileLogStore store = FileLogStore.open(directory)) {
            assertThat(store.read(1, 10, Long.MAX_VALUE))
                    .as("the repair, after reopening")
                    .isEqualTo(entries);
        }
    }

    @Test
    void aDamagedHeaderThatCommittedOperationsFollowRefusesToOpenNamingTheEntry() throws IOException {
        List<List<LogEntry>> appends = List.of(range(1, 5, 1), range(6, 8, 1));
        try (FileLogStore store = FileLogStore.open(directory)) {
            appends.forEach(store::append);
        }
        byte[] intact = Files.readAllBytes(log());
        flip(position(appends, 3) + 20); // inside the index field

        assertThatThrownBy(() -> FileLogStore.open(directory))
                .as("opening with entry 3's header damaged and entries after it")
                .isInstanceOfSatisfying(
                        CorruptLogException.class,
                        e -> assertThat(e.index())
                                .as("the index the exception names")
                                .isEqualTo(3))
                .hasMessageContaining("not an unfinished write");

        // The last operation's own markers follow its frames: damage there is not taken for a torn write either.
        Files.write(log(), intact);
        flip(position(appends, 7) + 26); // inside the term field
        assertThatThrownBy(() -> FileLogStore.open(directory))
                .as("opening with entry 7's header damaged")
                .isInstanceOfSatisfying(
                        CorruptLogException.class,
                        e -> assertThat(e.index())
                                .as("the index the exception names")
                                .isEqualTo(7));
    }

    @Test
    void oneDamagedCopyOfACommitMarkerLosesNothing() throws IOException {
        List<LogEntry> entries = range(1, 5, 1);
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(entries);
        }
        byte[] intact = Files.readAllBytes(log());
        long firstCopy = intact.length - 2 * HEADER;
        for (long damaged : new long[] {firstCopy + 20, firstCopy + HEADER + 20}) {
            Files.write(log(), intact);
            flip(damaged);
            try (FileLogStore store = FileLogStore.open(directory)) {
                assertThat(store.read(1, 10, Long.MAX_VALUE))
                        .as("the log with the marker byte at %d damaged", damaged)
                        .isEqualTo(entries);
                store.append(range(6, 7, 1));
            }
            try (FileLogStore store = FileLogStore.open(directory)) {
                assertThat(store.lastIndex())
                        .as("the log, one operation later, with marker byte %d damaged", damaged)
                        .isEqualTo(7);
            }
        }
    }

    @Test
    void aRewriteKeepsADamagedPayloadDetectablyDamaged() throws IOException {
        List<LogEntry> entries = range(1, 10, 1);
        try (FileLogStore store = FileLogStore.open(directory)) {
            store.append(entries);
        }
        flip(position(List.of(entries), 8) + HEADER + 1);
        long before = Files.size(log());

        try (FileLogStore store = FileLogStore.open(directory, 0)) {
            store.truncatePrefix(7);
            assertThat(Files.size(log())).as("the file, rewritten").isLessThan(before);
            assertThatThrownBy(() -> store.read(8, 1, Long.MAX_VALUE))
                    .as("the damaged entry, copied by the rewrite")
                    .isInstanceOfSatisfying(
                            CorruptLogException.class,
                            e -> assertThat(e.index())
                                    .as("the index the exception names")
                                    .isEqualTo(8));
            assertThat(store.read(9, 10, Long.MAX_VALUE))
                    .as("the entries after it")
                    .isEqualTo(range(9, 10, 1));
        }
    }

    /** The file position of entry {@code index}, when a new store took {@code appends}, in order. */
    private static long position(List<List<LogEntry>> appends, long index) {
        long position = 0;
        for (List<LogEntry> append : appends) {
            for (LogEntry entry : append) {
                if (entry.index() == index) {
                    return position;
                }
                position += HEADER + entry.payload().size();
            }
            position += 2 * HEADER; // the operation's two commit markers
        }
        throw new IllegalArgumentException("no entry " + index);
    }

    private void flip(long position) throws IOException {
        byte[] bytes = Files.readAllBytes(log());
        bytes[(int) position] ^= 0x10;
        Files.write(log(), bytes);
    }

    private static List<LogEntry> concat(List<LogEntry> first, List<LogEntry> second) {
        List<LogEntry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
