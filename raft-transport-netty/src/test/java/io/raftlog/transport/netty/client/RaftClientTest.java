package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.RaftException;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.FakeCluster;
import io.raftlog.transport.netty.Futures;
import io.raftlog.transport.netty.LogCapture;
import io.raftlog.transport.netty.Loopback;
import io.raftlog.transport.netty.NettyTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RaftClient against three real NettyTransport nodes serving a {@link FakeCluster}: redirects,
 * retries, idempotent re-sends, batching, bounds, timeouts and what each failure means.
 */
class RaftClientTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final Duration WAIT = Duration.ofSeconds(10);

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

    private RaftClient client(List<InetSocketAddress> seeds, UnaryOperator<RaftClientConfig> tweak) {
        RaftClientConfig config = RaftClientConfig.of(Loopback.CLUSTER, seeds)
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withConnectTimeout(Duration.ofSeconds(1));
        RaftClient client = new RaftClient(tweak.apply(config));
        clients.add(client);
        return client;
    }

    private RaftClient client(NodeId... seeds) {
        return client(List.of(seeds).stream().map(peers::get).toList(), UnaryOperator.identity());
    }

    // ---- redirects and retries ------------------------------------------------------------------

    @Test
    void aClientPointedAtAFollowerEndsAtTheLeader() throws Exception {
        RaftClient client = client(B);

        assertThat(client.append(Bytes.ofUtf8("first")).get(10, TimeUnit.SECONDS))
                .isEqualTo(1L);

        assertThat(cluster.appendsOn(B)).as("the follower refused once").hasSize(1);
        assertThat(cluster.appendsOn(A)).as("the leader appended").hasSize(1);
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("first"));
        NodeStatus status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.id()).as("the client now talks to the leader").isEqualTo(A);
        assertThat(status.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void followsTheLeaderWhenItMoves() throws Exception {
        RaftClient client = client(A, B, C);
        assertThat(client.append(Bytes.ofUtf8("1")).get(10, TimeUnit.SECONDS)).isEqualTo(1L);

        cluster.electLeader(C);
        assertThat(client.append(Bytes.ofUtf8("2")).get(10, TimeUnit.SECONDS)).isEqualTo(2L);

        assertThat(cluster.appendsOn(C)).hasSize(1);
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("1"), Bytes.ofUtf8("2"));
    }

    @Test
    void retriesWithBackOffWhileThereIsNoLeader() throws Exception {
        cluster.electLeader(null);
        RaftClient client = client(A, B, C);
        CompletableFuture<Long> offset = client.append(Bytes.ofUtf8("patient"));

        await().atMost(WAIT).until(() -> cluster.appends.size() >= 4);
        assertThat(offset).isNotDone();
        cluster.electLeader(B);

        assertThat(offset.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("patient"));
    }

    @Test
    void aRetryAfterAnUnknownOutcomeResendsTheSameProducerIdAndSequence() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> {
            List<Long> offsets = apply.get(); // appended, but the leader cannot say so
            return attempts.getAndIncrement() == 0
                    ? CompletableFuture.failedFuture(new IndeterminateResultException("lost leadership"))
                    : CompletableFuture.completedFuture(offsets);
        };
        RaftClient client = client(A);

        assertThat(client.appendAll(List.of(Bytes.ofUtf8("x"), Bytes.ofUtf8("y")))
                        .get(10, TimeUnit.SECONDS))
                .containsExactly(1L, 2L);

        List<FakeCluster.Append> seen = cluster.appendsOn(A);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).producerId()).isEqualTo(seen.get(0).producerId()).isEqualTo(client.producerId());
        assertThat(seen.get(1).firstSequence())
                .isEqualTo(seen.get(0).firstSequence())
                .isZero();
        assertThat(cluster.records()).as("no duplicate").containsExactly(Bytes.ofUtf8("x"), Bytes.ofUtf8("y"));
    }

    @Test
    void aBatchOvertakenByTheNextIsRetriedFirstAndBothLandInOrder() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> append.firstSequence() == 0 && attempts.getAndIncrement() == 0
                ? CompletableFuture.failedFuture(new IndeterminateResultException("lost before appending"))
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(List.of(peers.get(A)), config -> config.withBatching(Duration.ZERO, 1, 1 << 20));

        CompletableFuture<Long> first = client.append(Bytes.ofUtf8("first"));
        CompletableFuture<Long> second = client.append(Bytes.ofUtf8("second"));

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("first"), Bytes.ofUtf8("second"));
        assertThat(cluster.appendsOn(A))
                .filteredOn(append -> append.firstSequence() == 1)
                .as("the second batch was refused for the gap, then retried")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aBatchThatOvertookAnEarlierOneIsResentAsSoonAsTheEarlierIsAnsweredNotAfterABackOff() throws Exception {
        // The first batch is answered only after the second was refused for the gap; with a back-off
        // of a minute, only waiting for the first batch's answer lets the second land in time.
        CompletableFuture<Void> secondRefused = new CompletableFuture<>();
        cluster.hook = (node, append, apply) -> {
            if (append.firstSequence() == 0) {
                return secondRefused.thenApply(ignored -> apply.get());
            }
            try {
                return CompletableFuture.completedFuture(apply.get());
            } catch (io.raftlog.api.OutOfOrderSequenceException gap) {
                secondRefused.complete(null);
                return CompletableFuture.failedFuture(gap);
            }
        };
        RaftClient client = client(
                List.of(peers.get(A)),
                config -> config.withBatching(Duration.ZERO, 1, 1 << 20)
                        .withRetryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1)));

        CompletableFuture<Long> first = client.append(Bytes.ofUtf8("first"));
        CompletableFuture<Long> second = client.append(Bytes.ofUtf8("second"));

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("first"), Bytes.ofUtf8("second"));
    }

    @Test
    void aBatchThatFailsForGoodRetiresTheProducerIdSoNoGapBlocksTheNext() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> attempts.getAndIncrement() == 0
                ? CompletableFuture.failedFuture(new IllegalArgumentException("refused"))
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(A);
        long firstProducer = client.producerId();

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("refused"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(client.append(Bytes.ofUtf8("next")).get(10, TimeUnit.SECONDS))
                .isEqualTo(1L);

        FakeCluster.Append next = cluster.appendsOn(A).get(1);
        assertThat(next.producerId()).isNotEqualTo(firstProducer);
        assertThat(next.firstSequence()).isZero();
    }

    @Test
    void anOverloadedLeaderIsRetriedUntilItAccepts() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> attempts.getAndIncrement() < 2
                ? CompletableFuture.failedFuture(new OverloadedException("too much uncommitted"))
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(A);

        assertThat(client.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(cluster.appendsOn(A)).hasSize(3);
    }

    @Test
    void aNodeThatDoesNotServeClientsYetSendsTheClientElsewhere() throws Exception {
        NodeId d = NodeId.of("d");
        InetSocketAddress dAddress = Loopback.address(Loopback.freePort());
        NettyTransport notServing = new NettyTransport(Loopback.config(d, Map.of(d, dAddress)));
        notServing.start(d, message -> {});
        nodes.add(notServing);
        RaftClient client = client(List.of(dAddress, peers.get(A)), UnaryOperator.identity());

        assertThat(client.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }

    // ---- failures and what they mean ------------------------------------------------------------

    @Test
    void anAppendWithoutAnswerFailsAsIndeterminateAtTheTimeout() {
        cluster.hook = (node, append, apply) -> new CompletableFuture<>(); // never answers
        RaftClient client = client(List.of(peers.get(A)), config -> config.withRequestTimeout(Duration.ofMillis(500)));

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isInstanceOf(IndeterminateResultException.class)
                .hasMessageContaining("no answer within the request timeout of 500 ms");
    }

    @Test
    void anAttemptLeftUnansweredIsAbandonedAtTheAttemptTimeoutAndRetriedWithTheSameSequence() throws Exception {
        // The first attempt reaches a node that then hangs; the client must not wait out its 10 s deadline.
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> attempts.getAndIncrement() == 0
                ? new CompletableFuture<>()
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(List.of(peers.get(A)), config -> config.withAttemptTimeout(Duration.ofMillis(300)));

        assertThat(client.append(Bytes.ofUtf8("x")).get(5, TimeUnit.SECONDS)).isEqualTo(1L);

        List<FakeCluster.Append> seen = cluster.appendsOn(A);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).producerId()).isEqualTo(seen.get(0).producerId());
        assertThat(seen.get(1).firstSequence()).isEqualTo(seen.get(0).firstSequence());
        assertThat(cluster.records()).containsExactly(Bytes.ofUtf8("x"));
    }

    @Test
    void aSlowCallOnAConnectionThatStillAnswersOthersIsNotAbandoned() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> attempts.getAndIncrement() == 0
                ? new CompletableFuture<>()
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(List.of(peers.get(A)), config -> config.withAttemptTimeout(Duration.ofMillis(300)));

        CompletableFuture<Long> slow = client.append(Bytes.ofUtf8("x"));
        // Other calls keep being answered on the same connection for three attempt timeouts.
        long until = System.nanoTime() + Duration.ofMillis(900).toNanos();
        while (System.nanoTime() < until) {
            client.read(1, 1, Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
        }
        assertThat(cluster.appendsOn(A))
                .as("the slow append was not resent meanwhile")
                .hasSize(1);

        // Once the connection falls silent, the overdue append is abandoned and retried.
        assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(cluster.appendsOn(A)).hasSize(2);
    }

    @Test
    void aLongPollLongerThanTheAttemptTimeoutIsNotCutShort() throws Exception {
        RaftClient client = client(List.of(peers.get(A)), config -> config.withAttemptTimeout(Duration.ofMillis(100)));
        cluster.hook = FakeCluster.APPLY;

        // Nothing at offset 1 for a whole second: the node answers (empty) only then.
        CompletableFuture<List<CommittedRecord>> poll = client.read(1, 10, Duration.ofSeconds(1));

        assertThat(poll.get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void anAppendThatReachesNoNodeFailsDefinitely() {
        RaftClient client = client(
                List.of(Loopback.address(Loopback.freePort())),
                config -> config.withRequestTimeout(Duration.ofMillis(500)));

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessageContaining("the append reached no node");
    }

    /**
     * A leader that no longer remembers the producer cannot tell whether a batch is in the log;
     * retrying cannot tell more. The client fails the call at once (not at its deadline) and
     * continues with a new producer id.
     */
    @Test
    void anUnknownSequenceFailsAtOnceAndTheClientStartsANewProducer() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        cluster.hook = (node, append, apply) -> attempts.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new io.raftlog.api.UnknownSequenceException("forgotten"))
                : CompletableFuture.completedFuture(apply.get());
        RaftClient client = client(List.of(peers.get(A)), config -> config.withRequestTimeout(Duration.ofSeconds(30)));
        long producer = client.producerId();

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isInstanceOf(io.raftlog.api.UnknownSequenceException.class)
                .hasMessageContaining("forgotten");
        assertThat(attempts).as("no retry: it could not tell more").hasValue(1);

        client.append(Bytes.ofUtf8("y")).get(10, TimeUnit.SECONDS);
        FakeCluster.Append last = cluster.appendsOn(A).get(cluster.appendsOn(A).size() - 1);
        assertThat(last.producerId()).isNotEqualTo(producer);
        assertThat(last.firstSequence()).isZero();
    }

    @Test
    void aPersistentOverloadFailsWithOverloaded() {
        cluster.hook = (node, append, apply) -> CompletableFuture.failedFuture(new OverloadedException("full"));
        // The retry comes after the deadline, so the deadline never meets an attempt in flight
        // (whose outcome would be unknown): the call fails with what the node said.
        RaftClient client = client(
                List.of(peers.get(A)),
                config -> config.withRequestTimeout(Duration.ofMillis(500))
                        .withRetryBackoff(Duration.ofMillis(800), Duration.ofMillis(800)));

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isInstanceOf(OverloadedException.class)
                .hasMessage("full");
    }

    @Test
    void aRequestTheNodeCallsInvalidFailsWithIllegalArgument() {
        cluster.hook =
                (node, append, apply) -> CompletableFuture.failedFuture(new IllegalArgumentException("record too big"));
        RaftClient client = client(A);

        assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record too big");
    }

    @Test
    void closingTheClientFailsWhatIsPendingWithWhatItMeans() {
        cluster.hook = (node, append, apply) -> new CompletableFuture<>();
        RaftClient client = client(A);
        CompletableFuture<Long> append = client.append(Bytes.ofUtf8("x"));
        CompletableFuture<List<CommittedRecord>> read = client.read(1, 10, Duration.ofSeconds(30));
        await().atMost(WAIT).until(() -> cluster.appends.size() == 1);

        client.close();

        assertThat(Futures.failure(append)).isInstanceOf(IndeterminateResultException.class);
        assertThat(Futures.failure(read)).isInstanceOf(NodeClosedException.class);
        assertThat(Futures.failure(client.status())).isInstanceOf(NodeClosedException.class);
    }

    @Test
    void aClientOfAnotherClusterIsRefused() {
        try (LogCapture log = LogCapture.start()) {
            RaftClient client = client(
                    List.of(peers.get(A)),
                    config -> new RaftClientConfig(
                            "other",
                            config.seeds(),
                            Duration.ofMillis(500),
                            Duration.ofMillis(500),
                            8,
                            Duration.ZERO,
                            10,
                            1000,
                            Duration.ofMillis(5),
                            Duration.ofMillis(50),
                            Duration.ofSeconds(1),
                            1 << 20,
                            true,
                            null));

            assertThat(Futures.failure(client.append(Bytes.ofUtf8("x"))))
                    .isExactlyInstanceOf(RaftException.class)
                    .hasMessageContaining("refused by the node: cluster id 'other' does not match");
            assertThat(log.hasLine("refused client connection", "cluster id 'other'"))
                    .isTrue();
        }
    }

    // ---- batching and bounds --------------------------------------------------------------------

    @Test
    void appendsWithinTheLingerTravelAsOneIdempotentBatch() throws Exception {
        RaftClient client =
                client(List.of(peers.get(A)), config -> config.withBatching(Duration.ofMillis(200), 1000, 1 << 20));
        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            offsets.add(client.append(Bytes.ofUtf8("r" + i)));
        }

        List<Long> result = new ArrayList<>();
        for (CompletableFuture<Long> offset : offsets) {
            result.add(offset.get(10, TimeUnit.SECONDS));
        }
        assertThat(result).containsExactlyElementsOf(range(1, 50));
        List<FakeCluster.Append> batches = cluster.appendsOn(A);
        assertThat(batches).as("batches for 50 appends").hasSizeLessThanOrEqualTo(2);
        assertConsecutiveSequences(batches, 50);
    }

    @Test
    void aFullBatchLeavesWithoutWaitingForTheLinger() throws Exception {
        RaftClient client =
                client(List.of(peers.get(A)), config -> config.withBatching(Duration.ofSeconds(60), 10, 1 << 20));
        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            offsets.add(client.append(Bytes.ofUtf8("r" + i)));
        }

        CompletableFuture.allOf(offsets.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(cluster.appendsOn(A))
                .hasSize(3)
                .allSatisfy(batch -> assertThat(batch.records()).hasSize(10));
        assertConsecutiveSequences(cluster.appendsOn(A), 30);
    }

    @Test
    void appendAllKeepsItsRecordsTogetherAtConsecutiveOffsets() throws Exception {
        RaftClient client =
                client(List.of(peers.get(A)), config -> config.withBatching(Duration.ofMillis(20), 4, 1 << 20));
        CompletableFuture<List<Long>> three =
                client.appendAll(List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b"), Bytes.ofUtf8("c")));
        CompletableFuture<Long> one = client.append(Bytes.ofUtf8("d"));
        CompletableFuture<List<Long>> two = client.appendAll(List.of(Bytes.ofUtf8("e"), Bytes.ofUtf8("f")));

        assertThat(three.get(10, TimeUnit.SECONDS)).containsExactly(1L, 2L, 3L);
        assertThat(one.get(10, TimeUnit.SECONDS)).isEqualTo(4L);
        assertThat(two.get(10, TimeUnit.SECONDS)).containsExactly(5L, 6L);
        assertThat(cluster.appendsOn(A))
                .extracting(batch -> batch.records().size())
                .containsExactly(4, 2);
    }

    @Test
    void manyRequestsInFlightOnOneConnectionGetTheirOwnAnswers() throws Exception {
        // Answers come back in reverse order: request ids, not arrival order, match them up.
        List<CompletableFuture<List<Long>>> held = new ArrayList<>();
        List<List<Long>> results = new ArrayList<>();
        cluster.hook = (node, append, apply) -> {
            CompletableFuture<List<Long>> answer = new CompletableFuture<>();
            synchronized (held) {
                held.add(answer);
                results.add(apply.get());
            }
            return answer;
        };
        RaftClient client = client(List.of(peers.get(A)), config -> config.withBatching(Duration.ZERO, 1, 1 << 20));
        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            offsets.add(client.append(Bytes.ofUtf8("r" + i)));
        }
        await().atMost(WAIT).until(() -> cluster.appends.size() == 20);
        synchronized (held) {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).complete(results.get(i));
            }
        }

        List<Bytes> log = cluster.records();
        for (int i = 0; i < 20; i++) {
            long offset = offsets.get(i).get(10, TimeUnit.SECONDS);
            assertThat(log.get((int) offset - 1)).isEqualTo(Bytes.ofUtf8("r" + i));
        }
    }

    @Test
    void requestsBeyondTheInFlightBoundAreRefusedAtOnce() throws Exception {
        RaftClient client = client(List.of(peers.get(A)), config -> config.withMaxInFlightRequests(2));
        CompletableFuture<List<CommittedRecord>> first = client.read(1, 10, Duration.ofSeconds(2));
        CompletableFuture<List<CommittedRecord>> second = client.read(1, 10, Duration.ofSeconds(2));

        assertThat(Futures.failure(client.read(1, 10, Duration.ZERO))).isInstanceOf(OverloadedException.class);
        assertThat(Futures.failure(client.status())).isInstanceOf(OverloadedException.class);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(second.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(client.status().get(10, TimeUnit.SECONDS).id()).isEqualTo(A);
    }

    // ---- reads and status -----------------------------------------------------------------------

    @Test
    void readsCommittedRecordsFromAnOffset() throws Exception {
        RaftClient client = client(A);
        for (int i = 1; i <= 5; i++) {
            client.append(Bytes.ofUtf8("r" + i)).get(10, TimeUnit.SECONDS);
        }

        assertThat(client.read(3, 10, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .containsExactly(
                        new CommittedRecord(3, Bytes.ofUtf8("r3")),
                        new CommittedRecord(4, Bytes.ofUtf8("r4")),
                        new CommittedRecord(5, Bytes.ofUtf8("r5")));
        assertThat(client.read(2, 1, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .containsExactly(new CommittedRecord(2, Bytes.ofUtf8("r2")));
        assertThat(client.read(6, 10, Duration.ofMillis(100)).get(10, TimeUnit.SECONDS))
                .isEmpty();
    }

    @Test
    void statusOfEachNode() throws Exception {
        RaftClient client = client(A);
        NodeStatus b = client.status(peers.get(B)).get(10, TimeUnit.SECONDS);
        NodeStatus c = client.status(peers.get(C)).get(10, TimeUnit.SECONDS);

        assertThat(b.id()).isEqualTo(B);
        assertThat(b.role()).isEqualTo(Role.FOLLOWER);
        assertThat(b.leader()).isEqualTo(Optional.of(A));
        assertThat(c.id()).isEqualTo(C);
    }

    @Test
    void theStatusOfAnUnreachableNodeFailsWithoutLookingElsewhere() {
        RaftClient client = client(A);
        assertThat(Futures.failure(client.status(Loopback.address(Loopback.freePort()))))
                .isExactlyInstanceOf(RaftException.class)
                .hasMessageContaining("refused (is a node listening there?)");
    }

    @Test
    void aReadWithoutAnswerFailsWithTimeout() {
        RaftClient client = client(
                List.of(Loopback.address(Loopback.freePort())),
                config -> config.withRequestTimeout(Duration.ofMillis(300)));
        assertThat(Futures.failure(client.read(1, 1, Duration.ZERO))).isInstanceOf(TimeoutException.class);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static List<Long> range(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            values.add(i);
        }
        return values;
    }

    private static void assertConsecutiveSequences(List<FakeCluster.Append> batches, int total) {
        long expected = 0;
        for (FakeCluster.Append batch : batches) {
            assertThat(batch.firstSequence()).isEqualTo(expected);
            expected += batch.records().size();
        }
        assertThat(expected).isEqualTo(total);
    }
}
