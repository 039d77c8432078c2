package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.ack;
import static io.raftlog.core.protocol.TestMessages.append;
import static io.raftlog.core.protocol.TestMessages.appendWithEntries;
import static io.raftlog.core.protocol.TestMessages.only;
import static io.raftlog.core.protocol.TestMessages.responsesFrom;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With pipelining, AppendEntries and their answers may arrive late, twice or out of order. None of
 * that may truncate an entry that matches the leader's log (Raft §5.3: "if an existing entry
 * conflicts with a new one" — only then), move a leader's match index backwards, or let a message of
 * an earlier term count.
 */
class StaleAndReorderedMessagesTest {
    private static final ProtocolConfig RAFT =
            ProtocolConfig.defaults().withPreVote(false).withCheckQuorum(false);

    /**
     * Raft Figure 2: commitIndex = min(leaderCommit, index of last new entry). A follower with an
     * old, uncommitted suffix that a short AppendEntries does not reach must not commit it on the
     * leader's word: the leader's entries at those indexes may differ.
     */
    @Test
    void aFollowerCommitsNoFurtherThanTheLastEntryTheLeaderSent() {
        DrivenNode follower = DrivenNode.withLog(2, 3, RAFT, 1, 1, 1, 1, 1, 1); // 4 and 5 never committed

        follower.step(append(1, 2, 2, 2, 1, 5, 1)); // entry 3 of term 1, which matches; leader commit 5

        assertThat(follower.raft.commitIndex()).isEqualTo(3);
        assertThat(follower.raft.lastIndex()).isEqualTo(5);
    }

    @Test
    void aFollowerNeverLosesAMatchingEntryWhateverTheOrderOfPipelinedAppends() {
        // Four pipelined appends of the leader n1 (term 1), for its log [1, 1, 1].
        List<AppendEntriesRequest> appends = List.of(
                append(1, 2, 1, 0, 0, 0, 1), // entry 1
                append(1, 2, 1, 1, 1, 0, 1), // entry 2
                append(1, 2, 1, 2, 1, 0, 1), // entry 3
                append(1, 2, 1, 0, 0, 0, 1, 1)); // entries 1..2 again (a retransmission)

        for (List<AppendEntriesRequest> order : permutations(appends)) {
            DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
            long lastIndex = 0;
            // Each permutation, then everything again (duplicates, late), then in order.
            List<AppendEntriesRequest> deliveries = new ArrayList<>(order);
            deliveries.addAll(order);
            deliveries.addAll(appends.subList(0, 3));
            for (AppendEntriesRequest request : deliveries) {
                Ready ready = follower.step(request);
                assertThat(follower.raft.lastIndex())
                        .as("%s after %s", order, request)
                        .isGreaterThanOrEqualTo(lastIndex);
                assertThat(follower.terms()).as("%s after %s", order, request).allMatch(term -> term == 1);
                lastIndex = follower.raft.lastIndex();
                for (AppendEntriesResponse response : only(AppendEntriesResponse.class, ready.messagesAfterPersist())) {
                    if (response.success()) {
                        // Nothing is committed here, so what is known to match is what the request carried.
                        assertThat(response.index()).as("ack of %s", request).isEqualTo(request.lastIndex());
                    }
                }
            }
            assertThat(follower.terms()).as("%s", order).containsExactly(1L, 1L, 1L);
        }
    }

    @Test
    void aLateAppendCarryingAnOlderPrefixDoesNotTruncateTheTailItDoesNotMention() {
        DrivenNode follower = DrivenNode.fresh(2, 3, RAFT);
        follower.step(append(1, 2, 1, 0, 0, 0, 1, 1, 1, 1));

        // The first append of the leader's stream arrives last.
        Ready ready = follower.step(append(1, 2, 1, 0, 0, 0, 1));

        assertThat(follower.terms()).containsExactly(1L, 1L, 1L, 1L);
        assertThat(ready.entries()).as("nothing rewritten").isEmpty();
    }

    @Test
    void staleAcknowledgementsNeverMoveTheLeadersMatchIndexBackwards() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        cluster.holdIf(responsesFrom(2));
        for (String record : List.of("x", "y", "z")) {
            cluster.propose(1, record);
            cluster.deliverAll();
        }
        List<RaftMessage> acks = cluster.release(message -> true);
        assertThat(acks)
                .extracting(message -> ((AppendEntriesResponse) message).index())
                .containsExactly(2L, 3L, 4L);

        // Newest first, then the older ones, twice over.
        long match = 0;
        for (RaftMessage ack : List.of(acks.get(2), acks.get(1), acks.get(0), acks.get(2), acks.get(0))) {
            cluster.deliver(ack);
            long now = leader.status().matchIndex().get(id(2));
            assertThat(now).as("after %s", ack).isGreaterThanOrEqualTo(match);
            match = now;
        }
        assertThat(match).isEqualTo(4);

        // A stale rejection (of something before index 4) changes nothing either: n2 stays in the
        // pipeline, and the next two batches go out back to back from index 4.
        cluster.deliver(new AppendEntriesResponse(id(2), id(1), term, false, 2, 1, 1));
        assertThat(leader.status().matchIndex()).containsEntry(id(2), 4L);
        int mark = cluster.sent.size();
        for (String record : List.of("v", "w")) {
            cluster.propose(1, record);
            cluster.deliverAll();
        }
        assertThat(only(AppendEntriesRequest.class, cluster.sent.subList(mark, cluster.sent.size())))
                .filteredOn(appendWithEntries(1, 2)::test)
                .extracting(AppendEntriesRequest::prevLogIndex)
                .containsExactly(4L, 5L);
    }

    @Test
    void anAcknowledgementFromAnEarlierTermChangesNothing() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        for (int n = 1; n <= 3; n++) {
            cluster.setLog(n, 3);
        }
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        assertThat(term).isEqualTo(4);
        long committed = leader.commitIndex();
        cluster.isolate(1);
        long index = cluster.propose(1, "x");
        cluster.deliverAll();

        // An acknowledgement of index 2 sent in term 3 (to a leader of that term, say) is stale.
        cluster.deliver(ack(2, 1, term - 1, index));
        assertThat(leader.status().matchIndex()).containsEntry(id(2), committed);
        assertThat(leader.commitIndex()).isEqualTo(committed);

        // The same acknowledgement in the current term would have committed it.
        cluster.deliver(ack(2, 1, term, index));
        assertThat(leader.commitIndex()).isEqualTo(index);
    }

    @Test
    void aLateVoteRequestOfAnEarlierTermIsIgnored() {
        TestCluster cluster = new TestCluster(3, RAFT);
        for (int n = 1; n <= 3; n++) {
            cluster.setLog(n, 3);
        }
        RaftProtocol leader = cluster.elect(1);
        long term = leader.term();
        cluster.propose(1, "x");
        cluster.deliverAll();
        RaftProtocol follower = cluster.node(2);
        int mark = cluster.sent.size();

        cluster.deliver(TestMessages.vote(3, 2, term - 1, 100, term - 1));

        assertThat(follower.term()).isEqualTo(term);
        assertThat(follower.votedFor()).contains(id(1));
        assertThat(cluster.sent.subList(mark, cluster.sent.size())).isEmpty();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> permutation = new ArrayList<>();
                permutation.add(first);
                permutation.addAll(tail);
                result.add(permutation);
            }
        }
        return result;
    }
}
