package io.raftlog.examples;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * When a command gives up waiting for a remote cluster, and the wait itself: a condition asked
 * again at an interval until it holds or the deadline passes, the last time at the deadline.
 * On {@link System#nanoTime()}, so a clock set back or forward changes nothing.
 */
final class Deadline {
    private final long deadlineNanos;
    private final Duration timeout;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + saturatedNanos(timeout);
    }

    /** The deadline {@code timeout} from now; {@link Duration#ZERO} asks once. */
    static Deadline after(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a timeout cannot be negative, got " + timeout);
        }
        return new Deadline(timeout);
    }

    /** The timeout this deadline was set with. */
    Duration timeout() {
        return timeout;
    }

    long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    /**
     * Asks {@code condition} until it gives a value, every {@code interval} (the last wait cut short
     * so that the last ask is at the deadline), and returns the value, or empty if the deadline
     * passed first. An exception {@code condition} throws ends the wait with it.
     */
    <T> Optional<T> poll(Duration interval, Callable<Optional<T>> condition) throws Exception {
        while (true) {
            Optional<T> value = condition.call();
            long remaining = remainingNanos();
            if (value.isPresent() || remaining == 0) {
                return value;
            }
            // Waiting for a remote cluster between two questions, not a test's wait for an outcome.
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, interval.toNanos()));
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException beyondNanos) {
            return Long.MAX_VALUE / 2; // centuries: never, in practice, without overflowing nanoTime()
        }
    }
}
