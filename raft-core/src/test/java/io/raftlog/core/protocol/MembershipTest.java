package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.VoteRequest;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Membership changes one node at a time (Raft thesis §4.2): configuration entries take effect on
 * append, learners replicate without voting, a change waits for the leader's first commit of its
 * term and for the previous change, and a removed node cannot disrupt the cluster.
 */
class MembershipTest {
    private static final int T = ProtocolConfig.defaults().electionTicks();

    @Test
    void aLearnerReceivesTheLogButCountsTowardNoQuorum() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        RaftProtocol learner = cluster.addNode(4);

        long index = leader.proposeMembership(leader.membership().withLearner(id(4), "host4:9000"));
        cluster.deliverAll();
        long x = cluster.propose(1, "x");
        cluster.deliverAll();

        assertThat(leader.membership().isLearner(id(4))).isTrue();
        assertThat(learner.membership())
                .as("rule: the learner learned its membership from the log")
                .isEqualTo(leader.membership());
        assertThat(learner.entries(index, 10, Long.MAX_VALUE).get(0).type()).isEqualTo(EntryType.CONFIGURATION);
        assertThat(learner.lastIndex()).isEqualTo(x);

        cluster.isolate(2);
        cluster.isolate(3);
        long y = cluster.propose(1, "y");
        cluster.deliverAll();
        assertThat(learner.lastIndex()).isEqualTo(y);
        assertThat(leader.commitIndex())
                .as("rule: a learner's acknowledgement counts for nothing")
                .isEqualTo(x);

