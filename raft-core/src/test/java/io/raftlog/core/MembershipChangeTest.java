package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Membership changes on real nodes: replacing a dead node, growing and shrinking the cluster. */
class MembershipChangeTest {
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N4 = NodeId.of("n4");

    @Test
    void aDeadNodeIsReplacedByANewOneWithAnEmptyDisk() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            if (leader.id().equals(N3)) {
                leader.transferLeadership(NodeId.of("n1")).get(10, TimeUnit.SECONDS);
                leader = awaitLeaderOtherThan(cluster, N3);
            }
            List<Long> acked = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                acked.add(leader.append(Bytes.ofUtf8("before-" + i)).get(10, TimeUnit.SECONDS));
            }
            cluster.stop(N3); // its machine died

            RaftNode joining = cluster.startJoining(N4);
            Membership withLearner = leader.addLearner(N4, "").get(10, TimeUnit.SECONDS);
            assertThat(withLearner.isLearner(N4)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> joining.commitOffset() >= acked.get(acked.size() - 1));

            final RaftNode current = leader;
            Membership promoted = current.promote(N4).get(10, TimeUnit.SECONDS);
            assertThat(promoted.voters().keySet()).contains(N4);
            Membership replaced = leader.removeMember(N3).get(10, TimeUnit.SECONDS);
            assertThat(replaced.voters().keySet()).containsExactly(NodeId.of("n1"), NodeId.of("n2"), N4);

            for (int i = 0; i < 50; i++) {
                acked.add(leader.append(Bytes.ofUtf8("after-" + i)).get(10, TimeUnit.SECONDS));
            }
            long last = acked.get(acked.size() - 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> joining.commitOffset() >= last);
            List<Long> onN4 = joining.read(1, 1000, Duration.ZERO).get(10, TimeUnit.SECONDS).stream()
                    .map(CommittedRecord::offset)
                    .toList();
            assertThat(onN4)
                    .as("every acknowledged record, once, at its offset")
                    .containsExactlyElementsOf(acked);
            assertThat(joining.membership()).isEqualTo(replaced);
        }
    }

    @Test
    void aPromotedJoinerCanTakeOverLeadership() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long offset = leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            RaftNode joining = cluster.startJoining(N4);
            leader.addLearner(N4, "").get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> joining.commitOffset() >= offset);
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> leader.promote(N4).get(10, TimeUnit.SECONDS).isVoter(N4));

            leader.transferLeadership(N4).get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10))
                    .alias("rule: a promoted joiner is a voter like any other: it can lead")
                    .until(() -> joining.status().role() == io.raftlog.api.Role.LEADER);
            assertThat(joining.append(Bytes.ofUtf8("led by n4")).get(10, TimeUnit.SECONDS))
                    .isGreaterThan(offset);
        }
    }

    @Test
    void aLaggingLearnerIsNotPromotedAndTheReasonIsGiven() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            // n4 is added but never started: it cannot have caught up.
            leader.addLearner(N4, "").get(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> leader.promote(N4).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(MembershipChangeException.class)
                    .hasMessageContaining("has not caught up");
            assertThatThrownBy(() -> leader.removeMember(leader.id()).get(10, TimeUnit.SECONDS))
                    .cause()
                    .hasMessageContaining("transfer leadership");
        }
    }

    /**
     * A leader that stops with a change in flight cannot tell whether it will commit: its followers
     * may hold the entry and the next leader commit it. The caller must hear "indeterminate", not
     * the definite "node closed" that means nothing changed (found by the whole-node simulator).
     */
    @Test
    void aChangeInFlightWhenItsLeaderStopsIsIndeterminateAndMayStillTakeEffect() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS); // an entry of its term is committed
            List<RaftNode> followers = new ArrayList<>(cluster.nodes.values());
            followers.remove(leader);
            for (RaftNode follower : followers) {
                cluster.network.block(follower.id(), leader.id()); // it sends, but hears no acknowledgement
            }
            long before = leader.status().lastIndex();
            java.util.concurrent.CompletableFuture<Membership> change = leader.addLearner(N4, "");
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            followers.stream().allMatch(node -> node.status().lastIndex() > before));
            cluster.stop(leader.id());

            assertThatThrownBy(() -> change.get(10, TimeUnit.SECONDS))
                    .as("the change may still commit: indeterminate, not refused")
                    .cause()
                    .isInstanceOf(io.raftlog.api.IndeterminateResultException.class);
            // And it does: the next leader commits the entry its followers hold.
            RaftNode next = awaitLeaderOtherThan(cluster, leader.id());
            next.append(Bytes.ofUtf8("after")).get(10, TimeUnit.SECONDS);
            assertThat(next.membership().isLearner(N4)).isTrue();
        }
    }

    /**
     * A joining node that restarts before it was added (or before a majority vetted it) is still a
     * new node: a majority of the voters vets it, as at its first start. It was taken for a blank
     * store started as if new, which must wait for every member, and one member down then kept it
     * from ever taking the log (found by the whole-node simulator, seed 36).
     */
    @Test
    void aJoiningNodeRestartedBeforeItWasAddedIsVettedByAMajority() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long last = leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            cluster.startJoining(N4);
            cluster.stop(N4); // restarted (a crash, a deployment) before the operator added it
            NodeId down = cluster.ids.stream()
                    .filter(id -> !id.equals(cluster.awaitLeader().id()))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(down); // and one member is down meanwhile: a majority is still up
            RaftNode joining = cluster.startJoining(N4);

            RaftNode current = cluster.awaitLeader();
            current.addLearner(N4, "").get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> joining.commitOffset() >= last);
        }
    }

    /**
     * A voter down while the cluster replaced two of the three voters it knows comes back with a
     * membership whose other voters are gone: none of them can vet its store, and until vetted it
     * takes no AppendEntries, so it never learns the new membership. Its peers' answers now carry
     * their membership, and it asks the leader that contacts it (found by the whole-node simulator,
     * seeds 190 and 212: learners that never caught up).
     */
    @Test
    void aVoterBackAfterItsPeersWereReplacedIsVettedByTheCurrentVoters() throws Exception {
        NodeId n1 = NodeId.of("n1");
        NodeId n2 = NodeId.of("n2");
        NodeId n5 = NodeId.of("n5");
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            if (leader.id().equals(N3)) {
                leader.transferLeadership(n1).get(10, TimeUnit.SECONDS);
            }
            cluster.stop(N3); // its machine is off for a while
            RaftNode joining4 = cluster.startJoining(N4);
            RaftNode joining5 = cluster.startJoining(n5);
            for (NodeId added : List.of(N4, n5)) {
                RaftNode current = cluster.awaitLeader();
                current.addLearner(added, "").get(10, TimeUnit.SECONDS);
                long last = current.append(Bytes.ofUtf8("for " + added)).get(10, TimeUnit.SECONDS);
                RaftNode learner = added.equals(N4) ? joining4 : joining5;
                await().atMost(Duration.ofSeconds(10)).until(() -> learner.commitOffset() >= last);
                promoteWhenCaughtUp(cluster, added);
            }
            // Replace n1 and n2: removed, then stopped for good.
            for (NodeId gone : List.of(n1, n2)) {
                RaftNode current = cluster.awaitLeader();
                if (current.id().equals(gone)) {
                    current.transferLeadership(N4).get(10, TimeUnit.SECONDS);
                    current = awaitLeaderOtherThan(cluster, gone);
                }
                current.removeMember(gone).get(10, TimeUnit.SECONDS);
                cluster.stop(gone);
            }
            RaftNode current = cluster.awaitLeader();
            long last = current.append(Bytes.ofUtf8("after the replacements")).get(10, TimeUnit.SECONDS);

            RaftNode back = cluster.start(N3); // its log still says the voters are n1, n2 and n3
            await().atMost(Duration.ofSeconds(10)).until(() -> back.commitOffset() >= last);
            assertThat(back.membership().voters().keySet()).containsExactly(N3, N4, n5);
        }
    }

    /**
     * A voter rejoining after a lost disk waits for every other voter it knows; when one of them is
     * removed meanwhile (it was down), the peers that accepted the rejoin already must tell it the
     * membership of now, or it waits for the removed one for ever (found by the whole-node
     * simulator with membership changes, seed 77).
     */
    @Test
    void aRejoiningVoterWaitingForAMemberThatIsRemovedMeanwhileFinishesItsRejoin() throws Exception {
        NodeId n1 = NodeId.of("n1");
        NodeId n2 = NodeId.of("n2");
        NodeId n5 = NodeId.of("n5");
        try (LocalCluster cluster = new LocalCluster(5)) {
            RaftNode leader = cluster.awaitLeader();
            if (!leader.id().equals(n1)) {
                leader.transferLeadership(n1).get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.nodes.get(n1).status().role() == io.raftlog.api.Role.LEADER);
            RaftNode first = cluster.nodes.get(n1);
            long before = first.append(Bytes.ofUtf8("before")).get(10, TimeUnit.SECONDS);
            cluster.stop(n2); // down, and about to be removed
            cluster.stop(n5);
            cluster.wipe(n5); // its disk is lost
            RaftNode rejoining = cluster.start(n5, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> rejoining.status().health() == io.raftlog.api.NodeStatus.Health.REJOINING);

            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                first.removeMember(n2).get(10, TimeUnit.SECONDS);
                return true;
            });
            long after = first.append(Bytes.ofUtf8("after")).get(10, TimeUnit.SECONDS);

            await("the rejoin completes with the voters of now")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> rejoining.status().health() == io.raftlog.api.NodeStatus.Health.HEALTHY
                            && rejoining.commitOffset() >= after);
            assertThat(rejoining.membership().voters().keySet()).containsExactly(n1, N3, N4, n5);
            assertThat(after).isGreaterThan(before);
        }
    }

    /**
     * A voter away while a joiner was added and promoted comes back lagging: its log does not list
     * the joiner. Another voter that saw the promotion is down, and the rest restart, so a leader
     * of the four voters needs the joiner's vote, and the joiner votes only once a majority of the
     * voters vetted its store: the leader and the lagging voter. The lagging voter must answer the
     * joiner although its log does not list it yet, or no leader is ever elected to bring its log
     * up to date (found by the whole-node simulator, seeds 6287, 9075, 11808 and 16656).
     */
    @Test
    void aJoinerPromotedWhileAVoterWasAwayIsVettedByThatVoterToo() throws Exception {
        NodeId n1 = NodeId.of("n1");
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            if (leader.id().equals(N3)) {
                leader.transferLeadership(n1).get(10, TimeUnit.SECONDS);
                leader = awaitLeaderOtherThan(cluster, N3);
            }
            NodeId first = leader.id();
            NodeId other = cluster.ids.stream()
                    .filter(id -> !id.equals(first) && !id.equals(N3))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(N3); // away: it misses the joiner's addition and promotion
            RaftNode joining = cluster.startJoining(N4);
            leader.addLearner(N4, "").get(10, TimeUnit.SECONDS);
            long added = leader.append(Bytes.ofUtf8("with the learner")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> joining.commitOffset() >= added);
            promoteWhenCaughtUp(cluster, N4);
            assertThat(cluster.awaitLeader().membership().isVoter(N4)).isTrue();

            cluster.stop(other); // down for good
            cluster.stop(first);
            cluster.stop(N4);
            RaftNode lagging = cluster.start(N3);
            assertThat(lagging.membership().contains(N4))
                    .as("its log does not list the joiner")
                    .isFalse();
            cluster.start(first);
            cluster.startJoining(N4); // restarted on its store: vetted again

            RaftNode current = cluster.awaitLeader();
            long after = current.append(Bytes.ofUtf8("after the restarts")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> lagging.commitOffset() >= after);
            assertThat(lagging.membership().isVoter(N4)).isTrue();
        }
    }

    private static void promoteWhenCaughtUp(LocalCluster cluster, NodeId learner) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            cluster.awaitLeader().promote(learner).get(10, TimeUnit.SECONDS);
            return true;
        });
    }

    private static RaftNode awaitLeaderOtherThan(LocalCluster cluster, NodeId not) {
        RaftNode[] found = new RaftNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (RaftNode node : cluster.nodes.values()) {
                if (!node.id().equals(not) && node.status().role() == io.raftlog.api.Role.LEADER) {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
