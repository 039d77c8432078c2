package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link SnapshotStore} must pass (a TCK). A plugin author extends this class
 * and supplies {@link #openStore(Path)} and {@link #crash()}; JUnit runs every test against the
 * store they return.
 *
 * <pre>{@code
 * class MySnapshotStoreContractTest extends SnapshotStoreContract {
 *     @Override
 *     protected SnapshotStore openStore(Path directory) {
 *         return MySnapshotStore.open(directory);
 *     }
 *
 *     @Override
 *     protected void crash() {
 *         store = MySnapshotStore.open(directory); // the old one is dropped, not closed
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh empty directory; {@link #reopen()} closes the store and opens a new one
 * on it, which must see every committed snapshot and nothing else. Tests with random data print
 * their seed when they fail; {@code -Draftlog.contract.seed=S} replays one. A crash here is the
 * store dropped without closing; a durable store should add its own tests with a killed process.
 */
@org.junit.jupiter.api.extension.ExtendWith(ContractExclusions.class)
public abstract class SnapshotStoreContract {
    private static final long DEADLINE_SECONDS = 60;

    /** A fresh directory per test. */
    @TempDir
    protected Path directory;

    /** The store under test, opened on {@link #directory} before each test. */
    protected SnapshotStore store;

    private final long seed = Long.getLong("raftlog.contract.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final List<SnapshotStore> crashed = new ArrayList<>();

    /**
     * Opens a store on {@code directory}: a new empty store the first time, and afterwards (once
     * the previous store on it is closed) a store that sees every snapshot committed there before.
     */
    protected abstract SnapshotStore openStore(Path directory);

    /**
     * Drops {@link #store} without closing it (nor its writers and readers), as if the process
     * died, and sets {@link #store} to a store opened anew on the same place, which must see the
     * committed snapshots and nothing of the writers that were not committed.
     */
    protected abstract void crash();

    @BeforeEach
    final void openFreshStore() {
        store = openStore(directory);
    }

    @AfterEach
    final void closeStores() {
        store.close();
        crashed.forEach(SnapshotStore::close); // only now: the test is over
    }

    /** Closes {@link #store} and opens it again on the same directory. */
    protected final SnapshotStore reopen() {
        store.close();
        store = openStore(directory);
        return store;
    }

    /**
     * Crashes {@link #store} with {@link #crash()}, checks a new store took its place, and closes
     * the dropped one only after the test. Tests call this rather than {@code crash()}.
     */
    protected final void crashAndReopen() {
        SnapshotStore dropped = store;
        crashed.add(dropped);
        crash();
        assertThat(store).as("the store after crash()").isNotNull().isNotSameAs(dropped);
    }

    // ---- a new store --------------------------------------------------------------------------

    @Test
    void aNewStoreListsNothing() {
        assertThat(store.list()).isEmpty();
        assertThat(store.latest()).isEmpty();
        assertThat(store.location()).isNotBlank();
        assertThatThrownBy(() -> store.open(1)).isInstanceOf(IllegalArgumentException.class);
        store.delete(1); // nothing to delete: no error
        assertThat(reopen().list()).isEmpty();
    }

    // ---- writing and reading ------------------------------------------------------------------

    @Test
    void aSnapshotWrittenInChunksIsListedAndReadsBackIdentically() {
        byte[] bytes = randomBytes(300_001);
        SnapshotWriter writer = store.create(5, 2);
        writeInChunks(writer, bytes, 70_000);
        assertThat(writer.size()).as(seeded()).isEqualTo(bytes.length);
        SnapshotInfo info = writer.commit();

        assertThat(info).isEqualTo(new SnapshotInfo(5, 2, bytes.length));
        assertThat(store.list()).containsExactly(info);
        assertThat(store.latest()).contains(info);
        try (SnapshotReader reader = store.open(5)) {
            assertThat(reader.info()).isEqualTo(info);
            int end = bytes.length;
            for (int position : new int[] {0, 1, 65_535, 65_536, end / 2, end - 1, end}) {
                for (int capacity : new int[] {1, 13, 8192, 65_537, end + 10}) {
                    assertReads(reader, bytes, position, capacity);
                }
            }
            assertSameBytes(bytes, readAll(reader, 10_007));
            assertThat(reader.read(end, ByteBuffer.allocate(16))).isZero();
            assertThat(reader.read(0, ByteBuffer.allocate(0))).isZero();
            assertThatThrownBy(() -> reader.read(-1, ByteBuffer.allocate(16)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reader.read(end + 1L, ByteBuffer.allocate(16)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsFillTheTargetFromItsPositionAndLeaveTheRestOfItAlone() {
        byte[] bytes = randomBytes(1000);
        write(3, 1, bytes);
        ByteBuffer target = ByteBuffer.allocate(64);
        target.position(10).limit(50);
        try (SnapshotReader reader = store.open(3)) {
            assertThat(reader.read(980, target)).isEqualTo(20);
        }
        assertThat(target.position()).isEqualTo(30);
        assertThat(target.limit()).isEqualTo(50);
        byte[] expected = new byte[64];
        System.arraycopy(bytes, 980, expected, 10, 20);
        assertSameBytes(expected, target.array());
    }

    @Test
    void anEmptySnapshotIsListedAndReadsNothing() {
        SnapshotInfo info = store.create(1, 1).commit();
        assertThat(info).isEqualTo(new SnapshotInfo(1, 1, 0));
        reopen();
        assertThat(store.list()).containsExactly(info);
        try (SnapshotReader reader = store.open(1)) {
            assertThat(reader.read(0, ByteBuffer.allocate(8))).isZero();
            assertThatThrownBy(() -> reader.read(1, ByteBuffer.allocate(8)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSnapshotOfSeveralMebibytesSurvivesReopeningIntact() {
        byte[] bytes = randomBytes((5 << 20) + 123);
        SnapshotWriter writer = store.create(1_000_000, 9);
        writeInChunks(writer, bytes, 200_000);
        assertThat(writer.commit()).isEqualTo(new SnapshotInfo(1_000_000, 9, bytes.length));

        reopen();
        assertThat(store.list()).containsExactly(new SnapshotInfo(1_000_000, 9, bytes.length));
        try (SnapshotReader reader = store.open(1_000_000)) {
            assertSameBytes(bytes, readAll(reader, 1 << 20));
        }
    }

    @Test
    void twoWritersAtOnceForDifferentIndexesKeepTheirOwnBytes() {
        byte[] first = randomBytes(100_000);
        byte[] second = randomBytes(150_000);
        SnapshotWriter a = store.create(4, 1);
        SnapshotWriter b = store.create(8, 2);
        for (int offset = 0; offset < second.length; offset += 5000) {
            if (offset < first.length) {
                a.write(ByteBuffer.wrap(first, offset, Math.min(5000, first.length - offset)));
            }
            b.write(ByteBuffer.wrap(second, offset, Math.min(5000, second.length - offset)));
        }
        assertThat(store.list()).as("nothing visible before a commit").isEmpty();
        b.commit();
        assertThat(store.list()).containsExactly(new SnapshotInfo(8, 2, second.length));
        a.commit();

        assertThat(store.list())
                .containsExactly(new SnapshotInfo(4, 1, first.length), new SnapshotInfo(8, 2, second.length));
        assertSameBytes(first, readAll(4));
        assertSameBytes(second, readAll(8));
    }

    @Test
    void writersOnSeveralThreadsCommitTheirOwnSnapshots() throws Exception {
        int threads = 4;
        byte[][] contents = new byte[threads][];
        for (int i = 0; i < threads; i++) {
            contents[i] = randomBytes(200_000 + 1000 * i);
        }
        runOnThreads(threads, i -> {
            SnapshotWriter writer = store.create(10 + i, 1);
            writeInChunks(writer, contents[i], 4096, new Random(seed + i));
            return writer.commit();
        });
        assertThat(store.list()).hasSize(threads);
        for (int i = 0; i < threads; i++) {
            assertSameBytes(contents[i], readAll(10 + i));
        }
    }

    @Test
    void concurrentReadersOfOneSnapshotReadTheRightBytes() throws Exception {
        byte[] bytes = randomBytes(1 << 20);
        write(6, 2, bytes);
        runOnThreads(4, thread -> {
            Random own = new Random(seed + thread);
            try (SnapshotReader reader = store.open(6)) {
                for (int i = 0; i < 300; i++) {
                    int position = own.nextInt(bytes.length + 1);
                    int capacity = 1 + own.nextInt(100_000);
                    assertReads(reader, bytes, position, capacity);
                }
            }
            return null;
        });
    }

    // ---- committing, aborting, crashing -------------------------------------------------------

    @Test
    void uncommittedAndAbortedWritersLeaveNothingAlsoAfterReopening() {
        SnapshotWriter aborted = store.create(2, 1);
        aborted.write(ByteBuffer.wrap(randomBytes(10_000)));
        aborted.abort();
        aborted.abort(); // idempotent
        SnapshotWriter closed = store.create(3, 1);
        closed.write(ByteBuffer.wrap(randomBytes(10_000)));
        closed.close();
        SnapshotWriter abandoned = store.create(4, 1);
        abandoned.write(ByteBuffer.wrap(randomBytes(100_000)));

        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> aborted.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(aborted::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(closed::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.open(2)).isInstanceOf(IllegalArgumentException.class);

        reopen(); // closing the store abandons the last writer
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(abandoned::commit).isInstanceOf(IllegalStateException.class);
        assertThat(reopen().list()).isEmpty();
    }

    @Test
    void aCommittedSnapshotSurvivesReopening() {
        byte[] bytes = randomBytes(12_345);
        SnapshotInfo info = write(42, 7, bytes);
        reopen();
        assertThat(store.list()).containsExactly(info);
        assertThat(store.latest()).contains(info);
        assertSameBytes(bytes, readAll(42));
    }

    @Test
    void aCrashKeepsCommittedSnapshotsAndLosesWritersMidWrite() {
        byte[] kept = randomBytes(50_000);
        SnapshotInfo info = write(10, 2, kept);
        SnapshotWriter midWrite = store.create(20, 3);
        midWrite.write(ByteBuffer.wrap(randomBytes(200_000)));
        SnapshotWriter replacing = store.create(10, 3);
        replacing.write(ByteBuffer.wrap(randomBytes(70_000)));

        crashAndReopen();
        assertThat(store.list()).containsExactly(info);
        assertSameBytes(kept, readAll(10));
        assertThatThrownBy(() -> store.open(20)).isInstanceOf(IllegalArgumentException.class);

        byte[] after = randomBytes(30_000);
        SnapshotInfo next = write(20, 3, after);
        assertThat(reopen().list()).containsExactly(info, next);
        assertSameBytes(after, readAll(20));
    }

    @Test
    void aSnapshotCommittedJustBeforeACrashSurvivesIt() {
        byte[] bytes = randomBytes(80_000);
        SnapshotInfo info = write(5, 5, bytes);
        crashAndReopen();
        assertThat(store.list()).containsExactly(info);
        assertSameBytes(bytes, readAll(5));
    }

    @Test
    void committingAtAnExistingIndexReplacesItAndReadersKeepWhatTheyOpened() {
        byte[] first = randomBytes(40_000);
        byte[] sameTerm = randomBytes(30_000);
        byte[] otherTerm = randomBytes(20_000);
        write(7, 3, first);
        SnapshotReader before = store.open(7);
        try {
            write(7, 3, sameTerm);
            assertThat(store.list()).containsExactly(new SnapshotInfo(7, 3, sameTerm.length));
            assertSameBytes(sameTerm, readAll(7));

            SnapshotInfo replaced = write(7, 4, otherTerm);
            assertThat(store.list()).containsExactly(replaced);
            assertSameBytes(otherTerm, readAll(7));
            assertThat(before.info()).isEqualTo(new SnapshotInfo(7, 3, first.length));
            assertSameBytes(first, readAll(before, 4096));
        } finally {
            before.close();
        }
        reopen();
        assertThat(store.list()).containsExactly(new SnapshotInfo(7, 4, otherTerm.length));
        assertSameBytes(otherTerm, readAll(7));
    }

    @Test
    void committingTwiceIsRefusedAndTheSnapshotStays() {
        SnapshotWriter writer = store.create(3, 1);
        writer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        SnapshotInfo info = writer.commit();

        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        writer.abort(); // nothing after a commit
        writer.close();
        assertThat(writer.size()).isEqualTo(3);
        assertThat(store.list()).containsExactly(info);
        assertThat(readAll(3)).containsExactly(1, 2, 3);
    }

    @Test
    void invalidArgumentsToCreateAreRefusedAndCreateNothing() {
        long[][] invalid = {{0, 1}, {1, 0}, {-1, 1}, {1, -5}, {Long.MIN_VALUE, Long.MIN_VALUE}};
        for (long[] args : invalid) {
            assertThatThrownBy(() -> store.create(args[0], args[1]))
                    .as("create(%d, %d)", args[0], args[1])
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(store.list()).isEmpty();
    }

    // ---- listing and deleting -----------------------------------------------------------------

    @Test
    void listIsInIndexOrderAndLatestIsTheHighestIndex() {
        SnapshotInfo ten = write(10, 4, randomBytes(100));
        SnapshotInfo three = write(3, 1, randomBytes(300));
        SnapshotInfo seven = write(7, 2, randomBytes(700));

        assertThat(store.list()).containsExactly(three, seven, ten);
        assertThat(store.latest()).contains(ten);
        store.delete(10);
        assertThat(store.latest()).contains(seven);
        assertThat(reopen().list()).containsExactly(three, seven);
    }

    @Test
    void deleteRemovesOneSnapshotAndSurvivesReopening() {
        SnapshotInfo one = write(1, 1, randomBytes(1000));
        write(2, 1, randomBytes(2000));
        SnapshotInfo three = write(3, 2, randomBytes(3000));

        store.delete(2);
        store.delete(2); // already gone: no error
        store.delete(99);
        assertThat(store.list()).containsExactly(one, three);
        assertThatThrownBy(() -> store.open(2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(reopen().list()).containsExactly(one, three);
    }

    @Test
    void aReaderOpenedBeforeADeleteKeepsReading() {
        byte[] bytes = randomBytes(150_000);
        SnapshotInfo info = write(9, 3, bytes);
        try (SnapshotReader reader = store.open(9)) {
            assertReads(reader, bytes, 0, 1000);
            store.delete(9);
            assertThat(store.list()).isEmpty();
            assertThat(reader.info()).isEqualTo(info);
            assertSameBytes(bytes, readAll(reader, 7777));
        }
    }

    // ---- closing ------------------------------------------------------------------------------

    @Test
    void aClosedStoreRefusesCallsAndClosingTwiceIsHarmless() {
        SnapshotInfo info = write(1, 1, randomBytes(500));
        SnapshotWriter writer = store.create(2, 1);
        writer.write(ByteBuffer.wrap(randomBytes(500)));
        SnapshotReader reader = store.open(1);
        store.close();
        store.close();

        assertThatThrownBy(() -> store.list()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.latest()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.create(3, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.open(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.delete(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.write(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.read(0, ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        writer.close();
        reader.close();
        assertThat(store.location()).isNotBlank();

        assertThat(reopen().list()).containsExactly(info);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The seed, with the property that replays it, for assertion messages. */
    protected final String seeded() {
        return "seed " + seed + " (replay with -Draftlog.contract.seed=" + seed + ")";
    }

    /** {@code length} bytes from the seeded random source. */
    protected final byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Writes and commits a snapshot of {@code bytes} in chunks of random sizes. */
    protected final SnapshotInfo write(long index, long term, byte[] bytes) {
        SnapshotWriter writer = store.create(index, term);
        writeInChunks(writer, bytes, 20_000);
        return writer.commit();
    }

    /** Reads the whole committed snapshot at {@code index}. */
    protected final byte[] readAll(long index) {
        try (SnapshotReader reader = store.open(index)) {
            return readAll(reader, 8192);
        }
    }

    private void writeInChunks(SnapshotWriter writer, byte[] bytes, int maxChunk) {
        writeInChunks(writer, bytes, maxChunk, random);
    }

    /**
     * Writes {@code bytes} in chunks of 1 to {@code maxChunk} bytes, in every kind of buffer: heap
     * (with an offset), direct, read-only; each write must consume its buffer.
     */
    private void writeInChunks(SnapshotWriter writer, byte[] bytes, int maxChunk, Random chunks) {
        long sizeBefore = writer.size();
        int offset = 0;
        int kind = 0;
        while (offset < bytes.length) {
            int length = Math.min(bytes.length - offset, 1 + chunks.nextInt(maxChunk));
            ByteBuffer data = switch (kind++ % 3) {
                case 0 -> ByteBuffer.wrap(bytes, offset, length);
                case 1 ->
                    ByteBuffer.allocateDirect(length).put(bytes, offset, length).flip();
                default -> ByteBuffer.wrap(bytes, offset, length).asReadOnlyBuffer();
            };
            writer.write(data);
            assertThat(data.hasRemaining())
                    .as("write consumed its buffer; %s", seeded())
                    .isFalse();
            offset += length;
            assertThat(writer.size()).as(seeded()).isEqualTo(sizeBefore + offset);
        }
    }

    private static byte[] readAll(SnapshotReader reader, int chunk) {
        long size = reader.info().sizeBytes();
        byte[] bytes = new byte[Math.toIntExact(size)];
        ByteBuffer target = ByteBuffer.allocate(chunk);
        int position = 0;
        while (true) {
            target.clear();
            int count = reader.read(position, target);
            if (count == 0) {
                break;
            }
            System.arraycopy(target.array(), 0, bytes, position, count);
            position += count;
        }
        assertThat(position).as("bytes read before read() returned 0").isEqualTo(size);
        return bytes;
    }

    /** One read: as many bytes as fit or are left, and the right ones. */
    private void assertReads(SnapshotReader reader, byte[] bytes, int position, int capacity) {
        ByteBuffer target = ByteBuffer.allocate(capacity);
        int count = reader.read(position, target);
        int expected = Math.min(capacity, bytes.length - position);
        assertThat(count)
                .as("read(%d) into %d bytes of room of %d; %s", position, capacity, bytes.length, seeded())
                .isEqualTo(expected);
        assertThat(target.position()).isEqualTo(count);
        byte[] want = new byte[count];
        System.arraycopy(bytes, position, want, 0, count);
        byte[] got = new byte[count];
        System.arraycopy(target.array(), 0, got, 0, count);
        assertThat(Arrays.mismatch(want, got))
                .as("first wrong byte of read(%d) into %d bytes of room; %s", position, capacity, seeded())
                .isEqualTo(-1);
    }

    /** Compares without printing megabytes: the lengths, then the first offset that differs. */
    private void assertSameBytes(byte[] expected, byte[] actual) {
        assertThat(actual.length).as("length; %s", seeded()).isEqualTo(expected.length);
        assertThat(Arrays.mismatch(expected, actual))
                .as("first wrong byte (of %d); %s", expected.length, seeded())
                .isEqualTo(-1);
    }

    private interface ThreadBody {
        Object run(int thread) throws Exception;
    }

    private static void runOnThreads(int threads, ThreadBody body) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                Callable<Object> task = () -> body.run(thread);
                futures.add(executor.submit(task));
            }
            for (Future<Object> future : futures) {
                future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
