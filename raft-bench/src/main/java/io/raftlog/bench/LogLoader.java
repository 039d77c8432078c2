package io.raftlog.bench;

import io.raftlog.api.Bytes;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Fills a log through a leader as fast as it takes them: batches of {@value #BATCH_RECORDS}
 * records of {@value #RECORD_BYTES} B, {@value #BATCHES_IN_FLIGHT} batches in flight (16 MiB, far
 * below the leader's 256 MiB of uncommitted bytes, so it never answers "overloaded").
 */
final class LogLoader {
    static final int RECORD_BYTES = 256;
    static final int BATCH_RECORDS = 4096;
    static final int BATCHES_IN_FLIGHT = 16;

    private LogLoader() {}

    /** One record of random bytes (nothing on the way compresses, but random is the honest choice). */
    static Bytes record() {
        byte[] bytes = new byte[RECORD_BYTES];
        new SplittableRandom(42).nextBytes(bytes);
        return Bytes.copyOf(bytes);
    }

    /**
     * Appends {@code records} records to the log {@code leader} returns, printing the rate every
     * million; returns the offset of the last one once all are committed. A batch refused because
     * leadership moved ({@link NotLeaderException}), or whose outcome that made unknown
     * ({@link IndeterminateResultException}), is sent again to the leader {@code leader} returns
     * then: on a busy machine a leader of two live members may lose an election timeout's worth of
     * heartbeats. A batch that was in fact committed is then in the log twice; a benchmark does
     * not mind a few thousand more records.
     *
     * @throws IllegalStateException with the first other failure as its cause
     */
    static long load(Supplier<? extends ReplicatedLog> leader, long records) {
        List<Bytes> full = Collections.nCopies(BATCH_RECORDS, record());
        Semaphore window = new Semaphore(BATCHES_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong unsent = new AtomicLong(records);
        AtomicLong sentAgain = new AtomicLong();
        AtomicLong last = new AtomicLong();
        long started = System.nanoTime();
        long nextReport = 1_000_000;
        while (true) {
            window.acquireUninterruptibly();
            failIf(failure);
            int size = (int) Math.min(BATCH_RECORDS, unsent.get());
            if (size == 0) {
                window.release();
                if (window.availablePermits() == BATCHES_IN_FLIGHT && unsent.get() == 0) {
                    break; // every batch answered, none to send again
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            unsent.addAndGet(-size);
            // The callback handles every outcome; the future it returns carries nothing more.
            var unused = leader.get()
                    .appendAll(size == BATCH_RECORDS ? full : full.subList(0, size))
                    .whenComplete((offsets, error) -> {
                        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                        if (cause == null) {
                            last.accumulateAndGet(offsets.get(offsets.size() - 1), Math::max);
                        } else if (cause instanceof NotLeaderException
                                || cause instanceof IndeterminateResultException) {
                            sentAgain.addAndGet(size);
                            unsent.addAndGet(size); // before the release: the loop sees it
                        } else {
                            failure.compareAndSet(null, cause);
                        }
                        window.release();
                    });
            long done = records - unsent.get();
            if (done >= nextReport) {
                System.out.printf("  sent %,d records, %,.0f records/s%n", done, done / seconds(started));
                nextReport += 1_000_000;
            }
        }
        System.out.printf(
                "  loaded %,d records of %d B in %.1f s (%,.0f records/s), last offset %,d; %,d sent again after a"
                        + " leader change%n",
                records, RECORD_BYTES, seconds(started), records / seconds(started), last.get(), sentAgain.get());
        return last.get();
    }

    private static void failIf(AtomicReference<Throwable> failure) {
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException("an append failed while loading the log: " + error, error);
        }
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Waits until {@code log} leads. */
    static void awaitLeader(ReplicatedLog log, Duration timeout) {
        await(() -> log.status().role() == Role.LEADER, timeout, () -> "node to lead: " + log.status());
    }

    /**
     * Polls {@code condition} every 100 µs until it holds.
     *
     * @throws IllegalStateException naming {@code what} if it does not within {@code timeout}
     */
    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + timeout.toSeconds() + " s for the " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }
}
