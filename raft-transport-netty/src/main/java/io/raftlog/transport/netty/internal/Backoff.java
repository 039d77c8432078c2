package io.raftlog.transport.netty.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential back-off with jitter: after the n-th consecutive failure, wait a random time
 * in [d/2, d] where d = min(max, min * 2^(n-1)). The jitter keeps nodes that lost the same peer at
 * the same moment from reconnecting in lock step. Immutable and thread-safe.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;

    public Backoff(Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The delay before the attempt that follows the {@code failures}-th consecutive failure (from 1). */
    public long delayNanos(int failures) {
        return jitter(ceilingNanos(failures));
    }

    /** The delay before jitter: min * 2^(failures - 1), capped at max. */
    public long ceilingNanos(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long delay = minNanos;
        for (int i = 0; i < doublings && delay < maxNanos; i++) {
            delay = delay > maxNanos / 2 ? maxNanos : delay * 2;
        }
        return Math.min(delay, maxNanos);
    }

    private static long jitter(long ceiling) {
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }
}
