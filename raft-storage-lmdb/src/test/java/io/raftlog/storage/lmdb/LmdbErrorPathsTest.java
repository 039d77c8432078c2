package io.raftlog.storage.lmdb;

import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** Every way opening or writing can fail gives a clear error, and the store stays consistent. */
class LmdbErrorPathsTest {
    @TempDir
    Path temp;

    @Test
    void aDataDirectoryThatIsAFileIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-directory"), "x");
        assertThatThrownBy(() -> LmdbLogStore.open(file))
                .isInstanceOf(StorageException.class)
                .hasMessage("data directory " + file + " exists but is not a directory");
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");
        Path directory = file.resolve("data");
        assertThatThrownBy(() -> LmdbLogStore.open(directory))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("cannot create data directory " + directory + ": ");
    }

    @Test
    void aDirectoryHoldingASegmentStoreIsRefusedNamingTheStoreThatOpensIt() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("data"));
        Files.writeString(directory.resolve("hard-state"), "x");
        assertThatThrownBy(() -> LmdbLogStore.open(directory))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("holds a segment store")
                .hasMessageContaining("--store segment");
        assertThat(directory.resolve("data.mdb")).doesNotExist();
        Files.delete(directory.resolve("hard-state"));
        try (LmdbLogStore again = LmdbLogStore.open(directory)) { // the refusal released the lock
            assertThat(again.lastIndex()).isZero();
        }
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsToldItIsInUse() {
        Path directory = temp.resolve("data");
        try (LmdbLogStore first = LmdbLogStore.open(directory)) {
            first.append(range(1, 3, 1));
            assertThatThrownBy(() -> LmdbLogStore.open(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + directory + " is in use by another store in this JVM;"
                            + " a data directory can be opened by only one store at a time");
            assertThat(first.read(1, 10, Long.MAX_VALUE)).isEqualTo(range(1, 3, 1));
        }
        try (LmdbLogStore again = LmdbLogStore.open(directory)) {
            assertThat(again.lastIndex()).isEqualTo(3);
        }
    }

    @Test
    void aReadOnlyDirectoryIsReportedAsNotWritable() throws Exception {
        Path mountPoint = temp.resolve("ro");
        try (Tmpfs tmpfs = Tmpfs.mount(mountPoint, 4 << 20)) {
            Path directory = mountPoint.resolve("data");
            try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                store.append(range(1, 5, 1));
            }
            tmpfs.remountReadOnly();
            assertThatThrownBy(() -> LmdbLogStore.open(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith(
                            "data directory " + directory + " is not writable: cannot create raftlog.lock")
                    .hasMessageContaining("Read-only file system");
        }
    }

    @Test
    void aFullDiskFailsTheAppendCleanlyAndTheStoreCarriesOnOnceThereIsRoom() throws Exception {
        Path mountPoint = temp.resolve("small");
        try (Tmpfs tmpfs = Tmpfs.mount(mountPoint, 2 << 20)) {
            Path directory = mountPoint.resolve("data");
            Path filler = mountPoint.resolve("filler");
            try (LmdbLogStore store = LmdbLogStore.open(directory)) {
                store.append(range(1, 100, 1));
                Files.write(
                        filler, new byte[(2 << 20) - (int) Files.size(directory.resolve("data.mdb")) - (256 << 10)]);
                List<LogEntry> big = bigEntries(101, 40, 16 << 10);

                assertThatThrownBy(() -> store.append(big))
                        .isInstanceOf(StorageException.class)
                        .hasMessageStartingWith("appending entries 101..140 failed in " + directory
                                + ": no space left on device (the disk is full: ")
                        .hasMessageEndingWith("; nothing of it was written");
                assertThat(store.lastIndex()).isEqualTo(100);
                assertThat(store.read(1, 1000, Long.MAX_VALUE)).isEqualTo(range(1, 100, 1));

                Files.delete(filler);
                store.append(big);
                assertThat(store.lastIndex()).isEqualTo(140);
            }
            try (LmdbLogStore reopened = LmdbLogStore.open(directory)) {
                assertThat(reopened.read(101, 100, Long.MAX_VALUE)).isEqualTo(bigEntries(101, 40, 16 << 10));
            }
        }
    }

    @Test
    void aMapAtItsMaximumSizeFailsTheAppendAndChangesNothing() {
        Path directory = temp.resolve("data");
        LmdbStoreConfig small = LmdbStoreConfig.of(directory).withMapSize(64 << 10, 128 << 10);
        try (LmdbLogStore store = LmdbLogStore.open(small)) {
            store.append(range(1, 10, 1));
            assertThatThrownBy(() -> store.append(bigEntries(11, 20, 16 << 10)))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("appending entries 11..30 failed in " + directory + ": the LMDB map is full at its"
                            + " maximum size of 131072 bytes (maxMapSizeBytes); raise the limit or truncate the"
                            + " log's prefix; nothing of it was written");
            assertThat(store.lastIndex()).isEqualTo(10);
            store.append(range(11, 12, 1));
        }
        try (LmdbLogStore larger = LmdbLogStore.open(small.withMapSize(64 << 10, 8 << 20))) {
            assertThat(larger.read(1, 100, Long.MAX_VALUE)).isEqualTo(range(1, 12, 1));
            larger.append(bigEntries(13, 20, 16 << 10));
            assertThat(larger.lastIndex()).isEqualTo(32);
        }
    }

    @Test
    void aClosedStoreSaysSo() {
        Path directory = temp.resolve("data");
        LmdbLogStore store = LmdbLogStore.open(directory);
        store.close();
        assertThatThrownBy(store::lastIndex)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the store in " + directory + " is closed");
        assertThatThrownBy(() -> store.term(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.read(1, 1, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void dataOfAnotherFormatVersionIsRefused() {
        Path directory = temp.resolve("data");
        LmdbLogStore.open(directory).close();
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(2).open(directory.toFile());
                Txn<ByteBuffer> txn = env.txnWrite()) {
            Dbi<ByteBuffer> meta = env.openDbi(txn, "meta".getBytes(), null, false, DbiFlags.MDB_CREATE);
            MetaRecords.put(
                    meta,
                    txn,
                    MetaRecords.key(MetaRecords.FORMAT),
                    ByteBuffer.allocate(4).putInt(99).array());
            txn.commit();
        }
        assertThatThrownBy(() -> LmdbLogStore.open(directory))
                .isInstanceOf(StorageException.class)
                .hasMessage("the data in " + directory + " has format version 99, this store reads version 1");
        // the failed open released the directory lock
        assertThatThrownBy(() -> LmdbLogStore.open(directory)).hasMessageContaining("format version 99");
    }

    @Test
    void aDataFileThatIsNotLmdbIsRefused() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("data"));
        Files.write(directory.resolve("data.mdb"), new byte[64 << 10]);
        assertThatThrownBy(() -> LmdbLogStore.open(directory))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith(
                        "cannot open the LMDB environment in " + directory + ": FileInvalidException: ");
        // the failed open released the directory lock
        assertThatThrownBy(() -> LmdbLogStore.open(directory)).hasMessageContaining("FileInvalidException");
    }

    @Test
    void runningOutOfReaderSlotsIsReportedForTheRead() {
        Path directory = temp.resolve("data");
        try (LmdbLogStore store =
                LmdbLogStore.open(LmdbStoreConfig.of(directory).withMaxReaders(1))) {
            store.append(range(1, 3, 1));
            // the visitor's nested read needs a second read transaction while the first is open
            assertThatThrownBy(() -> store.forEach(1, 1, Long.MAX_VALUE, entry -> store.read(2, 1, Long.MAX_VALUE)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("read from index 2 failed in " + directory + ": ReadersFullException: ")
                    .hasMessageEndingWith("; no data was returned");
            assertThat(store.read(1, 3, Long.MAX_VALUE)).isEqualTo(range(1, 3, 1));
        }
    }

    @Test
    void invalidConfigurationsAreRejected() {
        Path directory = temp.resolve("data");
        assertThatThrownBy(() -> LmdbStoreConfig.of(directory).withMapSize(1000, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialMapSizeBytes must be a multiple of 4096 and at least 65536, was 1000");
        assertThatThrownBy(() -> LmdbStoreConfig.of(directory).withMapSize(1 << 20, 1 << 19))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMapSizeBytes (524288) must be a multiple of 4096 and >= initialMapSizeBytes (1048576)");
        assertThatThrownBy(() -> LmdbStoreConfig.of(directory).withMaxReaders(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReaders must be >= 1, was 0");
    }

    static List<LogEntry> bigEntries(long from, int count, int payloadBytes) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[payloadBytes];
            payload[i % payloadBytes] = (byte) (from + i);
            entries.add(LogEntry.data(from + i, 1, Bytes.copyOf(payload)));
        }
        return entries;
    }
}