        cluster.heal();
        for (int i = 0; i < 4 * T; i++) {
            learner.tick();
            cluster.deliverAll();
        }
        assertThat(learner.role()).as("rule: a learner never campaigns").isEqualTo(Role.FOLLOWER);
        assertThat(only(VoteRequest.class, cluster.sent))
                .noneMatch(request -> request.from().equals(id(4)));
    }

    @Test
    void aPromotedLearnerVotesAndCountsAndTheQuorumGrows() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();
        cluster.tickAll(ProtocolConfig.defaults().heartbeatTicks());

        leader.proposeMembership(leader.membership().promote(id(4)));
        cluster.deliverAll();

        assertThat(leader.membership().voters().keySet()).containsExactly(id(1), id(2), id(3), id(4));
        cluster.isolate(3);
        cluster.isolate(4);
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.commitIndex())
                .as("rule: with 4 voters a quorum is 3; n1 and n2 are not enough")
                .isLessThan(x);
        cluster.heal();
        cluster.tickAll(T); // the appends lost to the cut are sent again
        assertThat(leader.commitIndex()).isEqualTo(x);
    }

    @Test
    void aLearnerThatHasNotCaughtUpIsNotPromoted() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        cluster.isolate(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();

        assertThatThrownBy(() -> leader.proposeMembership(leader.membership().promote(id(4))))
                .as("rule: promoting a learner that lags would hold up commits")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("promote learner n4")
                .hasMessageContaining("has not caught up");
        assertThat(leader.membership().isLearner(id(4))).isTrue();
    }

    @Test
    void oneChangeAtATimeAndOnlyOnceTheLeaderCommittedInItsTerm() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.holdIf(message -> message instanceof AppendEntriesResponse);
        cluster.campaign(1);
        RaftProtocol leader = cluster.node(1);
        assertThat(leader.role()).isEqualTo(Role.LEADER);

        assertThatThrownBy(() -> leader.proposeMembership(leader.membership().withLearner(id(4), "")))
                .as("rule: no change before the leader committed an entry of its own term")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("has not committed an entry of its term");

        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        cluster.holdIf(message -> message instanceof AppendEntriesResponse);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();

        assertThatThrownBy(() -> leader.proposeMembership(leader.membership().withLearner(id(5), "")))
                .as("rule: one change at a time: the previous one must be committed")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("is not committed yet");
        assertThatThrownBy(() -> leader.proposeMembership(Membership.ofVoters(java.util.List.of(id(1), id(2), id(3)))
                        .withLearner(id(4), "")
                        .withLearner(id(5), "")))
                .isInstanceOf(MembershipChangeException.class);
    }

    @Test
    void changesThatAreNotOneSafeStepAreRefusedWithTheReason() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        Membership current = leader.membership();

        assertThatThrownBy(() ->
                        leader.proposeMembership(current.withLearner(id(4), "").promote(id(4))))
                .hasMessageContaining("add it as a learner, let it catch up, then promote it");
        assertThatThrownBy(() -> leader.proposeMembership(current.without(id(1))))
                .hasMessageContaining("transfer leadership to another voter first");
        assertThatThrownBy(() -> leader.proposeMembership(current.without(id(2)).without(id(3))))
                .hasMessageContaining("one change at a time");
        assertThatThrownBy(() -> leader.proposeMembership(current)).hasMessageContaining("nothing to change");

        // n3 is down: removing n2 would leave voters n1 and n3 with only n1 answering.
        cluster.isolate(3);
        for (int i = 0; i < T; i++) {
            leader.tick();
            cluster.deliverAll();
        }
        assertThatThrownBy(() -> leader.proposeMembership(current.without(id(2))))
                .as("rule: a change that leaves no live quorum is refused")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("only [n1] answer");
        leader.proposeMembership(current.without(id(3)));
        cluster.deliverAll();
        assertThat(leader.membership().voters().keySet()).containsExactly(id(1), id(2));
    }

    /**
     * A voter rejoining after a lost disk answers the leader, but its acknowledgements count for
     * nothing until it caught up, and it grants no vote: shrinking the voters to a set whose quorum
     * needs it could leave the cluster without a leader for good, should this one lose leadership
     * before it commits the change. Found by the whole-node simulator (seeds 44 and 166).
     */
    @Test
    void aVoterChangeIsRefusedWhenItsQuorumWouldNeedAVoterStillCatchingUp() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.tickAll(ProtocolConfig.defaults().heartbeatTicks()); // everyone answers
        leader.peerCatchingUp(id(3), true); // n3 lost its disk and rejoins

        assertThatThrownBy(() -> leader.proposeMembership(leader.membership().without(id(2))))
                .as("rule: a voter catching up makes no quorum of the new voters")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("only [n1] answer");

        leader.peerCatchingUp(id(3), false);
        leader.proposeMembership(leader.membership().without(id(2)));
        cluster.deliverAll();
        assertThat(leader.membership().voters().keySet()).containsExactly(id(1), id(3));
    }

    /**
     * A new leader has heard from no follower yet: one that is down must not count as live for a
     * voter change just because the leadership is young. Here n3 is down from before the
     * election; removing n2 would leave n1 and a dead n3. Found by the whole-node simulator (seed
     * 44: the change was accepted three ticks into a term, with the remaining voter down).
     */
    @Test
    void aNewLeaderCountsOnlyTheFollowersItHeardFromAsLive() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.isolate(3);
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(x);

        assertThatThrownBy(() -> leader.proposeMembership(leader.membership().without(id(2))))
                .as("rule: a follower not heard from in this term is not live")
                .isInstanceOf(MembershipChangeException.class)
                .hasMessageContaining("only [n1] answer");
    }

    @Test
    void aRemovedVoterCannotDisruptTheCluster() {
        TestCluster cluster = new TestCluster(
                3, ProtocolConfig.defaults().withCheckQuorum(false).withPreVote(false));
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        long term = leader.term();
        cluster.isolate(3); // it never hears that it was removed
        leader.proposeMembership(leader.membership().without(id(3)));
        cluster.deliverAll();
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.commitIndex())
                .as("n1 and n2 are a quorum of two voters")
                .isEqualTo(x);

        cluster.heal();
        RaftProtocol removed = cluster.node(3);
        for (int i = 0; i < 6 * T; i++) {
            removed.tick();
            cluster.deliverAll();
        }

        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.term())
                .as("rule: a removed node's vote requests change no one's term")
                .isEqualTo(term);
        assertThat(cluster.node(2).term()).isEqualTo(term);
    }

    /**
     * Raft thesis §4.1: a server votes for a candidate its configuration does not list as a voter
     * yet, or adding a server could leave the cluster unable to elect a leader. Here n3 missed n4's
     * promotion (and n2's removal): to it n4 is a learner, yet n4 needs its vote once n1 is down.
     * Found by the whole-node simulator (seed 269: no leader ever again).
     */
    @Test
    void aVoterThatMissedAPromotionStillVotesForThePromotedNode() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();
        cluster.tickAll(ProtocolConfig.defaults().heartbeatTicks());
        cluster.isolate(3); // it misses what follows
        leader.proposeMembership(leader.membership().promote(id(4)));
        cluster.deliverAll();
        long removal = leader.proposeMembership(leader.membership().without(id(2)));
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isGreaterThanOrEqualTo(removal);

        cluster.heal();
        cluster.isolate(1); // the leader goes down; n2, removed, is stopped
        cluster.isolate(2);
        RaftProtocol n3 = cluster.node(3);
        RaftProtocol n4 = cluster.node(4);
        assertThat(n3.membership().isLearner(id(4))).isTrue();
        for (int i = 0; i < 10 * T && n4.role() != Role.LEADER; i++) {
            n3.tick();
            n4.tick();
            cluster.deliverAll();
        }
        assertThat(n4.role())
                .as("rule: n4, a voter in its log, gets the vote of n3, which still takes it for a learner")
                .isEqualTo(Role.LEADER);
    }

    /**
     * The same with n3 missing n4's addition too: to n3, n4 is no member at all, yet its vote is
     * the only one n4 can win with (n2, removed, is gone). A vote request from a node this node's
     * membership does not list is answered when the candidate's log is ahead of this node's (it
     * may hold the entry that added it); one from a node whose log is not ahead — a removed node
     * that missed its removal — is still ignored.
     */
    @Test
    void aVoterThatMissedAnAdditionAndPromotionStillVotesForTheNewNode() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.isolate(3); // it misses everything that follows
        cluster.addNode(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();
        cluster.tickAll(ProtocolConfig.defaults().heartbeatTicks());
        cluster.deliverAll();
        leader.proposeMembership(leader.membership().promote(id(4)));
        cluster.deliverAll();
        long removal = leader.proposeMembership(leader.membership().without(id(2)));
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isGreaterThanOrEqualTo(removal);

        cluster.heal();
        cluster.isolate(1);
        cluster.isolate(2);
        RaftProtocol n3 = cluster.node(3);
        RaftProtocol n4 = cluster.node(4);
        assertThat(n3.membership().contains(id(4))).isFalse();
        for (int i = 0; i < 10 * T && n4.role() != Role.LEADER; i++) {
            n3.tick();
            n4.tick();
            cluster.deliverAll();
        }
        assertThat(n4.role())
                .as("rule: n4, whose log is ahead of n3's, gets the vote of n3, to which it is no member")
                .isEqualTo(Role.LEADER);
    }

    /**
     * Raft thesis §4.2.2: a node whose log removes it, uncommitted, may still be needed to elect a
     * leader. Here n1 proposed n2's removal and only n2 got it before n1 was cut off: n2's log is
     * the most up to date, so n3 and n4 (two of the four old voters) cannot win without its vote,
     * which it refuses them; n2 must campaign itself, win with the new membership's voters (n3,
     * n4), commit its own removal and step down. Found by the whole-node simulator (seed 251).
     */
    @Test
    void aNodeWhoseUncommittedRemovalOnlyItHoldsStillCampaignsAndStepsDownOnceItCommits() {
        TestCluster cluster = new TestCluster(4, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.propose(1, "x");
        cluster.deliverAll();
        cluster.isolate(3);
        cluster.isolate(4);
        long removal = leader.proposeMembership(leader.membership().without(id(2)));
        cluster.deliverAll();
        RaftProtocol n2 = cluster.node(2);
        assertThat(n2.lastIndex()).isEqualTo(removal);
        assertThat(leader.commitIndex()).isLessThan(removal);

        cluster.heal();
        cluster.isolate(1); // the leader is gone; n3 and n4 never saw the removal
        RaftProtocol n3 = cluster.node(3);
        RaftProtocol n4 = cluster.node(4);
        long termBefore = n2.term();
        for (int i = 0; i < 30 * T; i++) {
            n2.tick();
            n3.tick();
            n4.tick();
            cluster.deliverAll();
            if ((n3.role() == Role.LEADER || n4.role() == Role.LEADER) && n3.commitIndex() >= removal) {
                break;
            }
        }
        assertThat(n3.role() == Role.LEADER || n4.role() == Role.LEADER)
                .as("rule: n2, whose removal is not committed, campaigns, commits it and steps down;"
                        + " then n3 or n4 leads")
                .isTrue();
        assertThat(n2.term()).isGreaterThan(termBefore);
        assertThat(n3.commitIndex()).isGreaterThanOrEqualTo(removal);
        assertThat(n2.role()).isNotEqualTo(Role.LEADER);
        assertThat(n3.membership().contains(id(2))).isFalse();
    }

    @Test
    void aNodeStopsCampaigningOnceItsLogSaysItWasRemoved() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        // n3 receives the entry that removes it: the leader replicates to it until it commits.
        long change = leader.proposeMembership(leader.membership().without(id(3)));
        cluster.deliverAll();
        RaftProtocol removed = cluster.node(3);
        assertThat(removed.membership().contains(id(3))).isFalse();
        assertThat(leader.commitIndex()).isGreaterThanOrEqualTo(change);
        assertThat(leader.status().matchIndex())
                .as("rule: once the removal commits, the leader stops replicating to it")
                .doesNotContainKey(id(3));

        cluster.isolate(3);
        for (int i = 0; i < 6 * T; i++) {
            removed.tick();
        }
        cluster.deliverAll();
        assertThat(removed.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aConfigurationTakesEffectOnAppendAndIsUndoneWhenItsEntryIsTruncated() {
        TestCluster cluster = new TestCluster(5, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        // Only n2 receives the change: n1 cannot commit it, and then loses its leadership.
        cluster.cut(1, 3);
        cluster.cut(1, 4);
        cluster.cut(1, 5);
        long change = leader.proposeMembership(leader.membership().withLearner(id(6), ""));
        cluster.deliverAll();
        assertThat(cluster.node(2).membership().isLearner(id(6)))
                .as("rule: in effect on append, before it is committed")
                .isTrue();
        assertThat(leader.commitIndex()).isLessThan(change);

        cluster.isolate(1);
        int winner = 0;
        for (int i = 0; i < 10 * T && winner == 0; i++) {
            for (int n = 3; n <= 5; n++) {
                cluster.node(n).tick();
            }
            cluster.deliverAll();
            for (int n = 3; n <= 5; n++) {
                if (cluster.node(n).role() == Role.LEADER) {
                    winner = n;
                }
            }
        }
        assertThat(winner)
                .as("one of n3..n5, which never saw the change, leads")
                .isNotZero();
        cluster.propose(winner, "overwrite");
        cluster.deliverAll();

        assertThat(cluster.node(2).membership().contains(id(6)))
                .as("rule: a configuration whose entry is truncated no longer applies")
                .isFalse();
        assertThat(cluster.node(2).membershipIndex()).isZero();
    }

    @Test
    void theMembershipSurvivesARestartAndCompaction() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        long change = leader.proposeMembership(leader.membership().withLearner(id(4), "h4:1"));
        cluster.deliverAll();
        Membership expected = leader.membership();

        RaftProtocol restarted = cluster.restart(2);
        assertThat(restarted.membership())
                .as("rule: read back from the log on restart")
                .isEqualTo(expected);
        assertThat(restarted.membershipIndex()).isEqualTo(change);

        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(leader.membershipAt(change - 1).contains(id(4))).isFalse();
        cluster.compact(1, x);
        assertThat(leader.membership())
                .as("rule: compaction keeps the membership")
                .isEqualTo(expected);
        assertThat(leader.membershipAt(x)).isEqualTo(expected);
        assertThat(Set.copyOf(leader.status().matchIndex().keySet())).contains(id(4));
    }

    @Test
    void anAddressChangeAndALearnersRemovalAreOneStepEach() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), "a:1"));
        cluster.deliverAll();

        leader.proposeMembership(leader.membership().withAddress(id(2), "b:2"));
        cluster.deliverAll();
        assertThat(cluster.node(3).membership().addressOf(id(2))).isEqualTo("b:2");
        assertThatThrownBy(() -> leader.proposeMembership(
                        new Membership(leader.membership().voters(), java.util.Map.of()).withLearner(id(2), "")))
                .isInstanceOf(IllegalArgumentException.class);
        Membership demoted =
                new Membership(java.util.Map.of(id(1), "", id(3), ""), java.util.Map.of(id(2), "b:2", id(4), "a:1"));
        assertThatThrownBy(() -> leader.proposeMembership(demoted))
                .as("rule: a voter is not made a learner in one step")
                .hasMessageContaining("remove it, then add it as a learner");

        leader.proposeMembership(leader.membership().without(id(4)));
        cluster.deliverAll();
        assertThat(leader.membership().contains(id(4))).isFalse();
        assertThat(leader.status().matchIndex()).doesNotContainKey(id(4));
    }

    @Test
    void aSnapshotsMembershipReplacesTheBaseAndAnOlderOneIsIgnored() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        long x = cluster.propose(1, "x");
        cluster.deliverAll();
        Membership recorded = leader.membership().withLearner(id(9), "z:9");
        RaftProtocol follower = cluster.node(2);

        follower.restoreMembership(x, recorded);
        assertThat(follower.membership()).isEqualTo(recorded);
        assertThat(follower.membershipIndex()).isEqualTo(x);
        follower.restoreMembership(x - 1, Membership.ofVoters(java.util.List.of(id(1))));
        assertThat(follower.membership())
                .as("an older snapshot changes nothing")
                .isEqualTo(recorded);
        assertThatThrownBy(() -> follower.membershipAt(x - 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNonLeaderRefusesChangesAndTransfersToLearners() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.deliverAll();
        cluster.addNode(4);
        leader.proposeMembership(leader.membership().withLearner(id(4), ""));
        cluster.deliverAll();

        assertThatThrownBy(() ->
                        cluster.node(2).proposeMembership(leader.membership().without(id(4))))
                .isInstanceOf(io.raftlog.api.NotLeaderException.class);
        assertThatThrownBy(() -> leader.transferLeadership(id(4))).hasMessageContaining("a learner cannot lead");
        assertThatThrownBy(() -> leader.transferLeadership(id(7))).hasMessageContaining("not a member");
    }
}
