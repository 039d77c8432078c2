package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AppendTimeoutsTest {
    private static final long TIMEOUT = 1_000;

    /** Virtual time; timers run when the test advances past them. */
    private static final class ManualClock implements NodeClock {
        private record Task(long at, Runnable task) {}

        long now;
        final List<Task> timers = new ArrayList<>();
        int scheduled;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long currentTimeMillis() {
            return now / 1_000_000;
        }

        @Override
        public Timer schedule(long delayNanos, Runnable task) {
            scheduled++;
            Task t = new Task(now + delayNanos, task);
            timers.add(t);
            return () -> timers.remove(t);
        }

        void advanceTo(long time) {
            now = time;
            boolean ran = true;
            while (ran) {
                ran = false;
                for (Task t : List.copyOf(timers)) {
                    if (t.at() <= now) {
                        timers.remove(t);
                        t.task().run();
                        ran = true;
                    }
                }
            }
        }
    }

    private final ManualClock clock = new ManualClock();

    /** An append submitted now. */
    private AppendOutcome.One submitted() {
        return AppendOutcome.one(AppendOutcome.Latency.NONE, clock.now);
    }

    private final AppendTimeouts timeouts =
            new AppendTimeouts(clock, TIMEOUT, () -> new TimeoutException("append timeout"));

    @Test
    void anUnansweredAppendFailsAtItsDeadlineAndNotBefore() {
        AppendOutcome.One first = submitted();
        timeouts.watch(first);
        clock.advanceTo(400);
        AppendOutcome.One second = submitted();
        timeouts.watch(second);

        clock.advanceTo(TIMEOUT - 1);
        assertThat(first).isNotDone();
        clock.advanceTo(TIMEOUT);
        assertThat(first).isCompletedExceptionally();
        assertThat(first.handle((v, e) -> e).join()).isInstanceOf(TimeoutException.class);
        assertThat(second).isNotDone();
        clock.advanceTo(400 + TIMEOUT);
        assertThat(second).isCompletedExceptionally();
        assertThat(timeouts.size()).isZero();
        assertThat(clock.timers).isEmpty(); // nothing left to wait for: disarmed
    }

    @Test
    void anAnsweredAppendIsNeverFailed() {
        AppendOutcome.One answered = submitted();
        timeouts.watch(answered);
        answered.complete(7L);
        clock.advanceTo(10 * TIMEOUT);
        assertThat(answered.join()).isEqualTo(7L);
    }

    @Test
    void oneTimerServesAllOutstandingAppends() {
        for (int i = 0; i < 1_000; i++) {
            timeouts.watch(submitted());
        }
        assertThat(clock.scheduled).isEqualTo(1);
    }

    @Test
    void answeredAppendsAreDroppedAsNewOnesArrive() {
        // A closed loop of 64 outstanding appends answered in order: the queue holds about 64,
        // not every append of the last timeout.
        List<AppendOutcome.One> outstanding = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            if (outstanding.size() == 64) {
                outstanding.remove(0).complete((long) i);
            }
            AppendOutcome.One next = submitted();
            timeouts.watch(next);
            outstanding.add(next);
        }
        assertThat(timeouts.size()).isLessThanOrEqualTo(65);
        assertThat(clock.scheduled).isEqualTo(1);
    }

    @Test
    void aTimerIsArmedAgainAfterTheQueueEmptied() {
        AppendOutcome.One first = submitted();
        timeouts.watch(first);
        first.complete(1L);
        clock.advanceTo(TIMEOUT); // the sweep finds it answered and disarms
        assertThat(clock.timers).isEmpty();

        AppendOutcome.One later = submitted();
        timeouts.watch(later);
        clock.advanceTo(2 * TIMEOUT);
        assertThat(later).isCompletedExceptionally();
    }

    @Test
    void noTimeoutMeansNoTimerAndNoQueue() {
        AppendTimeouts none = new AppendTimeouts(clock, Long.MAX_VALUE, () -> new TimeoutException("never"));
        AppendOutcome.One append = submitted();
        none.watch(append);
        clock.advanceTo(Long.MAX_VALUE / 2);
        assertThat(append).isNotDone();
        assertThat(none.size()).isZero();
        assertThat(clock.scheduled).isZero();
    }

    @Test
    void concurrentCallersLoseNoTimeout() throws Exception {
        // Four threads watch and answer appends, trimming the head concurrently; every unanswered one fails.
        List<AppendOutcome.One> unanswered = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    AppendOutcome.One append = submitted();
                    timeouts.watch(append);
                    if (i % 100 == 0) {
                        unanswered.add(append);
                    } else {
                        append.complete((long) i);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        clock.advanceTo(TIMEOUT);
        assertThat(unanswered)
                .hasSize(800)
                .allSatisfy(append -> assertThat(append)
                        .failsWithin(java.time.Duration.ZERO)
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(TimeoutException.class));
        assertThat(timeouts.size()).isZero();
    }
}
