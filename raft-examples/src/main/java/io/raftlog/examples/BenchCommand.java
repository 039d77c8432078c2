package io.raftlog.examples;

import io.raftlog.api.Bytes;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code raftlog bench}: a closed-loop load generator against a running cluster, over the client
 * protocol. {@code P} producers (each its own {@link RaftClient}, so its own idempotent producer
 * id) keep {@code C} appends outstanding between them; each append's latency runs from just before
 * {@code append} to its commit. A progress line goes to standard error each second; the summary
 * is one line of {@code key=value} pairs on standard output, for scripts.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Append records in a closed loop and report throughput and latency percentiles.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(
            names = "--records",
            defaultValue = "200000",
            paramLabel = "N",
            description = "Records to append and measure (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Records to append first, not measured (default: a tenth of --records, at most 100000).")
    Long warmup;

    @Option(
            names = "--size",
            defaultValue = "256",
            paramLabel = "BYTES",
            description = "Bytes per record (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--concurrency",
            defaultValue = "64",
            paramLabel = "C",
            description = "Appends outstanding at once, over all producers (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--producers",
            defaultValue = "1",
            paramLabel = "P",
            description = "Producers, each with its own client and connection (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(
            names = "--timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "How long one record may take to commit (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        check();
        long warm = warmup != null ? warmup : Math.min(records / 10, 100_000);
        PrintStream err = System.err;
        RaftClientConfig config = client.config(Duration.ofSeconds(timeoutSeconds));
        List<RaftClient> clients = new ArrayList<>();
        try {
            for (int p = 0; p < producers; p++) {
                clients.add(new RaftClient(config));
            }
            if (size > clients.get(0).maxRecordBytes()) {
                throw new IllegalArgumentException("--size " + size + " is larger than the largest record this"
                        + " cluster accepts, " + clients.get(0).maxRecordBytes() + " bytes");
            }
            if (warm > 0) {
                Run warming = new Run(clients, warm, null);
                warming.await(err, "warm-up");
                if (warming.failed.get() > 0) {
                    throw new IllegalStateException(
                            warming.failed.get() + " of " + warm + " warm-up appends failed; the first: "
                                    + RaftlogCommand.describe(warming.firstFailure.get()));
                }
            }
            Run run = new Run(clients, records, new Recorder(TimeUnit.SECONDS.toMicros(timeoutSeconds + 5), 3));
            Histogram all = run.await(err, "measured");
            System.out.println(summary(warm, run, all));
            System.out.flush();
            if (run.failed.get() > 0) {
                err.println("error: " + run.failed.get() + " of " + records + " appends failed; the first: "
                        + RaftlogCommand.describe(run.firstFailure.get()));
                return 1;
            }
            return 0;
        } finally {
            for (RaftClient c : clients) {
                c.close();
            }
        }
    }

    private void check() {
        if (records < 1) {
            throw new IllegalArgumentException("--records must be at least 1, got " + records);
        }
        if (warmup != null && warmup < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        }
        if (size < 1) {
            throw new IllegalArgumentException("--size must be at least 1 byte, got " + size);
        }
        if (producers < 1) {
            throw new IllegalArgumentException("--producers must be at least 1, got " + producers);
        }
        if (concurrency < producers) {
            throw new IllegalArgumentException("--concurrency (" + concurrency
                    + ") must be at least --producers (" + producers + "): each producer keeps one or more"
                    + " appends outstanding");
        }
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
    }

    private String summary(long warm, Run run, Histogram all) {
        double seconds = run.elapsedNanos / 1e9;
        long committed = run.committed.get();
        return String.format(
                Locale.ROOT,
                "records=%d size=%d concurrency=%d producers=%d warmup=%d committed=%d failed=%d elapsed_s=%.3f"
                        + " ops_per_s=%.0f mib_per_s=%.2f p50_us=%d p99_us=%d p999_us=%d max_us=%d",
                records,
                size,
                concurrency,
                producers,
                warm,
                committed,
                run.failed.get(),
                seconds,
                committed / seconds,
                committed * (double) size / seconds / (1 << 20),
                all.getValueAtPercentile(50),
                all.getValueAtPercentile(99),
                all.getValueAtPercentile(99.9),
                all.getMaxValue());
    }

    /** One closed-loop pass: a driver thread per producer, {@code total} appends over all of them. */
    private final class Run {
        final AtomicLong committed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        final Recorder latencies;
        final List<Thread> drivers = new ArrayList<>();
        final long total;
        final long startNanos = System.nanoTime();
        long elapsedNanos;

        Run(List<RaftClient> clients, long total, Recorder latencies) {
            this.total = total;
            this.latencies = latencies;
            // The payload is never changed, so one buffer serves every append of a producer.
            Bytes record = Bytes.wrap(new byte[size]);
            for (int p = 0; p < producers; p++) {
                RaftClient raft = clients.get(p);
                long share = total / producers + (p < total % producers ? 1 : 0);
                int window = concurrency / producers + (p < concurrency % producers ? 1 : 0);
                Thread driver = new Thread(() -> drive(raft, record, share, window), "bench-producer-" + p);
                driver.setDaemon(true);
                drivers.add(driver);
                driver.start();
            }
        }

        private void drive(RaftClient raft, Bytes record, long share, int window) {
            Semaphore outstanding = new Semaphore(window);
            try {
                for (long i = 0; i < share; i++) {
                    outstanding.acquire();
                    long sent = System.nanoTime();
                    raft.append(record).whenComplete((offset, error) -> {
                        if (error == null) {
                            if (latencies != null) {
                                latencies.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                            }
                            committed.incrementAndGet();
                        } else {
                            firstFailure.compareAndSet(null, error);
                            failed.incrementAndGet();
                        }
                        outstanding.release();
                    });
                }
                outstanding.acquire(window);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits for every append to end, printing progress each second; returns all latencies. */
        Histogram await(PrintStream err, String phase) throws InterruptedException {
            Histogram all = new Histogram(3);
            Histogram interval = null;
            long lastCount = 0;
            long lastNanos = startNanos;
            boolean running = true;
            while (running) {
                long tickEnd = lastNanos + TimeUnit.SECONDS.toNanos(1);
                for (Thread driver : drivers) {
                    TimeUnit.NANOSECONDS.timedJoin(driver, Math.max(0, tickEnd - System.nanoTime()));
                }
                running = drivers.stream().anyMatch(Thread::isAlive);
                long now = System.nanoTime();
                long done = committed.get() + failed.get();
                StringBuilder line = new StringBuilder(String.format(
                        Locale.ROOT,
                        "%s %6.1fs %,d/%,d  %,.0f/s",
                        phase,
                        (now - startNanos) / 1e9,
                        done,
                        total,
                        (done - lastCount) / Math.max(1e-3, (now - lastNanos) / 1e9)));
                if (latencies != null) {
                    interval = latencies.getIntervalHistogram(interval);
                    all.add(interval);
                    if (interval.getTotalCount() > 0) {
                        line.append(String.format(
                                Locale.ROOT,
                                "  p50 %,d us  p99 %,d us",
                                interval.getValueAtPercentile(50),
                                interval.getValueAtPercentile(99)));
                    }
                }
                if (failed.get() > 0) {
                    line.append("  failed ").append(failed.get());
                }
                err.println(line);
                lastCount = done;
                lastNanos = now;
            }
            elapsedNanos = lastNanos - startNanos;
            return all;
        }
    }
}
