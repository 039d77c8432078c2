package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The membership on a real 3-node cluster on loopback: what {@link RaftClient#membership()} and
 * each node's status say the members are, and at which addresses; and a removed node hearing of
 * its removal over the peer links.
 */
class NettyMembershipTest {
    private static final NodeId N4 = NodeId.of("n4");

    private LoopbackRaftCluster cluster;
    private RaftClient client;

    @BeforeEach
    void start() {
        cluster = new LoopbackRaftCluster(3);
        cluster.awaitLeader(Duration.ofSeconds(20));
        client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.copyOf(cluster.addresses.values()))
                .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(200)));
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void bootstrapMembersComeWithTheAddressesTheNodesReachThemAt() throws Exception {
        Membership membership = client.membership().get(10, TimeUnit.SECONDS);

        assertThat(cluster.nodes
                        .values()
                        .iterator()
                        .next()
                        .membership()
                        .voters()
                        .values())
                .as("the bootstrap membership records no address")
                .containsOnly("");
        assertThat(membership.voters()).isEqualTo(configuredAddresses());
        assertThat(membership.learners()).isEmpty();
    }

    @Test
    void everyNodesStatusCarriesTheBootstrapConfigurationAtIndexZeroCommitted() throws Exception {
        for (InetSocketAddress address : cluster.addresses.values()) {
            NodeStatus status = client.status(address).get(10, TimeUnit.SECONDS);

            assertThat(status.configuration())
                    .as("the status of %s", status.id())
                    .contains(new NodeStatus.Configuration(new Membership(configuredAddresses(), Map.of()), 0, true));
        }
    }

    @Test
    void aLearnerIsListedAtTheAddressItWasAddedWithInTheMembershipAndInEveryStatus() throws Exception {
        Membership added = client.addLearner(N4, "127.0.0.1:1").get(10, TimeUnit.SECONDS);

        assertThat(added.learners()).isEqualTo(Map.of(N4, "127.0.0.1:1"));
        assertThat(added.voters()).isEqualTo(configuredAddresses());
        assertThat(client.membership().get(10, TimeUnit.SECONDS)).isEqualTo(added);
        long index = leaderStatus().configuration().orElseThrow().index();
        assertThat(index).as("the index of the learner's configuration entry").isGreaterThan(0);
        for (InetSocketAddress address : cluster.addresses.values()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> client.status(address)
                                    .get(10, TimeUnit.SECONDS)
                                    .configuration(),
                            configuration -> configuration.equals(
                                    Optional.of(new NodeStatus.Configuration(added, index, true))));
        }
    }

    @Test
    void aRemovedFollowerReceivesItsRemovalAndStopsTakingItselfForAMember() throws Exception {
        NodeId leader = cluster.awaitLeader(Duration.ofSeconds(20));
        NodeId removed = cluster.followers(leader).get(0);

        Membership after = client.removeMember(removed).get(10, TimeUnit.SECONDS);

        assertThat(after.contains(removed)).isFalse();
        // The leader replicates to the node it removed until the removal commits, so that it learns
        // it and stops campaigning; the transport must not drop the link before.
        await().atMost(Duration.ofSeconds(10))
                .alias(removed + " holds the entry that removed it")
                .until(() -> !cluster.nodes.get(removed).membership().contains(removed));
        assertThat(cluster.nodes
                        .get(removed)
                        .status()
                        .configuration()
                        .orElseThrow()
                        .index())
                .isEqualTo(cluster.nodes
                        .get(leader)
                        .status()
                        .configuration()
                        .orElseThrow()
                        .index());
    }

    private NodeStatus leaderStatus() {
        return cluster.nodes.get(cluster.awaitLeader(Duration.ofSeconds(20))).status();
    }

    /** Every member at the address the transports are configured with, as {@code host:port}. */
    private Map<NodeId, String> configuredAddresses() {
        Map<NodeId, String> addresses = new TreeMap<>();
        cluster.addresses.forEach((id, address) -> addresses.put(id, "127.0.0.1:" + address.getPort()));
        return addresses;
    }
}
