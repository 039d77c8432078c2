package io.raftlog.transport.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(1000));

    @Test
    void theCeilingDoublesFromTheMinimumUpToTheCap() {
        assertThat(backoff.ceilingNanos(1)).isEqualTo(ms(10));
        assertThat(backoff.ceilingNanos(2)).isEqualTo(ms(20));
        assertThat(backoff.ceilingNanos(5)).isEqualTo(ms(160));
        assertThat(backoff.ceilingNanos(8)).isEqualTo(ms(1000));
        assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(ms(1000));
    }

    @RepeatedTest(20)
    void jitterStaysBetweenHalfTheCeilingAndTheCeiling() {
        for (int failures = 1; failures < 12; failures++) {
            long ceiling = backoff.ceilingNanos(failures);
            assertThat(backoff.delayNanos(failures)).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    void refusesABackwardsRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }
}
