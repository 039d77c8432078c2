package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.transport.netty.FakeCluster;
import io.raftlog.transport.netty.Futures;
import io.raftlog.transport.netty.Loopback;
import io.raftlog.transport.netty.NettyTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where RaftClient's reads go: linearizable by default, served by any node a leader confirms, past
 * nodes that cannot confirm one (a {@link FakeCluster} member cut off from its peers lags and
 * refuses them), at once for the first round of nodes; committed reads as before; the leader
 * learned from a status or a hint, not only from an append.
 */
class RaftClientReadTest {
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

    /** A client with a minute of back-off: only the immediate moves to another node finish in time. */
    private RaftClient client(List<NodeId> seeds, UnaryOperator<RaftClientConfig> tweak) {
        RaftClientConfig config = RaftClientConfig.of(
                        Loopback.CLUSTER, seeds.stream().map(peers::get).toList())
                .withRetryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .withConnectTimeout(Duration.ofSeconds(1));
        RaftClient client = new RaftClient(tweak.apply(config));
        clients.add(client);
        return client;
    }

    private RaftClient client(NodeId... seeds) {
        return client(List.of(seeds), UnaryOperator.identity());
    }

    /** Appends {@code count} records r1, r2… through the leader, with a client of its own. */
    private void append(int count) throws Exception {
        try (RaftClient producer = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.of(peers.get(A))))) {
            int first = cluster.records().size() + 1;
            for (int i = first; i < first + count; i++) {
                producer.append(Bytes.ofUtf8("r" + i)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<Long> offsets(List<CommittedRecord> records) {
        return records.stream().map(CommittedRecord::offset).toList();
    }

    @Test
    void aConsumeOnlyClientWhoseFirstSeedIsCutOffReadsEveryAcknowledgedRecord() throws Exception {
        append(2);
        cluster.cutOff(B);
        append(3);
        RaftClient consumer = client(B, C, A);

        assertThat(offsets(consumer.read(1, 100, Duration.ZERO).get(10, TimeUnit.SECONDS)))
                .as("rule: a read is linearizable by default and never returns a cut-off node's stale prefix")
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(cluster.readIndexesOn(B))
                .as("the cut-off node was asked and refused")
                .isEqualTo(1);
        assertThat(cluster.readsOn(B)).isEmpty();
        assertThat(offsets(consumer.read(peers.get(B), 1, 100, Duration.ZERO).get(10, TimeUnit.SECONDS)))
                .as("while a committed read from it returns what it holds")
                .containsExactly(1L, 2L);
    }

    @Test
    void aReadIndexMovesPastEveryNodeThatCannotConfirmALeaderWithoutBackingOff() throws Exception {
        append(5);
        cluster.cutOff(B);
        cluster.cutOff(C);
        RaftClient consumer = client(B, C, A);

        assertThat(consumer.readIndex().get(5, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(List.of(cluster.readIndexes.toArray())).containsExactly(B, C, A);
    }

    @Test
    void theNextLinearizableCallGoesToTheNodeThatServedTheLast() throws Exception {
        append(5);
        cluster.cutOff(B);
        RaftClient consumer = client(B, C, A);
        consumer.readIndex().get(5, TimeUnit.SECONDS);
        cluster.readIndexes.clear();

        consumer.read(1, 10, Duration.ZERO).get(5, TimeUnit.SECONDS);
        consumer.readIndex().get(5, TimeUnit.SECONDS);

        assertThat(List.of(cluster.readIndexes.toArray())).containsExactly(C, C);
    }

    @Test
    void aNodeThatNamesTheLeaderSendsTheReadThereAndLaterReadsFollow() throws Exception {
        append(3);
        cluster.refuseLinearizableReads(B, Optional.of(A));
        RaftClient consumer = client(B);

        assertThat(offsets(consumer.read(2, 10, Duration.ZERO).get(5, TimeUnit.SECONDS)))
                .containsExactly(2L, 3L);
        assertThat(consumer.read(1, 10, Duration.ZERO, ReadConsistency.COMMITTED)
                        .get(5, TimeUnit.SECONDS))
                .hasSize(3);
        assertThat(cluster.readsOn(A)).as("both served by the leader B named").hasSize(2);
        assertThat(cluster.readsOn(B)).isEmpty();
    }

    @Test
    void aLinearizableReadFromOneGivenCutOffNodeFailsRatherThanReturnItsStalePrefix() throws Exception {
        append(2);
        cluster.cutOff(B);
        append(3);
        RaftClient consumer = client(A);

        Throwable failure =
                Futures.failure(consumer.read(peers.get(B), 3, 10, Duration.ZERO, ReadConsistency.LINEARIZABLE));

        assertThat(failure)
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining("node b could not confirm a leader for a linearizable read");
        assertThat(cluster.readIndexesOn(A) + cluster.readIndexesOn(C))
                .as("no other node asked")
                .isZero();
    }

    @Test
    void whenNoNodeCanConfirmALeaderTheReadFailsAtItsDeadlineSayingWhatEachNodeSaid() throws Exception {
        append(2);
        for (NodeId id : List.of(A, B, C)) {
            cluster.refuseLinearizableReads(id, Optional.empty());
        }
        RaftClient consumer = client(
                List.of(A, B, C),
                config -> config.withRequestTimeout(Duration.ofMillis(500))
                        .withRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(50)));

        for (Throwable failure :
                List.of(Futures.failure(consumer.read(1, 10, Duration.ZERO)), Futures.failure(consumer.readIndex()))) {
            assertThat(failure)
                    .isInstanceOf(NotLeaderException.class)
                    .hasMessageContaining("within the request timeout of 500 ms");
            for (NodeId id : List.of(A, B, C)) {
                InetSocketAddress address = peers.get(id);
                assertThat(failure)
                        .hasMessageContaining(address.getHostString() + ":" + address.getPort() + " (" + id + "): node "
                                + id + " could not confirm a leader");
            }
        }
        assertThat(cluster.readIndexesOn(A)).as("retried after a back-off").isGreaterThan(1);
    }

    @Test
    void committedReadsServeTheNodesOwnPrefixAsBefore() throws Exception {
        append(2);
        cluster.cutOff(B);
        append(3);
        RaftClient consumer = client(B);

        assertThat(offsets(consumer.read(1, 100, Duration.ZERO, ReadConsistency.COMMITTED)
                        .get(5, TimeUnit.SECONDS)))
                .containsExactly(1L, 2L);
        assertThat(consumer.read(3, 100, Duration.ZERO, ReadConsistency.COMMITTED)
                        .get(5, TimeUnit.SECONDS))
                .as("a lagging node's committed page may be empty below the high watermark")
                .isEmpty();
        assertThat(cluster.readIndexes).isEmpty();
    }

    @Test
    void aStatusFromTheLeaderTeachesReadsWhereItIs() throws Exception {
        append(2);
        RaftClient consumer = client(B, C, A);

        consumer.status(peers.get(A)).get(5, TimeUnit.SECONDS);
        consumer.read(1, 10, Duration.ZERO, ReadConsistency.COMMITTED).get(5, TimeUnit.SECONDS);
        consumer.read(1, 10, Duration.ZERO).get(5, TimeUnit.SECONDS);

        assertThat(cluster.readsOn(A)).hasSize(2);
        assertThat(cluster.reads).hasSize(2);
    }

    @Test
    void aFollowersStatusNamingALeaderTheClientHasReachedTeachesItToo() throws Exception {
        append(2);
        RaftClient consumer = client(C, B, A);
        consumer.status(peers.get(A)).get(5, TimeUnit.SECONDS); // the client has shaken hands with A...
        cluster.electLeader(B);
        consumer.status(peers.get(B)).get(5, TimeUnit.SECONDS); // ... and B leads now: learned
        cluster.electLeader(A);

        consumer.status(peers.get(C)).get(5, TimeUnit.SECONDS); // C names A

        consumer.read(1, 10, Duration.ZERO, ReadConsistency.COMMITTED).get(5, TimeUnit.SECONDS);
        assertThat(cluster.readsOn(A)).hasSize(1);
    }
}
