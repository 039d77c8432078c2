package io.raftlog.core.purityfixture;

import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

/** Everything the protocol must not do, for {@code ProtocolPurityTest}'s self-test. */
public class ImpureFixture {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long seen;

    public long now(Clock clock) {
        lock.lock();
        try {
            seen = System.nanoTime();
            return clock.millis() + seen;
        } finally {
            lock.unlock();
        }
    }

    public synchronized void guarded() {
        seen++;
    }
}
