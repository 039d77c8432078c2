package io.raftlog.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link ResourceLeakDetectorFactory} whose detectors remember every leak they report (and still
 * log it), so tests can fail on a leak instead of only printing "LEAK:". Must be installed before
 * Netty's buffer classes initialize: {@link LeakCheckExtension} does it in its static initializer.
 */
final class LeakRecorder extends ResourceLeakDetectorFactory {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static volatile boolean byteBufTracked;

    private LeakRecorder() {}

    static void install() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakRecorder());
    }

    /** Fails unless the ByteBuf leak detector came from this factory and paranoid detection is on. */
    static void requireActive() {
        ByteBufAllocator.DEFAULT.buffer(1).release(); // initializes AbstractByteBuf's detector
        if (!byteBufTracked) {
            throw new IllegalStateException(
                    "Netty's ByteBuf leak detector was created before LeakRecorder was installed");
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("run tests with -Dio.netty.leakDetectionLevel=paranoid, level is "
                    + ResourceLeakDetector.getLevel());
        }
    }

    /**
     * Collects garbage and allocates tracked buffers a few times, which makes the detectors report
     * leaked buffers that became unreachable; returns and forgets the leaks reported so far.
     */
    static List<String> collectLeaks() {
        for (int round = 0; round < 4; round++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // let the GC enqueue references
            for (int i = 0; i < 64; i++) {
                ByteBufAllocator.DEFAULT.directBuffer(64).release();
                ByteBufAllocator.DEFAULT.heapBuffer(64).release();
            }
        }
        List<String> leaks = new ArrayList<>();
        for (String leak = LEAKS.poll(); leak != null; leak = LEAKS.poll()) {
            leaks.add(leak);
        }
        return leaks;
    }

    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            Class<T> resource, int samplingInterval, long maxActive) {
        if (resource == ByteBuf.class) {
            byteBufTracked = true;
        }
        return new ResourceLeakDetector<>(resource, samplingInterval) {
            @Override
            protected void reportTracedLeak(String resourceType, String records) {
                LEAKS.add("LEAK: " + resourceType + records);
                super.reportTracedLeak(resourceType, records);
            }

            @Override
            protected void reportUntracedLeak(String resourceType) {
                LEAKS.add("LEAK: " + resourceType + " (untraced)");
                super.reportUntracedLeak(resourceType);
            }
        };
    }
}
