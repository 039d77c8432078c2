package io.raftlog.api.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The codec's process-wide cache of node ids, as {@link MessageCodec}'s documentation describes
 * it: bounded, never evicting, shared by all threads, and invisible in what the codec produces.
 */
class KnownNodeIdsTest {
    /** Ids no other test uses, so they are new to the cache whatever ran before in this JVM. */
    private static final AtomicLong FRESH = new AtomicLong();

    private static NodeId freshId() {
        return NodeId.of("known-ids-test-" + FRESH.incrementAndGet());
    }

    private static RaftMessage roundTrip(RaftMessage message) {
        return MessageCodec.decode(MessageCodec.encode(message));
    }

    @Test
    void onceFullTheCacheTakesNoMoreIdsAndTheyStillRoundTrip() {
        // However many ids earlier tests left, this many new ones fill it.
        for (int i = 0; i < 64; i++) {
            NodeId id = freshId();
            assertThat(roundTrip(new TimeoutNow(id, id, 1)).from()).isEqualTo(id);
        }
        NodeId late = freshId();
        NodeId other = freshId();

        RaftMessage first = roundTrip(new TimeoutNow(late, other, 1));
        RaftMessage second = roundTrip(new TimeoutNow(late, other, 1));

        assertThat(first).isEqualTo(new TimeoutNow(late, other, 1)).isEqualTo(second);
        assertThat(first.from())
                .as("an id met after the cache is full is decoded anew each time, not remembered")
                .isNotSameAs(second.from());
    }

    @Test
    void threadsMeetingNewIdsAtOnceAllGetExactlyTheirMessagesBack() throws Exception {
        long seed = Long.getLong("raftlog.codec.seed", System.nanoTime());
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(freshId());
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(seed + t);
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        RaftMessage message = new VoteRequest(
                                ids.get(random.nextInt(ids.size())),
                                ids.get(random.nextInt(ids.size())),
                                random.nextInt(1000),
                                0,
                                0,
                                false,
                                false);
                        assertThat(roundTrip(message))
                                .as("seed %d (-Draftlog.codec.seed=%d replays it)", seed, seed)
                                .isEqualTo(message);
                    }
                    return null;
                }));
            }
            for (Future<?> thread : done) {
                thread.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
