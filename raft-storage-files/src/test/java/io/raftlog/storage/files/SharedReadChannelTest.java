package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Readers share one channel that no interrupt takes from them, and keep their interrupt flags. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedReadChannelTest {
    private static final int FILE_BYTES = 64 * 1024;
    private static final int INTERRUPTS_TO_SEE = 50;
    private static final int MIN_READS = 500;

    @TempDir
    Path directory;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void readsReturnTheBytesAtTheirPositionFlippedForReading() throws IOException {
        Path file = file("log", FILE_BYTES, 0);
        try (SharedReadChannel reads = new SharedReadChannel(file)) {
            ByteBuffer read = reads.read(1000, 24);
            assertThat(read.position()).isZero();
            assertThat(read.remaining()).isEqualTo(24);
            assertThat(read.get(0)).isEqualTo(expected(1000, 0));
            assertThat(read.get(23)).isEqualTo(expected(1023, 0));
            assertThat(reads.read(FILE_BYTES, 0).remaining()).isZero();
            assertThatThrownBy(() -> reads.read(FILE_BYTES - 4, 8)).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aReadOnAnInterruptedThreadSucceedsKeepsTheFlagAndBreaksNoLaterRead() throws IOException {
        Path file = file("log", FILE_BYTES, 0);
        try (SharedReadChannel reads = new SharedReadChannel(file)) {
            Thread.currentThread().interrupt();
            ByteBuffer read = reads.read(5, 3);
            assertThat(Thread.interrupted()).as("the flag is kept").isTrue();
            assertThat(read.get(0)).isEqualTo(expected(5, 0));

            assertThat(reads.read(7, 1).get(0)).isEqualTo(expected(7, 0));
        }
    }

    @Test
    void readersInterruptedOverAndOverWhileTheyReadGetTheRightBytesEveryTime() throws Exception {
        Path file = file("log", FILE_BYTES, 0);
        int readers = 3;
        try (SharedReadChannel reads = new SharedReadChannel(file)) {
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int seed = r;
                CompletableFuture<Integer> result = new CompletableFuture<>();
                results.add(result);
                threads.add(new Thread(() -> readUntilInterrupted(reads, seed, result), "reader-" + r));
            }
            Thread interrupter = new Thread(
                    () -> {
                        while (!done.get()) {
                            threads.forEach(Thread::interrupt);
                            Thread.onSpinWait();
                        }
                    },
                    "interrupter");
            threads.forEach(Thread::start);
            interrupter.start();
            try {
                for (CompletableFuture<Integer> result : results) {
                    assertThat(result.get(50, TimeUnit.SECONDS))
                            .as("reads until the reader saw its flag set %d times", INTERRUPTS_TO_SEE)
                            .isGreaterThanOrEqualTo(MIN_READS);
                }
            } finally {
                done.set(true);
                interrupter.join();
            }
            assertThat(reads.read(0, 1).get(0)).isEqualTo(expected(0, 0));
        }
    }

    /** Reads 64-byte windows, checking each, until the flag was found set often enough. */
    private static void readUntilInterrupted(SharedReadChannel reads, int seed, CompletableFuture<Integer> result) {
        try {
            int interrupts = 0;
            int count = 0;
            while (interrupts < INTERRUPTS_TO_SEE || count < MIN_READS) {
                int position = (count * 7919 + seed * 104_729) % (FILE_BYTES - 64);
                ByteBuffer read = reads.read(position, 64);
                for (int b = 0; b < 64; b++) {
                    if (read.get(b) != expected(position + b, 0)) {
                        throw new AssertionError("wrong byte at " + (position + b) + " in read " + count);
                    }
                }
                count++;
                if (Thread.interrupted()) {
                    interrupts++;
                }
            }
            result.complete(count);
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
    }

    @Test
    void afterTheFileIsReplacedReadsGoThroughTheChannelSwitchedTo() throws IOException {
        Path file = file("log", 1024, 0);
        try (SharedReadChannel reads = new SharedReadChannel(file)) {
            Path rewritten = file("log.rewrite", 512, 1);
            Files.move(rewritten, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertThat(reads.read(600, 1).get(0))
                    .as("before the switch: the old, unlinked file")
                    .isEqualTo(expected(600, 0));

            FileChannel switched = FileChannel.open(file, StandardOpenOption.READ);
            reads.switchTo(switched);
            assertThat(reads.read(10, 1).get(0)).isEqualTo(expected(10, 1));
            assertThatThrownBy(() -> reads.read(600, 1)).isInstanceOf(EOFException.class);

            switched.close(); // as another reader's interrupt would
            assertThat(reads.read(11, 1).get(0))
                    .as("a broken channel is reopened on the file's name: the new file")
                    .isEqualTo(expected(11, 1));
        }
    }

    @Test
    void aClosedChannelRefusesReads() throws IOException {
        SharedReadChannel reads = new SharedReadChannel(file("log", 16, 0));
        reads.close();
        assertThatThrownBy(() -> reads.read(0, 1)).isInstanceOf(ClosedChannelException.class);
    }

    private Path file(String name, int size, int variant) throws IOException {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = expected(i, variant);
        }
        return Files.write(directory.resolve(name), content);
    }

    private static byte expected(int position, int variant) {
        return (byte) (position * 31 + position / 251 + variant * 101);
    }
}
