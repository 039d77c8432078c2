package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RaftClient against a real 3-node cluster of RaftNodes over NettyTransport on loopback. */
class NettyRaftClusterTest {
    private LoopbackRaftCluster cluster;
    private RaftClient client;

    @BeforeEach
    void start() {
        cluster = new LoopbackRaftCluster(3);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        cluster.close();
    }

    @Test
    void aClientPointedAtAFollowerEndsAtTheLeaderAndReadsItsRecordsBack() throws Exception {
        NodeId leader = cluster.awaitLeader(Duration.ofSeconds(20));
        NodeId follower = cluster.followers(leader).get(0);
        client = client(List.of(cluster.addresses.get(follower)));

        List<CompletableFuture<Long>> offsets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            offsets.add(client.append(Bytes.ofUtf8("record-" + i)));
        }
        List<Long> committed = new ArrayList<>();
        for (CompletableFuture<Long> offset : offsets) {
            committed.add(offset.get(20, TimeUnit.SECONDS));
        }

        assertThat(committed).isSorted().doesNotHaveDuplicates();
        NodeStatus status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.id()).as("the client followed the redirect").isEqualTo(leader);
        List<CommittedRecord> read =
                client.read(committed.get(0), 1000, Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertThat(read)
                .extracting(CommittedRecord::payload)
                .startsWith(Bytes.ofUtf8("record-0"), Bytes.ofUtf8("record-1"));
    }

    @Test
    void theClientFollowsANewLeaderAfterTheOldOneStops() throws Exception {
        NodeId first = cluster.awaitLeader(Duration.ofSeconds(20));
        client = client(List.copyOf(cluster.addresses.values()));
        long before = client.append(Bytes.ofUtf8("before")).get(20, TimeUnit.SECONDS);

        cluster.nodes.remove(first).close();
        long after = client.append(Bytes.ofUtf8("after")).get(20, TimeUnit.SECONDS);

        assertThat(after).isGreaterThan(before);
        NodeStatus status = client.status().get(10, TimeUnit.SECONDS);
        assertThat(status.id()).isNotEqualTo(first);
        assertThat(status.commitIndex()).isGreaterThanOrEqualTo(after);
    }

    private static RaftClient client(List<java.net.InetSocketAddress> seeds) {
        return new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, seeds)
                .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(200)));
    }
}
