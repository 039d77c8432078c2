package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check itself works: a buffer dropped without release is reported, and only then. */
class LeakDetectionSelfTest {
    @Test
    void aBufferDroppedWithoutReleaseIsReported() {
        assertThat(LeakRecorder.collectLeaks()).as("leaks before this test").isEmpty();
        leakOneBuffer();

        List<String> leaks = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (leaks.isEmpty() && System.nanoTime() < deadline) {
            leaks.addAll(LeakRecorder.collectLeaks());
        }
        // Collected (and so forgotten) here, so the class-level check after this test passes.
        assertThat(leaks).isNotEmpty().allSatisfy(leak -> assertThat(leak).startsWith("LEAK: ByteBuf"));
    }

    @Test
    void releasedBuffersAreNotReported() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(128);
            buffer.writeLong(i);
            buffer.release();
        }
        assertThat(LeakRecorder.collectLeaks()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(256);
        leaked.writeInt(42);
    }
}
