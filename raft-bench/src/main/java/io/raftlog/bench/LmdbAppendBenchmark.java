package io.raftlog.bench;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.storage.lmdb.LmdbLogStore;
import io.raftlog.storage.lmdb.LmdbStoreConfig;
import io.raftlog.storage.lmdb.SyncMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends of 256-byte entries to an {@link LmdbLogStore}, one call (one LMDB transaction, synced in
 * the default {@code SYNC} mode) per batch of 1, 64 or 1024. Scores are entries per second. Each
 * iteration starts from an empty store in a fresh directory.
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
public class LmdbAppendBenchmark {
    static final int ENTRY_BYTES = 256;

    @Param("SYNC")
    public SyncMode syncMode;

    private final Bytes payload = Bytes.copyOf(new byte[ENTRY_BYTES]);
    private final List<LogEntry> batch = new ArrayList<>(1024);
    private Path directory;
    private LmdbLogStore store;
    private long nextIndex;

    @Setup(Level.Iteration)
    public void open() {
        directory = BenchDirectories.create("lmdb-append");
        store = LmdbLogStore.open(
                LmdbStoreConfig.of(directory).withSyncMode(syncMode).withMapSize(1L << 30, 1L << 40));
        nextIndex = 1;
    }

    @TearDown(Level.Iteration)
    public void close() {
        store.close();
        BenchDirectories.delete(directory);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void batchOf1() {
        append(1);
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public void batchOf64() {
        append(64);
    }

    @Benchmark
    @OperationsPerInvocation(1024)
    public void batchOf1024() {
        append(1024);
    }

    private void append(int size) {
        batch.clear();
        for (int i = 0; i < size; i++) {
            batch.add(LogEntry.data(nextIndex + i, 1, payload));
        }
        store.append(batch);
        nextIndex += size;
    }
}
