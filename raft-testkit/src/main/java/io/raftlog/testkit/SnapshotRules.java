package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What every group of {@link SnapshotStoreContract} shares: the store under test (through the
 * contract instance that encloses the group) and byte-level checks that name their rule.
 */
abstract class SnapshotRules {
    static final long DEADLINE_SECONDS = 60;

    private final SnapshotStoreContract contract;

    SnapshotRules(SnapshotStoreContract contract) {
        this.contract = contract;
    }

    final SnapshotStore store() {
        return contract.store;
    }

    final SnapshotStoreContract contract() {
        return contract;
    }

    final SnapshotStore reopen() {
        return contract.reopen();
    }

    final void crashAndReopen() {
        contract.crashAndReopen();
    }

    final String seeded() {
        return contract.seeded();
    }

    final byte[] randomBytes(int length) {
        return contract.randomBytes(length);
    }

    final SnapshotInfo write(long index, long term, byte[] bytes) {
        return contract.write(index, term, bytes);
    }

    final byte[] readAll(long index) {
        return contract.readAll(index);
    }

    final void writeInChunks(SnapshotWriter writer, byte[] bytes, int maxChunk) {
        writeInChunks(writer, bytes, maxChunk, contract.random, seeded());
    }

    /** Asserts that {@code call} throws {@code type}; the description names the rule. */
    static void assertThrows(Class<? extends Throwable> type, ThrowingCallable call, String rule, Object... args) {
        assertThat(catchThrowable(call)).as("rule: " + rule, args).isInstanceOf(type);
    }

    /**
     * Writes {@code bytes} in chunks of 1 to {@code maxChunk} bytes, in every kind of buffer: heap
     * (with an offset), direct, read-only; each write must consume its buffer.
     */
    static void writeInChunks(SnapshotWriter writer, byte[] bytes, int maxChunk, Random chunks, String seeded) {
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
                    .as("rule: write() consumes the whole buffer it is given; %s", seeded)
                    .isFalse();
            offset += length;
            assertThat(writer.size())
                    .as("rule: size() is the number of bytes written so far; %s", seeded)
                    .isEqualTo(sizeBefore + offset);
        }
    }

    /** Reads the whole snapshot through {@code reader}, {@code chunk} bytes at a time. */
    static byte[] readAll(SnapshotReader reader, int chunk) {
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
        assertThat(position)
                .as("rule: read() returns 0 only at the end of the snapshot (bytes read before it did)")
                .isEqualTo(size);
        return bytes;
    }

    /** One read: as many bytes as fit or are left, and the right ones. */
    final void assertReads(SnapshotReader reader, byte[] bytes, int position, int capacity) {
        ByteBuffer target = ByteBuffer.allocate(capacity);
        int count = reader.read(position, target);
        int expected = Math.min(capacity, bytes.length - position);
        assertThat(count)
                .as(
                        "rule: read() fills as much of the target as the snapshot has left (read(%d) into %d bytes"
                                + " of room, of %d); %s",
                        position, capacity, bytes.length, seeded())
                .isEqualTo(expected);
        assertThat(target.position())
                .as("rule: read() advances the target's position by the bytes it read; %s", seeded())
                .isEqualTo(count);
        byte[] want = Arrays.copyOfRange(bytes, position, position + count);
        byte[] got = Arrays.copyOf(target.array(), count);
        assertThat(Arrays.mismatch(want, got))
                .as(
                        "rule: read() returns the snapshot's bytes at that position (first wrong byte of read(%d)"
                                + " into %d bytes of room); %s",
                        position, capacity, seeded())
                .isEqualTo(-1);
    }

    /** Compares without printing megabytes: the lengths, then the first offset that differs. */
    final void assertSameBytes(byte[] expected, byte[] actual, String how) {
        assertThat(actual.length)
                .as("rule: a snapshot reads back with every byte written (%s: length); %s", how, seeded())
                .isEqualTo(expected.length);
        assertThat(Arrays.mismatch(expected, actual))
                .as("rule: a snapshot reads back byte for byte (%s: first wrong byte); %s", how, seeded())
                .isEqualTo(-1);
    }

    interface ThreadBody {
        Object run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads at once; rethrows the first failure. */
    static void runOnThreads(int threads, ThreadBody body) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                Callable<Object> task = () -> body.run(thread);
                futures.add(executor.submit(task));
            }
            for (Future<Object> future : futures) {
                try {
                    future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw e;
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
