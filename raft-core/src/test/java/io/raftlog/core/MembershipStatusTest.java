package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftNode#status()} names the membership in effect on each node: its voters and learners,
 * the index of the configuration entry it comes from, and whether that entry is committed.
 */
class MembershipStatusTest {
    private static final NodeId N4 = NodeId.of("n4");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void beforeAnyChangeEveryNodeReportsTheBootstrapVotersAtIndexZeroCommitted() {
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader();

            for (RaftNode node : cluster.nodes.values()) {
                assertThat(node.status().configuration())
                        .as(node.id().value())
                        .contains(new NodeStatus.Configuration(Membership.ofVoters(cluster.ids), 0, true));
            }
        }
    }

    @Test
    void aCommittedChangeIsReportedWithItsEntryOnTheLeaderAndThenOnEveryFollower() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);

            Membership withLearner = leader.addLearner(N4, "127.0.0.1:7004").get(10, TimeUnit.SECONDS);

            NodeStatus.Configuration onLeader = leader.status().configuration().orElseThrow();
            assertThat(onLeader.membership()).isEqualTo(withLearner);
            assertThat(onLeader.committed())
                    .as("the change completed: its entry is committed")
                    .isTrue();
            assertThat(onLeader.index())
                    .isGreaterThan(0)
                    .isLessThanOrEqualTo(leader.status().commitIndex());
            for (RaftNode node : cluster.nodes.values()) {
                await().atMost(WAIT)
                        .alias(node.id() + " reports the new configuration, committed")
                        .until(() -> node.status().configuration().orElseThrow(), onLeader::equals);
            }
        }
    }

    @Test
    void aChangeNotYetCommittedIsInEffectAndReportedAsUncommittedUntilItCommits() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS); // an entry of its term is committed
            List<RaftNode> followers = new ArrayList<>(cluster.nodes.values());
            followers.remove(leader);
            for (RaftNode follower : followers) {
                cluster.network.block(follower.id(), leader.id()); // it receives, but its answers are lost
            }

            CompletableFuture<Membership> change = leader.addLearner(N4, "");

            // Raft thesis §4.1: a configuration takes effect as soon as its entry is in the log.
            NodeStatus.Configuration pending = await().atMost(WAIT)
                    .until(
                            () -> leader.status().configuration().orElseThrow(),
                            configuration -> configuration.membership().isLearner(N4));
            assertThat(pending.committed()).isFalse();
            assertThat(pending.index()).isGreaterThan(leader.status().commitIndex());

            // Its answers heard again, this leader commits the entry (or, had it stepped down for
            // want of answers meanwhile, the next leader does: the followers hold it).
            cluster.network.heal();
            await().atMost(WAIT)
                    .alias("the same entry, now committed")
                    .until(
                            () -> leader.status().configuration().orElseThrow(),
                            new NodeStatus.Configuration(pending.membership(), pending.index(), true)::equals);
            change.handle((membership, error) -> null).get(10, TimeUnit.SECONDS);
        }
    }
}
