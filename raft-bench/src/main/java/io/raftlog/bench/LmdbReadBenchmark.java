package io.raftlog.bench;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.storage.lmdb.LmdbLogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Range reads of 1024 entries of 256 bytes from a store holding 200,000 (about 55 MB, in the page
 * cache): {@code read} copies payloads, {@code forEach} hands out views of LMDB's pages; both check
 * every entry's CRC32C. Scores are entries per second; {@code termLookup} is lookups per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED"
        })
@State(Scope.Thread)
public class LmdbReadBenchmark {
    private static final int ENTRIES = 200_000;
    private static final int RANGE = 1024;

    private Path directory;
    private LmdbLogStore store;
    private final SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void fill() {
        directory = BenchDirectories.create("lmdb-read");
        store = LmdbLogStore.open(directory);
        Bytes payload = Bytes.copyOf(new byte[LmdbAppendBenchmark.ENTRY_BYTES]);
        List<LogEntry> batch = new ArrayList<>();
        for (long index = 1; index <= ENTRIES; index++) {
            batch.add(LogEntry.data(index, 1 + index / 10_000, payload));
            if (batch.size() == 10_000) {
                store.append(batch);
                batch.clear();
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() {
        store.close();
        BenchDirectories.delete(directory);
    }

    @Benchmark
    @OperationsPerInvocation(RANGE)
    public List<LogEntry> read() {
        return store.read(randomStart(), RANGE, Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(RANGE)
    public int forEach(Blackhole blackhole) {
        return store.forEach(
                randomStart(),
                RANGE,
                Long.MAX_VALUE,
                entry -> blackhole.consume(entry.payload().byteAt(0)));
    }

    @Benchmark
    public long termLookup() {
        return store.term(1 + random.nextInt(ENTRIES - 1));
    }

    private long randomStart() {
        return 1 + random.nextInt(ENTRIES - RANGE);
    }
}
