package io.raftlog.core;

import io.raftlog.api.Bytes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick look at where the runtime stands: a 3-node in-memory cluster in this JVM, 256 B records,
 * a fixed number of appends outstanding. Not a benchmark (the JMH suite in raft-bench is); run it
 * with {@code java -cp <test classpath> io.raftlog.core.ThroughputSelfCheck [records] [outstanding...]}.
 */
public final class ThroughputSelfCheck {
    private ThroughputSelfCheck() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int[] windows = args.length > 1
                ? java.util.Arrays.stream(args)
                        .skip(1)
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {1, 64, 1024};
        Bytes payload = Bytes.copyOf(new byte[256]);
        for (int window : windows) {
            try (LocalCluster cluster = new LocalCluster(3)) {
                RaftNode leader = cluster.awaitLeader();
                int count = window == 1 ? Math.min(records, 20_000) : records;
                Semaphore outstanding = new Semaphore(window);
                AtomicLong failures = new AtomicLong();
                long start = System.nanoTime();
                CompletableFuture<Long> last = null;
                for (int i = 0; i < count; i++) {
                    outstanding.acquire();
                    last = leader.append(payload);
                    last.whenComplete((offset, error) -> {
                        if (error != null) {
                            failures.incrementAndGet();
                        }
                        outstanding.release();
                    });
                }
                outstanding.acquire(window);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "outstanding=%d: %d records in %.2f s = %.0f records/s (%d failed)%n",
                        window, count, seconds, count / seconds, failures.get());
                last.get(5, TimeUnit.SECONDS);
            }
        }
    }
}
