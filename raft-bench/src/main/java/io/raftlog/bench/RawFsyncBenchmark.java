package io.raftlog.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disk's raw synced-write rate, the yardstick for the store's synced appends: append 4 KiB to a
 * file and {@code FileChannel.force(false)} ({@code fdatasync}), in a loop.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Thread)
public class RawFsyncBenchmark {
    private final ByteBuffer block = ByteBuffer.allocateDirect(4096);
    private Path directory;
    private FileChannel channel;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        directory = BenchDirectories.create("raw-fsync");
        channel = FileChannel.open(
                directory.resolve("log"),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        channel.close();
        BenchDirectories.delete(directory);
    }

    @Benchmark
    public void write4KiBAndForce() throws IOException {
        block.clear();
        channel.write(block);
        channel.force(false);
    }
}
