package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.OutOfOrderSequenceException;
import io.raftlog.api.UnknownSequenceException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Retried idempotent appends land in the log exactly once (Kafka-style producer id + sequence). */
class IdempotentAppendTest {
    private static final long PRODUCER = 0x5eedL;

    private static List<Bytes> records(String... values) {
        return java.util.Arrays.stream(values).map(Bytes::ofUtf8).toList();
    }

    @Test
    void aRetryOfACommittedBatchGetsTheSameOffsetsAndAppendsNothing() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<Long> first = leader.appendAll(PRODUCER, 0, records("a", "b")).get(5, TimeUnit.SECONDS);
            long lastBefore = leader.status().lastIndex();

            List<Long> retried =
                    leader.appendAll(PRODUCER, 0, records("a", "b")).get(5, TimeUnit.SECONDS);

            assertThat(retried).isEqualTo(first);
            assertThat(leader.status().lastIndex()).isEqualTo(lastBefore);
            List<Long> next = leader.appendAll(PRODUCER, 2, records("c")).get(5, TimeUnit.SECONDS);
            assertThat(next.get(0)).isGreaterThan(first.get(1));
            assertThat(payloads(leader, next.get(0))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void aRetryWhileTheOriginalIsInFlightIsAttachedToIt() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.appendAll(PRODUCER, 0, records("warm-up")).get(5, TimeUnit.SECONDS);
            CompletableFuture<List<Long>> original = leader.appendAll(PRODUCER, 1, records("x", "y"));
            CompletableFuture<List<Long>> retry = leader.appendAll(PRODUCER, 1, records("x", "y"));

            assertThat(retry.get(5, TimeUnit.SECONDS)).isEqualTo(original.get(5, TimeUnit.SECONDS));
            assertThat(payloads(leader, original.get().get(1))).containsExactly("warm-up", "x", "y");
        }
    }

    @Test
    void sequenceGapsAndForgottenRetriesAreRefusedWithoutAppending() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.appendAll(PRODUCER, 0, records("a")).get(5, TimeUnit.SECONDS);
            long lastBefore = leader.status().lastIndex();

            assertThatThrownBy(
                            () -> leader.appendAll(PRODUCER, 5, records("gap")).get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessageContaining("expected 1, got 5");
            // Sequence 0 is in the log: a retry of it with another shape cannot be answered, but it
            // is no definite failure either (review F6).
            assertThatThrownBy(() -> leader.appendAll(PRODUCER, 0, records("a", "other shape"))
                            .get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(UnknownSequenceException.class);
            assertThat(leader.status().lastIndex()).isEqualTo(lastBefore);
            // A batch that overtook a new producer's first batch must wait for it.
            assertThatThrownBy(() ->
                            leader.appendAll(PRODUCER + 1, 3, records("early")).get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessageContaining("must start at sequence 0");
            assertThat(leader.appendAll(PRODUCER + 1, 0, records("first")).get(5, TimeUnit.SECONDS))
                    .hasSize(1);
        }
    }

    @Test
    void aRetryThroughALeaderChangeIsInTheLogExactlyOnce() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<Long> offsets = leader.appendAll(PRODUCER, 0, records("once")).get(5, TimeUnit.SECONDS);
            // The client never saw that answer: the leader dies, the client retries elsewhere.
            cluster.stop(leader.id());
            RaftNode next = cluster.awaitLeader();

            List<Long> retried = next.appendAll(PRODUCER, 0, records("once")).get(10, TimeUnit.SECONDS);

            assertThat(retried).isEqualTo(offsets);
            long after = next.appendAll(PRODUCER, 1, records("then"))
                    .get(5, TimeUnit.SECONDS)
                    .get(0);
            assertThat(payloads(next, after)).containsExactly("once", "then");
        }
    }

    @Test
    void deduplicationStateSurvivesARestartOfEveryNode() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            List<Long> offsets =
                    leader.appendAll(PRODUCER, 0, records("durable", "state")).get(5, TimeUnit.SECONDS);
            List<NodeId> ids = List.copyOf(cluster.ids);
            ids.forEach(cluster::stop);
            ids.forEach(cluster::start);

            RaftNode restarted = cluster.awaitLeader();
            assertThat(restarted
                            .appendAll(PRODUCER, 0, records("durable", "state"))
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo(offsets);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> restarted.commitOffset() >= offsets.get(1));
            assertThat(payloads(restarted, offsets.get(1))).containsExactly("durable", "state");
        }
    }

    private static List<String> payloads(RaftNode node, long upTo) throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> node.commitOffset() >= upTo);
        return RaftNodeTest.readAll(node, upTo).stream()
                .map(CommittedRecord::payload)
                .map(Bytes::toUtf8)
                .toList();
    }
}
