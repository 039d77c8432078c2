package io.raftlog.core;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time as a node sees it: a monotonic clock for ticks, timeouts and latencies, a wall clock for
 * the timestamps it writes into the log, and timers. {@link #system()} is the real one; a
 * simulation supplies virtual time, so that a whole cluster of {@link NodeLoop}s replays exactly.
 *
 * <p>Timers may run on any thread (the real one uses a shared daemon thread); their tasks must be
 * short and thread-safe.
 */
public interface NodeClock {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, as {@link System#currentTimeMillis()}; may jump. */
    long currentTimeMillis();

    /** Runs {@code task} once, {@code delayNanos} from now. */
    Timer schedule(long delayNanos, Runnable task);

    /** A scheduled task that has not run yet can be cancelled. */
    interface Timer {
        void cancel();
    }

    /** The system's clocks and one shared daemon timer thread. */
    static NodeClock system() {
        return SystemClock.INSTANCE;
    }

    /** The real clock. */
    final class SystemClock implements NodeClock {
        static final SystemClock INSTANCE = new SystemClock();

        private static final ScheduledThreadPoolExecutor TIMERS = timers();

        private SystemClock() {}

        private static ScheduledThreadPoolExecutor timers() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = Executors.defaultThreadFactory().newThread(runnable);
                thread.setName("raftlog-timer");
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true); // a completed append's timeout leaves no garbage
            return executor;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public Timer schedule(long delayNanos, Runnable task) {
            var scheduled = TIMERS.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> scheduled.cancel(false);
        }
    }
}
