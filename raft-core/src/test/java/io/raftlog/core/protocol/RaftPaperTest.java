package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.append;
import static io.raftlog.core.protocol.TestMessages.granted;
import static io.raftlog.core.protocol.TestMessages.heartbeat;
import static io.raftlog.core.protocol.TestMessages.only;
import static io.raftlog.core.protocol.TestMessages.responsesFrom;
import static io.raftlog.core.protocol.TestMessages.vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.spi.storage.HardState;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Raft paper's rules, grouped by its sections (like etcd's {@code raft_paper_test.go}): the
 * behaviours and considerations of the project's seed notes (seeds/000), one test each, under the
 * section that states the rule. Where the notes depart from Raft the tests follow Raft and say so.
 * Most tests use raw Raft (no PreVote, no CheckQuorum) so a timeout leads straight to a candidacy
 * in a new term, as in the paper.
 *
 * <p>"Thread safe", a consideration of the notes, is met by confinement: one event loop owns a
 * protocol instance, and {@code ProtocolPurityTest} keeps threads, locks and clocks out of the
 * protocol package.
 */
class RaftPaperTest {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false);
    private static final int T = RAFT.electionTicks();

    /** Raft §5.1: every node starts as a follower; messages are handled in the order they arrive. */
    @Nested
    class RaftBasics {
        @Test
        // seed notes, behaviour 1
        void aNodeStartsAsAFollower() {
            DrivenNode node = DrivenNode.fresh(1, 3, ProtocolConfig.defaults());
            assertThat(node.raft.role()).isEqualTo(Role.FOLLOWER);
            assertThat(node.raft.term()).isZero();
            assertThat(node.raft.leader()).isEmpty();

            // A leader that restarts comes back as a follower too: it must win an election again.
            TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
            cluster.elect(1);
            assertThat(cluster.restart(1).role()).isEqualTo(Role.FOLLOWER);
        }

        @Test
        // seed notes, behaviour 11
        void messagesAreHandledInArrivalOrder() {
            // An AppendEntries of term 2 from n2, then a vote request of term 2 from n3 (whose log is empty).
            AppendEntriesRequest fromLeader = append(2, 1, 2, 0, 0, 0, 2);
            VoteRequest fromCandidate = vote(3, 1, 2, 0, 0);

            // Append first: the follower now knows n2 leads term 2 and holds an entry of term 2, so it
            // refuses n3 (one leader per term; n3's log is not up to date).
            DrivenNode appendFirst = DrivenNode.fresh(1, 3, RAFT);
            appendFirst.step(fromLeader);
            Ready answer = appendFirst.step(fromCandidate);
            assertThat(appendFirst.terms()).containsExactly(2L);
            assertThat(answer.messagesAfterPersist()).containsExactly(TestMessages.refused(1, 3, 2));

            // The same two messages the other way round: the vote is handled first and granted.
            DrivenNode voteFirst = DrivenNode.fresh(1, 3, RAFT);
            assertThat(voteFirst.step(fromCandidate).messagesAfterPersist()).containsExactly(granted(1, 3, 2));
        }
    }

    /** Raft §5.2: timeouts, votes, candidacies and how a candidate or leader yields to a newer term. */
    @Nested
    class LeaderElection {
        @Test
        // seed notes, behaviour 2
        void aFollowerVotesForACandidateOfANewTerm() {
            DrivenNode voter = DrivenNode.fresh(1, 3, RAFT);

            Ready ready = voter.step(vote(2, 1, 1, 0, 0));

            assertThat(ready.messagesAfterPersist()).containsExactly(granted(1, 2, 1));
            // Figure 2: the vote is persisted (with the term) before the grant leaves.
            assertThat(ready.hardState()).contains(new HardState(1, Optional.of(id(2))));
            assertThat(voter.raft.votedFor()).contains(id(2));
        }

        @Test
        // seed notes, behaviour 3
        void aFollowerDoesNotVoteForASecondCandidateInTheSameTerm() {
            // Raft §5.2: at most one vote per term. The seed's "second vote notice" is read as a request
            // from a different candidate; a repeated request from the same candidate is granted again
            // (its first answer may have been lost).
            DrivenNode voter = DrivenNode.fresh(1, 3, RAFT);
            voter.step(vote(2, 1, 1, 0, 0));

            Ready second = voter.step(vote(3, 1, 1, 0, 0));
            Ready repeated = voter.step(vote(2, 1, 1, 0, 0));

            assertThat(second.messagesAfterPersist()).containsExactly(TestMessages.refused(1, 3, 1));
            assertThat(repeated.messagesAfterPersist()).containsExactly(granted(1, 2, 1));
            assertThat(voter.raft.votedFor()).contains(id(2));
        }

        @Test
        // seed notes, behaviour 4
        void aHeartbeatResetsTheElectionTimer() {
            DrivenNode follower = DrivenNode.fresh(1, 3, RAFT);
            follower.step(heartbeat(2, 1, 1));

            // Given heartbeats just under T ticks apart, for 4 * (T - 1) ticks in all: more than the
            // longest randomized timeout (2T - 1), so without the reset the follower would campaign.
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < T - 1; i++) {
                    follower.tick();
                    assertThat(follower.raft.role())
                            .as("after %d rounds", round)
                            .isEqualTo(Role.FOLLOWER);
                }
                follower.step(heartbeat(2, 1, 1));
            }
            assertThat(4 * (T - 1)).isGreaterThan(2 * T - 1);

            // When the heartbeats stop, it campaigns within its timeout.
            for (int i = 0; i < 2 * T; i++) {
                follower.tick();
            }
            assertThat(follower.raft.role()).isEqualTo(Role.CANDIDATE);
        }

        @Test
        // seed notes, behaviour 5
        void aFollowerThatHearsNothingForItsElectionTimeoutBecomesACandidateOfTheNextTerm() {
            // (With PreVote, the default, it is first a PRE_CANDIDATE and raises its term only once a
            // majority would vote for it; here raw Raft.)
            DrivenNode node = DrivenNode.fresh(1, 3, RAFT);
            int ticks = 0;
            Ready ready = null;
            while (node.raft.role() == Role.FOLLOWER && ticks < 2 * T) {
                ready = node.tick();
                ticks++;
            }

            assertThat(node.raft.role()).isEqualTo(Role.CANDIDATE);
            assertThat(ticks).isBetween(T, 2 * T - 1);
            assertThat(node.raft.term()).isEqualTo(1);
            assertThat(ready.hardState()).contains(new HardState(1, Optional.of(id(1))));
        }

        @Test
        // seed notes, behaviour 6
        void aCandidateVotesForItselfAndAsksEveryOtherNodeForItsVote() {
            DrivenNode node = DrivenNode.withLog(1, 3, RAFT, 1, 1, 1);
            node.drive();
            Ready ready = node.tickUntil(raft -> raft.role() != Role.FOLLOWER, 2 * T);

            assertThat(node.raft.votedFor()).contains(id(1));
            assertThat(ready.hardState()).contains(new HardState(2, Optional.of(id(1))));
            // The requests name its last log entry (2, term 1) and wait for the self-vote to be durable.
            assertThat(ready.messages()).isEmpty();
            assertThat(ready.messagesAfterPersist())
                    .containsExactly(
                            new VoteRequest(id(1), id(2), 2, 2, 1, false, false),
                            new VoteRequest(id(1), id(3), 2, 2, 1, false, false));
        }

        @Test
        // seed notes, behaviour 7
        void aCandidateHearingFromALeaderOfAHigherTermBecomesItsFollower() {
            DrivenNode candidate = candidateOfTerm1(3);

            candidate.step(append(2, 1, 3, 0, 0, 0));

            assertThat(candidate.raft.role()).isEqualTo(Role.FOLLOWER);
            assertThat(candidate.raft.term()).isEqualTo(3);
            assertThat(candidate.raft.leader()).contains(id(2));
            assertThat(candidate.raft.votedFor()).isEmpty();
        }

        @Test
        // seed notes, behaviour 8
        void aCandidateWhoseElectionTimesOutStartsANewElection() {
            // The seed says "reverts to a follower"; Raft §5.2 says a candidate whose election times out
            // (e.g. a split vote) increments its term and starts a new election. We follow Raft.
            DrivenNode candidate = candidateOfTerm1(3);
            Ready ready = null;
            int ticks = 0;
            while (candidate.raft.term() == 1 && ticks < 2 * T) {
                ready = candidate.tick();
                ticks++;
                assertThat(candidate.raft.role()).isEqualTo(Role.CANDIDATE);
            }

            assertThat(candidate.raft.term()).isEqualTo(2);
            assertThat(candidate.raft.votedFor()).contains(id(1));
            assertThat(only(VoteRequest.class, ready.messagesAfterPersist()))
                    .extracting(VoteRequest::term)
                    .containsExactly(2L, 2L);
        }

        @Test
        // seed notes, behaviour 9
        void aCandidateWithTheVotesOfAMajorityBecomesLeader() {
            DrivenNode candidate = candidateOfTerm1(5);

            candidate.step(granted(2, 1, 1));
            candidate.step(granted(2, 1, 1)); // a duplicated grant counts once
            assertThat(candidate.raft.role()).as("2 of 5 votes").isEqualTo(Role.CANDIDATE);

            candidate.step(granted(3, 1, 1));
            assertThat(candidate.raft.role()).as("3 of 5 votes").isEqualTo(Role.LEADER);
            assertThat(candidate.raft.leader()).contains(id(1));
        }

        @Test
        // seed notes, behaviour 10
        void aCandidateHearingFromTheLeaderOfItsOwnTermBecomesAFollowerAndAppends() {
            DrivenNode candidate = candidateOfTerm1(3);

            Ready ready = candidate.step(append(2, 1, 1, 0, 0, 0, 1));

            assertThat(candidate.raft.role()).isEqualTo(Role.FOLLOWER);
            assertThat(candidate.raft.leader()).contains(id(2));
            assertThat(candidate.terms()).containsExactly(1L);
            assertThat(ready.messagesAfterPersist())
                    .containsExactly(new AppendEntriesResponse(id(1), id(2), 1, true, 1, 0, 0));
        }

        @Test
        // seed notes, behaviour 14
        void aLeaderHearingFromALeaderOfAHigherTermBecomesItsFollower() {
            TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
            RaftProtocol leader = cluster.elect(1);
            long term = leader.term();

            cluster.deliver(append(2, 1, term + 1, leader.lastIndex(), leader.lastTerm(), 0));

            assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
            assertThat(leader.term()).isEqualTo(term + 1);
            assertThat(leader.leader()).contains(id(2));
        }

        @Test
        // seed notes, considerations
        void electionTimeoutsAreRandomizedWithinTAnd2T() {
            Set<Integer> timeouts = new HashSet<>();
            for (long seed = 0; seed < 50; seed++) {
                int timeout = ticksUntilCandidate(DrivenNode.seeded(1, 3, RAFT, seed));
                assertThat(timeout).as("seed %d", seed).isBetween(T, 2 * T - 1);
                assertThat(ticksUntilCandidate(DrivenNode.seeded(1, 3, RAFT, seed)))
                        .as("replay of seed %d", seed)
                        .isEqualTo(timeout);
                timeouts.add(timeout);
            }
            assertThat(timeouts).as("distinct timeouts over 50 seeds").hasSizeGreaterThan(T / 2);
        }
    }

    /** Raft §5.3: consistency checks, conflict truncation, back-off and commitment. */
    @Nested
    class LogReplication {
        @Test
        // seed notes, behaviour 12
        void aFollowerNeverLetsACommittedEntryBeOverwrittenButTruncatesUncommittedConflicts() {
            // The seed says "ignores a request that would overwrite an old entry". Raft §5.3 says a
            // follower deletes a conflicting entry and all that follow; a committed entry can never
            // conflict with a legitimate leader (Leader Completeness), so a request that contradicts
            // one is not applied.
            DrivenNode follower = DrivenNode.fresh(1, 3, RAFT);
            follower.step(append(2, 1, 1, 0, 0, 2, 1, 1)); // entries 1..2 of term 1, committed
            assertThat(follower.raft.commitIndex()).isEqualTo(2);

            follower.step(append(3, 1, 2, 0, 0, 0, 2, 2));
            follower.step(append(3, 1, 2, 0, 0, 0, 2, 2, 2));
            assertThat(follower.terms()).containsExactly(1L, 1L);

            // Uncommitted entries that conflict with the leader are truncated, with everything after them.
            DrivenNode other = DrivenNode.withLog(1, 3, RAFT, 1, 1, 1, 1);
            other.step(append(2, 1, 2, 1, 1, 1, 2));
            assertThat(other.terms()).containsExactly(1L, 2L);
        }

        @Test
        // seed notes, behaviour 13
        void aFollowerIgnoresAnAppendFromALeaderOfALowerTerm() {
            DrivenNode follower = DrivenNode.fresh(1, 3, RAFT);
            follower.step(heartbeat(2, 1, 2));

            Ready ready = follower.step(append(3, 1, 1, 0, 0, 1, 1));

            assertThat(follower.terms()).isEmpty();
            assertThat(follower.raft.term()).isEqualTo(2);
            assertThat(follower.raft.leader()).contains(id(2));
            // It answers with its own term so the stale leader steps down (Figure 2: reply false).
            assertThat(ready.messages()).containsExactly(new AppendEntriesResponse(id(1), id(3), 2, false, 0, 0, 0));

            // Nor does the stale leader keep it from timing out.
            for (int i = 0; i < 2 * T && follower.raft.role() == Role.FOLLOWER; i++) {
                follower.step(append(3, 1, 1, 0, 0, 0));
                follower.tick();
            }
            assertThat(follower.raft.role()).isEqualTo(Role.CANDIDATE);
        }

        @Test
        // seed notes, behaviour 15
        void aFollowerRejectsAnAppendWhosePreviousEntryDoesNotMatch() {
            // The follower's log is longer than the leader's [1, 1, 3] and conflicts with it from index 3.
            DrivenNode follower = DrivenNode.withLog(1, 3, RAFT, 2, 1, 1, 2, 2);

            Ready ready = follower.step(append(2, 1, 3, 3, 3, 0, 3));

            assertThat(only(AppendEntriesResponse.class, ready.messagesAfterPersist()))
                    .containsExactly(new AppendEntriesResponse(id(1), id(2), 3, false, 3, 3, 2));
            assertThat(follower.terms()).containsExactly(1L, 1L, 2L, 2L);

            // A previous index beyond its log is rejected too, hinting at its last entry.
            Ready beyond = follower.step(append(2, 1, 3, 6, 3, 0, 3));
            assertThat(beyond.messagesAfterPersist())
                    .containsExactly(new AppendEntriesResponse(id(1), id(2), 3, false, 6, 4, 2));
        }

        @Test
        // seed notes, behaviour 16
        void onARejectionTheLeaderBacksOffAndResendsFromAnEarlierIndex() {
            TestCluster cluster = new TestCluster(3, RAFT);
            cluster.setLog(1, 3, 1, 1, 3);
            cluster.setLog(2, 3, 1, 1, 2, 2, 2, 2);
            cluster.setLog(3, 3, 1, 1, 3);
            cluster.elect(1);

            List<AppendEntriesRequest> toN2 = only(AppendEntriesRequest.class, cluster.sent).stream()
                    .filter(request -> request.to().equals(id(2)))
                    .toList();
            List<AppendEntriesResponse> fromN2 = only(AppendEntriesResponse.class, cluster.sent).stream()
                    .filter(responsesFrom(2)::test)
                    .toList();
            assertThat(toN2).extracting(AppendEntriesRequest::prevLogIndex).containsExactly(3L, 2L);
            assertThat(fromN2).extracting(AppendEntriesResponse::success).containsExactly(false, true);
            assertThat(cluster.terms(2)).isEqualTo(cluster.terms(1)).containsExactly(1L, 1L, 3L, 4L);
        }

        @Test
        // seed notes, behaviour 17
        void anEntryCommitsOnceAMajorityHasAcknowledgedIt() {
            TestCluster cluster = new TestCluster(5, ProtocolConfig.defaults());
            RaftProtocol leader = cluster.elect(1);
            cluster.holdIf(message -> message instanceof AppendEntriesResponse);

            long index = cluster.propose(1, "x");
            cluster.deliverAll();
            cluster.release(responsesFrom(2)).forEach(cluster::deliver);
            assertThat(leader.commitIndex()).as("leader and n2: 2 of 5").isLessThan(index);

            cluster.release(responsesFrom(3)).forEach(cluster::deliver);
            assertThat(leader.commitIndex()).as("leader, n2 and n3: 3 of 5").isEqualTo(index);
        }

        @Test
        // seed notes, considerations
        void leadersNeverOverwriteOrDeleteTheirOwnEntries() {
            TestCluster cluster = new TestCluster(3, RAFT);
            cluster.setLog(1, 2, 1, 2, 2);
            cluster.setLog(2, 2, 1, 2, 2);
            cluster.setLog(3, 2, 1, 1, 1, 1, 1); // longer, but older: it conflicts from index 2
            RaftProtocol leader = cluster.elect(1);
            List<LogEntry> before = cluster.log(1);

            // The conflict is resolved by overwriting the follower, never the leader.
            cluster.deliverAll();
            assertThat(cluster.log(3)).isEqualTo(cluster.log(1));
            // A stale leader's conflicting entries and a longer candidate of the same term change nothing.
            long term = leader.term();
            cluster.deliver(append(3, 1, term - 1, 0, 0, 0, 1, 1, 1, 1, 1, 1));
            cluster.deliver(vote(2, 1, term, 9, term));
            assertThat(cluster.log(1)).isEqualTo(before);
            // An append claiming its own term means election safety is broken: stop rather than obey.
            assertThatThrownBy(() -> leader.step(append(2, 1, term, 0, 0, 0, 1)))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(cluster.log(1)).isEqualTo(before);
        }
    }

    /** Raft §5.2 and §5.4: nothing is decided without a majority. */
    @Nested
    class Safety {
        @Test
        // seed notes, considerations
        void aMajorityIsNeededToElectALeaderAndToCommit() {
            TestCluster cluster = new TestCluster(5, RAFT);
            for (int n : new int[] {3, 4, 5}) {
                cluster.cut(1, n);
                cluster.cut(2, n);
            }
            assertThat(cluster.campaignUntilLeader(1, 10))
                    .as("n1 with n2's vote only")
                    .isFalse();

            cluster.heal();
            assertThat(cluster.campaignUntilLeader(1, 3))
                    .as("n1 once it reaches a majority")
                    .isTrue();
            RaftProtocol leader = cluster.node(1);
            cluster.holdIf(message ->
                    message instanceof AppendEntriesRequest && !message.to().equals(id(2)));
            long index = cluster.propose(1, "x");
            cluster.deliverAll();
            assertThat(cluster.node(2).lastIndex()).isEqualTo(index);
            assertThat(leader.commitIndex()).as("on n1 and n2 only").isLessThan(index);

            cluster.holdIf(message -> false);
            cluster.release(message -> true).forEach(cluster::deliver);
            cluster.deliverAll();
            assertThat(leader.commitIndex()).isEqualTo(index);
        }
    }

    /** Raft §8: a follower redirects a client to the leader. */
    @Nested
    class ClientInteraction {
        @Test
        // seed notes, considerations
        void aFollowerRedirectsAProposalToTheLeader() {
            TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
            DrivenNode lonely = DrivenNode.fresh(1, 3, ProtocolConfig.defaults());
            assertThatThrownBy(() -> lonely.raft.propose(List.of(Bytes.ofUtf8("x"))))
                    .isInstanceOfSatisfying(
                            NotLeaderException.class,
                            e -> assertThat(e.leaderHint()).isEmpty());

            cluster.elect(1);
            long lastIndex = cluster.node(2).lastIndex();
            assertThatThrownBy(() -> cluster.propose(2, "x"))
                    .isInstanceOfSatisfying(
                            NotLeaderException.class,
                            e -> assertThat(e.leaderHint()).contains(id(1)));
            assertThat(cluster.node(2).lastIndex()).isEqualTo(lastIndex);
        }
    }

    // ------------------------------------------------------------ helpers

    /** Node n1 of a cluster of {@code size}, timed out into a candidacy for term 1. */
    private static DrivenNode candidateOfTerm1(int size) {
        DrivenNode node = DrivenNode.fresh(1, size, RAFT);
        ticksUntilCandidate(node);
        assertThat(node.raft.term()).isEqualTo(1);
        return node;
    }

    private static int ticksUntilCandidate(DrivenNode node) {
        int ticks = 0;
        while (node.raft.role() != Role.CANDIDATE) {
            node.tick();
            ticks++;
            if (ticks > 10 * T) {
                throw new AssertionError("no candidacy after " + ticks + " ticks");
            }
        }
        return ticks;
    }
}
