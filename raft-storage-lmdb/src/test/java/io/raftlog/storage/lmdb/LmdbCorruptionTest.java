package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * LMDB's own handling of damage, beyond the generic rule {@link LmdbLogStoreCorruptionTest} checks
 * (a flipped payload byte is reported for its index, never returned): what the messages say, that
 * damage in an entry's header or length field and a missing entry are found, that the tail is
 * checked at open, that a truncation needing a damaged entry's term fails while dropping it works,
 * the hard state's checksum, and a damaged B-tree page reported as the entries behind it.
 */
class LmdbCorruptionTest {
    private static final long TARGET = 50;
    private static final long LAST = 100;

    @TempDir
    Path directory;

    @BeforeEach
    void writeLogWithMarkedEntry() {
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            for (long index = 1; index <= LAST; index++) {
                store.append(
                        List.of(LogEntry.data(index, 2, Bytes.ofUtf8(marker(index) + "-payload-" + "z".repeat(64)))));
            }
        }
    }

    @Test
    void aCorruptEntryIsNamedWithItsDirectoryAndOnlyATruncationDroppingItWorks() throws IOException {
        flipInEveryCopy(marker(TARGET), marker(TARGET).length() + 3);

        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            assertCorrupt(() -> store.read(1, 1000, Long.MAX_VALUE), TARGET, "CRC32C mismatch");
            assertThat(store.read(1, (int) TARGET - 1, Long.MAX_VALUE)).hasSize((int) TARGET - 1);
            assertThat(store.read(TARGET + 1, 1000, Long.MAX_VALUE)).hasSize((int) (LAST - TARGET));

            // A conflict needing the corrupt entry's term fails and changes nothing...
            assertCorrupt(() -> store.truncateSuffix(TARGET + 1), TARGET, "CRC32C mismatch");
            assertThat(store.lastIndex()).isEqualTo(LAST);
            // ...while dropping it (as a node restoring from a peer would) works.
            store.truncateSuffix(TARGET);
            assertThat(store.read(1, 1000, Long.MAX_VALUE)).hasSize((int) TARGET - 1);
        }
    }

    @Test
    void aFlippedHeaderByteIsReported() throws IOException {
        // The low byte of the term, 20 - 7 bytes before the payload.
        flipInEveryCopy(marker(TARGET), -(EntryCodec.HEADER_BYTES - 7));
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            assertCorrupt(() -> store.read(TARGET, 10, Long.MAX_VALUE), TARGET, "CRC32C mismatch");
        }
    }

    @Test
    void aDamagedLengthFieldIsReported() throws IOException {
        // The low byte of the payload length, 20 - 15 bytes before the payload.
        flipInEveryCopy(marker(TARGET), -(EntryCodec.HEADER_BYTES - 15));
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            assertCorrupt(() -> store.term(TARGET), TARGET, "payload bytes but");
        }
    }

    @Test
    void aCorruptTailIsFoundWhenOpening() throws IOException {
        flipInEveryCopy(marker(LAST), marker(LAST).length() + 1);
        assertCorrupt(() -> LmdbLogStore.open(directory), LAST, "CRC32C mismatch");
        flipInEveryCopy(marker(LAST), marker(LAST).length() + 1); // flip back
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            assertThat(store.lastIndex()).isEqualTo(LAST);
        }
    }

    @Test
    void aMissingEntryIsFoundWhenOpening() {
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(2).open(directory.toFile());
                Txn<ByteBuffer> txn = env.txnWrite()) {
            Dbi<ByteBuffer> entries = env.openDbi(txn, "entries".getBytes(StandardCharsets.US_ASCII), null, false);
            assertThat(entries.delete(txn, ByteBuffer.allocateDirect(8).putLong(0, TARGET)))
                    .isTrue();
            txn.commit();
        }
        assertCorrupt(
                () -> LmdbLogStore.open(directory),
                TARGET,
                "entry is missing: the log should hold the contiguous entries 1..100 but holds 99 entries from 1");
    }

    @Test
    void aCorruptHardStateIsFoundWhenOpening() throws IOException {
        String voter = "voter-marker-for-corruption-test";
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            store.saveHardState(new HardState(7, Optional.of(NodeId.of(voter))));
        }
        flipInEveryCopy(voter, 3);
        assertThatThrownBy(() -> LmdbLogStore.open(directory))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("corrupt metadata record 'hard_state' in " + directory + ": CRC32C mismatch");
    }

    /**
     * LMDB checks no page checksums, but it does notice a child page number past the end of the
     * file (MDB_PAGE_NOTFOUND); the read must name the entry it could not reach, as for an entry
     * failing its own check, rather than fail with a bare StorageException. Found by
     * LmdbLogStoreCorruptionTest's flips anywhere, before it had to exclude them.
     */
    @Test
    void aDamagedBTreePageIsReportedAsTheEntriesBehindIt() throws IOException {
        Path big = directory.resolve("big");
        try (LmdbLogStore store = LmdbLogStore.open(big)) {
            for (long from = 1; from <= 3000; from += 100) {
                List<LogEntry> batch = new ArrayList<>();
                for (long index = from; index < from + 100; index++) {
                    batch.add(LogEntry.data(index, 1, Bytes.ofUtf8(marker(index) + "x".repeat(100))));
                }
                store.append(batch);
            }
        }
        assertThat(pointMiddleChildrenPastTheEnd(big.resolve("data.mdb")))
                .as("branch pages damaged")
                .isPositive();

        try (LmdbLogStore store = LmdbLogStore.open(big)) {
            List<Long> unreadable = new ArrayList<>();
            for (long index = 1; index <= 3000; index++) {
                try {
                    assertThat(store.read(index, 1, Long.MAX_VALUE)).hasSize(1);
                } catch (CorruptLogException e) {
                    assertThat(e.index()).as("the index named").isEqualTo(index);
                    assertThat(e).hasMessageContaining("B-tree page leading to it damaged");
                    unreadable.add(index);
                }
            }
            assertThat(unreadable)
                    .as("entries behind the damaged page")
                    .isNotEmpty()
                    .doesNotContain(1L, 3000L);
            long first = unreadable.get(0);
            assertThatThrownBy(() -> store.read(1, 3000, Long.MAX_VALUE))
                    .isInstanceOfSatisfying(
                            CorruptLogException.class,
                            e -> assertThat(e.index()).isEqualTo(first));
            assertThatThrownBy(() -> store.term(first))
                    .isInstanceOfSatisfying(
                            CorruptLogException.class,
                            e -> assertThat(e.index()).isEqualTo(first));
        }
    }

    /**
     * In every branch page of {@code file} with three nodes or more (the entries' B-tree, and stale
     * copies of it), points the middle node's child past the end of the file; returns how many.
     * LMDB's layout: 16-byte page headers (flags at 10, the end of the node pointers at 12), node
     * pointers from 16, and in a branch node the child's page number in its first 4 bytes.
     */
    private static int pointMiddleChildrenPastTheEnd(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        ByteBuffer pages = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int pageSize = pages.getInt(16 + 24); // the meta page's mm_psize
        int damaged = 0;
        for (int page = 2; (page + 1) * pageSize <= data.length; page++) { // 0 and 1 are the meta pages
            int at = page * pageSize;
            boolean branch = (pages.getShort(at + 10) & 0x01) != 0;
            int nodes = ((pages.getShort(at + 12) & 0xffff) - 16) / 2;
            if (branch && nodes >= 3) {
                int node = at + (pages.getShort(at + 16 + 2 * (nodes / 2)) & 0xffff);
                pages.putShort(node + 2, (short) 0x7fff); // bits 16..31 of the child's page number
                damaged++;
            }
        }
        Files.write(file, data);
        return damaged;
    }

    private static String marker(long index) {
        return "marker-" + index + "-";
    }

    private void assertCorrupt(Runnable call, long index, String detail) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(CorruptLogException.class, e -> {
                    assertThat(e.index()).isEqualTo(index);
                    assertThat(e.location()).isEqualTo(directory.toString());
                })
                .hasMessageStartingWith("corrupt log entry at index " + index + " in " + directory + ": ")
                .hasMessageContaining(detail);
    }

    /** Flips one byte at {@code offset} from every copy of {@code marker} in data.mdb. */
    private void flipInEveryCopy(String marker, int offset) throws IOException {
        Path file = directory.resolve("data.mdb");
        byte[] data = Files.readAllBytes(file);
        byte[] pattern = marker.getBytes(StandardCharsets.US_ASCII);
        int copies = 0;
        for (int at = 0; at <= data.length - pattern.length; at++) {
            if (matches(data, at, pattern)) {
                data[at + offset] ^= 0x5a;
                copies++;
            }
        }
        assertThat(copies).as("copies of %s in data.mdb", marker).isPositive();
        Files.write(file, data);
    }

    private static boolean matches(byte[] data, int at, byte[] pattern) {
        for (int i = 0; i < pattern.length; i++) {
            if (data[at + i] != pattern[i]) {
                return false;
            }
        }
        return true;
    }
}
