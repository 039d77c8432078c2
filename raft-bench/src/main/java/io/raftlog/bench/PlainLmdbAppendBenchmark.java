package io.raftlog.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baseline for {@link LmdbAppendBenchmark}: plain lmdbjava {@code MDB_APPEND} puts of values the
 * size the store writes for a 256-byte entry (256 + 20-byte header), one synced transaction per
 * batch, no framing or checksums. The gap between the two is the store's own cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED"
        })
@State(Scope.Thread)
public class PlainLmdbAppendBenchmark {
    private final ByteBuffer key = ByteBuffer.allocateDirect(8);
    private final ByteBuffer value = ByteBuffer.allocateDirect(LmdbAppendBenchmark.ENTRY_BYTES + 20);
    private Path directory;
    private Env<ByteBuffer> env;
    private Dbi<ByteBuffer> entries;
    private long nextIndex;

    @Setup(Level.Iteration)
    public void open() {
        directory = BenchDirectories.create("plain-lmdb");
        env = Env.create().setMapSize(1L << 34).setMaxDbs(1).open(directory.toFile(), EnvFlags.MDB_NOTLS);
        entries = env.openDbi("entries", DbiFlags.MDB_CREATE);
        nextIndex = 1;
    }

    @TearDown(Level.Iteration)
    public void close() {
        env.close();
        BenchDirectories.delete(directory);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void batchOf1() {
        append(1);
    }

    @Benchmark
    @OperationsPerInvocation(1024)
    public void batchOf1024() {
        append(1024);
    }

    private void append(int size) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (int i = 0; i < size; i++) {
                key.putLong(0, nextIndex++);
                entries.put(txn, key, value.clear(), PutFlags.MDB_APPEND);
            }
            txn.commit();
        }
    }
}
