package io.raftlog.transport.netty;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Caps how many warnings about bad connections a node logs per second, so a flood of garbage
 * cannot flood the log too; the rest go to debug level and are summed up once the flood ebbs.
 * Thread-safe.
 */
final class WarningLimiter {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Logger log;
    private final int perSecond;
    private long windowStart = System.nanoTime();
    private int used;
    private long suppressed;

    WarningLimiter(Logger log, int perSecond) {
        this.log = log;
        this.perSecond = perSecond;
    }

    /** Logs a warning if the budget allows, else at debug level. */
    void warn(String format, Object... arguments) {
        if (tryAcquire()) {
            log.warn(format, arguments);
        } else {
            log.debug(format, arguments);
        }
    }

    private boolean tryAcquire() {
        long suppressedBefore;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart < WINDOW_NANOS) {
                if (used < perSecond) {
                    used++;
                    return true;
                }
                suppressed++;
                return false;
            }
            windowStart = now;
            used = 1;
            suppressedBefore = suppressed;
            suppressed = 0;
        }
        if (suppressedBefore > 0) {
            log.warn("{} more warnings about bad connections were logged at debug level only", suppressedBefore);
        }
        return true;
    }
}
