package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Snapshots written in chunks of every kind of buffer read back byte for byte, at any position. */
abstract class SnapshotWriteReadRules extends SnapshotRules {
    SnapshotWriteReadRules(SnapshotStoreContract contract) {
        super(contract);
    }

    @Test
    void aNewStoreListsNothing() {
        assertThat(store().list()).as("rule: a new store lists no snapshot").isEmpty();
        assertThat(store().latest())
                .as("rule: a new store has no latest snapshot")
                .isEmpty();
        assertThat(store().location()).as("rule: location() names the store").isNotBlank();
        assertThrows(
                IllegalArgumentException.class,
                () -> store().open(1),
                "open() of an index without a snapshot throws IllegalArgumentException");
        store().delete(1); // nothing to delete: no error
        assertThat(reopen().list())
                .as("rule: a new store reopened lists no snapshot")
                .isEmpty();
    }

    @Test
    void aSnapshotWrittenInChunksIsListedAndReadsBackIdentically() {
        byte[] bytes = randomBytes(300_001);
        SnapshotWriter writer = store().create(5, 2);
        writeInChunks(writer, bytes, 70_000);
        SnapshotInfo info = writer.commit();

        assertThat(info)
                .as("rule: commit() returns the snapshot's index, term and size")
                .isEqualTo(new SnapshotInfo(5, 2, bytes.length));
        assertThat(store().list()).as("rule: a committed snapshot is listed").containsExactly(info);
        assertThat(store().latest())
                .as("rule: latest() is the committed snapshot")
                .contains(info);
        try (SnapshotReader reader = store().open(5)) {
            assertThat(reader.info())
                    .as("rule: a reader's info() is the snapshot's")
                    .isEqualTo(info);
            int end = bytes.length;
            for (int position : new int[] {0, 1, 65_535, 65_536, end / 2, end - 1, end}) {
                for (int capacity : new int[] {1, 13, 8192, 65_537, end + 10}) {
                    assertReads(reader, bytes, position, capacity);
                }
            }
            assertSameBytes(bytes, readAll(reader, 10_007), "read in chunks of 10,007 bytes");
            assertThat(reader.read(end, ByteBuffer.allocate(16)))
                    .as("rule: read() at the end returns 0")
                    .isZero();
            assertThat(reader.read(0, ByteBuffer.allocate(0)))
                    .as("rule: read() into a full target returns 0")
                    .isZero();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> reader.read(-1, ByteBuffer.allocate(16)),
                    "read() at a negative position throws IllegalArgumentException");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> reader.read(end + 1L, ByteBuffer.allocate(16)),
                    "read() past the end throws IllegalArgumentException");
        }
    }

    @Test
    void readsFillTheTargetFromItsPositionAndLeaveTheRestOfItAlone() {
        byte[] bytes = randomBytes(1000);
        write(3, 1, bytes);
        ByteBuffer target = ByteBuffer.allocate(64);
        target.position(10).limit(50);
        try (SnapshotReader reader = store().open(3)) {
            assertThat(reader.read(980, target))
                    .as("rule: read() returns as many bytes as are left when fewer than fit")
                    .isEqualTo(20);
        }
        assertThat(target.position())
                .as("rule: read() fills the target from its position")
                .isEqualTo(30);
        assertThat(target.limit())
                .as("rule: read() leaves the target's limit alone")
                .isEqualTo(50);
        byte[] expected = new byte[64];
        System.arraycopy(bytes, 980, expected, 10, 20);
        assertSameBytes(expected, target.array(), "the target around the bytes read");
    }

    @Test
    void anEmptySnapshotIsListedAndReadsNothing() {
        SnapshotInfo info = store().create(1, 1).commit();
        assertThat(info).as("rule: an empty snapshot commits with size 0").isEqualTo(new SnapshotInfo(1, 1, 0));
        reopen();
        assertThat(store().list())
                .as("rule: an empty snapshot is listed after reopening")
                .containsExactly(info);
        try (SnapshotReader reader = store().open(1)) {
            assertThat(reader.read(0, ByteBuffer.allocate(8)))
                    .as("rule: an empty snapshot reads nothing")
                    .isZero();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> reader.read(1, ByteBuffer.allocate(8)),
                    "read() past the end of an empty snapshot throws IllegalArgumentException");
        }
    }

    @Test
    void aSnapshotOfSeveralMebibytesSurvivesReopeningIntact() {
        byte[] bytes = randomBytes((5 << 20) + 123);
        SnapshotWriter writer = store().create(1_000_000, 9);
        writeInChunks(writer, bytes, 200_000);
        assertThat(writer.commit())
                .as("rule: commit() returns the snapshot's index, term and size")
                .isEqualTo(new SnapshotInfo(1_000_000, 9, bytes.length));

        reopen();
        assertThat(store().list())
                .as("rule: a committed snapshot is listed after reopening")
                .containsExactly(new SnapshotInfo(1_000_000, 9, bytes.length));
        try (SnapshotReader reader = store().open(1_000_000)) {
            assertSameBytes(bytes, readAll(reader, 1 << 20), "5 MiB read after reopening");
        }
    }

    @Test
    void twoWritersAtOnceForDifferentIndexesKeepTheirOwnBytes() {
        byte[] first = randomBytes(100_000);
        byte[] second = randomBytes(150_000);
        SnapshotWriter a = store().create(4, 1);
        SnapshotWriter b = store().create(8, 2);
        for (int offset = 0; offset < second.length; offset += 5000) {
            if (offset < first.length) {
                a.write(ByteBuffer.wrap(first, offset, Math.min(5000, first.length - offset)));
            }
            b.write(ByteBuffer.wrap(second, offset, Math.min(5000, second.length - offset)));
        }
        assertThat(store().list())
                .as("rule: nothing of a snapshot is visible before its commit")
                .isEmpty();
        b.commit();
        assertThat(store().list())
                .as("rule: committing one writer leaves the other invisible")
                .containsExactly(new SnapshotInfo(8, 2, second.length));
        a.commit();

        assertThat(store().list())
                .as("rule: two writers at once commit two snapshots, listed by index")
                .containsExactly(new SnapshotInfo(4, 1, first.length), new SnapshotInfo(8, 2, second.length));
        assertSameBytes(first, readAll(4), "the first of two interleaved writers");
        assertSameBytes(second, readAll(8), "the second of two interleaved writers");
    }

    @Test
    void writersOnSeveralThreadsCommitTheirOwnSnapshots() throws Exception {
        int threads = 4;
        byte[][] contents = new byte[threads][];
        for (int i = 0; i < threads; i++) {
            contents[i] = randomBytes(200_000 + 1000 * i);
        }
        long seed = contract().seed;
        runOnThreads(threads, i -> {
            SnapshotWriter writer = store().create(10 + i, 1);
            writeInChunks(writer, contents[i], 4096, new Random(seed + i), seeded());
            return writer.commit();
        });
        assertThat(store().list())
                .as("rule: writers on several threads each commit their own snapshot")
                .hasSize(threads);
        for (int i = 0; i < threads; i++) {
            assertSameBytes(contents[i], readAll(10 + i), "the snapshot of writer thread " + i);
        }
    }

    @Test
    void concurrentReadersOfOneSnapshotReadTheRightBytes() throws Exception {
        byte[] bytes = randomBytes(1 << 20);
        write(6, 2, bytes);
        long seed = contract().seed;
        runOnThreads(4, thread -> {
            Random own = new Random(seed + thread);
            try (SnapshotReader reader = store().open(6)) {
                for (int i = 0; i < 300; i++) {
                    int position = own.nextInt(bytes.length + 1);
                    int capacity = 1 + own.nextInt(100_000);
                    assertReads(reader, bytes, position, capacity);
                }
            }
            return null;
        });
    }
}
