package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OffsetOutOfRangeException;
import io.raftlog.transport.netty.FakeCluster;
import io.raftlog.transport.netty.Futures;
import io.raftlog.transport.netty.Loopback;
import io.raftlog.transport.netty.NettyTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log start offset through RaftClient, against three real NettyTransport nodes serving a
 * {@link FakeCluster}: {@code deleteRecordsBefore} on the leader and how it fails, a read below the
 * log start failing with the serving node's bounds and without a retry elsewhere, and the log in a
 * remote status.
 */
class RaftClientLogStartTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B, C));
    private final FakeCluster cluster = new FakeCluster(A);
    private final List<NettyTransport> nodes = new ArrayList<>();
    private final List<RaftClient> clients = new ArrayList<>();

    @BeforeEach
    void startNodes() {
        for (NodeId id : List.of(A, B, C)) {
            NettyTransport node = Loopback.start(id, peers, message -> {});
            node.serveClients(cluster.node(id));
            nodes.add(node);
        }
    }

    @AfterEach
    void stopAll() {
        clients.forEach(RaftClient::close);
        nodes.forEach(NettyTransport::close);
        cluster.close();
    }

    private RaftClient client(List<NodeId> seeds, UnaryOperator<RaftClientConfig> tweak) {
        RaftClientConfig config = RaftClientConfig.of(
                        Loopback.CLUSTER, seeds.stream().map(peers::get).toList())
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withConnectTimeout(Duration.ofSeconds(1));
        RaftClient client = new RaftClient(tweak.apply(config));
        clients.add(client);
        return client;
    }

    private RaftClient client(NodeId... seeds) {
        return client(List.of(seeds), UnaryOperator.identity());
    }

    /** Appends {@code count} records "r1", "r2"… through a client of the leader; they get offsets 1, 2… */
    private void appendRecords(int count) throws Exception {
        RaftClient producer = client(A);
        for (int i = 1; i <= count; i++) {
            assertThat(producer.append(Bytes.ofUtf8("r" + i)).get(10, TimeUnit.SECONDS))
                    .isEqualTo(i);
        }
    }

    // ---- deleteRecordsBefore --------------------------------------------------------------------

    @Test
    void aDeletionSentToAFollowerEndsAtTheLeaderAndAnswersWithTheNewLogStart() throws Exception {
        appendRecords(5);
        RaftClient client = client(B);

        assertThat(client.deleteRecordsBefore(4).get(10, TimeUnit.SECONDS)).isEqualTo(4L);

        assertThat(cluster.deletions)
                .as("the follower redirected the client before judging the offset")
                .containsExactly(new FakeCluster.Deletion(A, 4));
        assertThat(cluster.logStartOn(A)).isEqualTo(4);
        assertThat(client.status().get(10, TimeUnit.SECONDS).id())
                .as("the deletion taught the client the leader")
                .isEqualTo(A);
    }

    @Test
    void aDeletionAtOrBelowTheLogStartChangesNothingAndAnswersWithTheLogStart() throws Exception {
        appendRecords(5);
        RaftClient client = client(A);
        assertThat(client.deleteRecordsBefore(4).get(10, TimeUnit.SECONDS)).isEqualTo(4L);

        assertThat(client.deleteRecordsBefore(2).get(10, TimeUnit.SECONDS)).isEqualTo(4L);
        assertThat(cluster.logStartOn(A)).isEqualTo(4);
    }

    @Test
    void aDeletionPastTheHighWatermarkFailsWithIllegalArgumentAndTheLeadersReasonWithoutRetry() throws Exception {
        appendRecords(3);
        RaftClient client = client(A);

        assertThat(Futures.failure(client.deleteRecordsBefore(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "deleteRecordsBefore(5): the offset must be from 1 to the high watermark + 1 (4)");
        assertThat(cluster.deletions).hasSize(1);
        assertThat(cluster.logStartOn(A)).isEqualTo(1);
    }

    @Test
    void aDeletionBelowOneFailsAtOnceUnsent() {
        RaftClient client = client(A);

        assertThat(Futures.failure(client.deleteRecordsBefore(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset >= 1, got 0");
        assertThat(cluster.deletions).isEmpty();
    }

    @Test
    void aDeletionNoLeaderTakesFailsAtTheDeadlineWithNotLeader() {
        cluster.electLeader(null);
        RaftClient client = client(List.of(A, B, C), config -> config.withRequestTimeout(Duration.ofMillis(500)));

        // Definite (NotLeader) unless an attempt was still out at the deadline (possible on a
        // loaded machine): then it may have been delivered, and the client says so.
        Throwable failure = Futures.failure(client.deleteRecordsBefore(1));
        if (failure instanceof io.raftlog.api.IndeterminateResultException) {
            assertThat(failure)
                    .as("an attempt out at the deadline: indeterminate, with why the others failed")
                    .hasMessageContaining("is not the leader");
        } else {
            assertThat(failure).as("every attempt refused").isInstanceOf(NotLeaderException.class);
        }
        assertThat(cluster.deletions)
                .as("followers refuse before asking their log")
                .isEmpty();
    }

    @Test
    void aDeletionWhoseOutcomeIsUnknownIsRetriedAndAnsweredByTheRetry() throws Exception {
        appendRecords(5);
        AtomicInteger attempts = new AtomicInteger();
        cluster.deleteHook = (node, offset, apply) -> {
            long start = apply.get(); // applied, but the leader cannot say so
            return attempts.getAndIncrement() == 0
                    ? CompletableFuture.failedFuture(new IndeterminateResultException("lost leadership"))
                    : CompletableFuture.completedFuture(start);
        };
        RaftClient client = client(A);

        assertThat(client.deleteRecordsBefore(3).get(10, TimeUnit.SECONDS)).isEqualTo(3L);
        assertThat(cluster.deletions).containsExactly(new FakeCluster.Deletion(A, 3), new FakeCluster.Deletion(A, 3));
    }

    @Test
    void aDeletionWithoutAnswerFailsAsIndeterminateAtTheTimeout() {
        cluster.deleteHook = (node, offset, apply) -> new CompletableFuture<>(); // never answers
        RaftClient client = client(List.of(A), config -> config.withRequestTimeout(Duration.ofMillis(500)));

        assertThat(Futures.failure(client.deleteRecordsBefore(1)))
                .isInstanceOf(IndeterminateResultException.class)
                .hasMessageContaining("no answer within the request timeout of 500 ms");
    }

    // ---- reads below the log start --------------------------------------------------------------

    @Test
    void aReadBelowTheLogStartFailsWithTheNodesBoundsAndIsNotRetriedElsewhere() throws Exception {
        appendRecords(5);
        RaftClient client = client(A, B, C);
        client.deleteRecordsBefore(3).get(10, TimeUnit.SECONDS);
        cluster.reads.clear();

        Throwable failure = Futures.failure(client.read(1, 10, Duration.ZERO));

        assertThat(failure).isInstanceOf(OffsetOutOfRangeException.class);
        OffsetOutOfRangeException outOfRange = (OffsetOutOfRangeException) failure;
        assertThat(outOfRange.offset()).isEqualTo(1);
        assertThat(outOfRange.logStartOffset()).isEqualTo(3);
        assertThat(outOfRange.highWatermark()).isEqualTo(5);
        assertThat(cluster.reads).as("one attempt, on the leader").containsExactly(new FakeCluster.Read(A, 1));
        assertThat(client.read(outOfRange.logStartOffset(), 10, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .as("reset to the log start")
                .extracting(CommittedRecord::offset)
                .containsExactly(3L, 4L, 5L);
    }

    @Test
    void aLaggingFollowerStillServesWhatItHoldsAndEachNodeAnswersForItsOwnLog() throws Exception {
        appendRecords(5);
        cluster.holdLogStart(B);
        RaftClient client = client(A);
        client.deleteRecordsBefore(3).get(10, TimeUnit.SECONDS);

        assertThat(client.read(peers.get(B), 1, 10, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .extracting(CommittedRecord::offset)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(Futures.failure(client.read(peers.get(C), 1, 10, Duration.ZERO)))
                .isInstanceOfSatisfying(
                        OffsetOutOfRangeException.class,
                        e -> assertThat(e.logStartOffset()).isEqualTo(3));
        assertThat(client.status(peers.get(B)).get(10, TimeUnit.SECONDS).log().startOffset())
                .isEqualTo(1);
    }

    // ---- the log in the status ------------------------------------------------------------------

    @Test
    void aRemoteStatusCarriesEveryFieldOfTheLog() throws Exception {
        appendRecords(4);
        RaftClient client = client(B);
        client.deleteRecordsBefore(2).get(10, TimeUnit.SECONDS);

        assertThat(client.status(peers.get(C)).get(10, TimeUnit.SECONDS).log())
                .isEqualTo(cluster.log(C))
                .isEqualTo(new NodeStatus.Log(2, 400, 2, 40, 1_700_000_000_000L, 3, 4));
        assertThat(client.logStartOffset().get(10, TimeUnit.SECONDS)).isEqualTo(2L);
    }
}
