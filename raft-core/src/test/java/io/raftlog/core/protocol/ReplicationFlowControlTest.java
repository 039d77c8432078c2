package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static io.raftlog.core.protocol.TestMessages.appendWithEntries;
import static io.raftlog.core.protocol.TestMessages.only;
import static io.raftlog.core.protocol.TestMessages.responsesFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.OverloadedException;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.RaftMessage;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * How a leader feeds its followers: the in-flight window (count and bytes), backing off by the
 * follower's hint after a rejection, the bound on uncommitted bytes, and recovery from a lost
 * AppendEntries (etcd's Progress / Inflights).
 */
class ReplicationFlowControlTest {
    private static final int T = ProtocolConfig.defaults().electionTicks();
    /** A 100-byte payload: its entry counts 124 bytes against limits (payload + 24-byte header estimate). */
    private static final String HUNDRED_BYTES = "x".repeat(100);

    // ------------------------------------------------------------ in-flight window

    @Test
    void atMostMaxInflightMessagesUnacknowledgedAppendsGoToOneFollower() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults().withInflightLimits(2, 64L << 20));
        RaftProtocol leader = cluster.elect(1);
        int mark = cluster.sent.size();
        cluster.holdIf(responsesFrom(2));

        // Five batches, each collected separately, while n2's acknowledgements are held back.
        for (int i = 0; i < 5; i++) {
            cluster.propose(1, "r" + i);
            cluster.deliverAll();
        }
        assertThat(appendsWithEntries(cluster, mark, 2)).hasSize(2);
        assertThat(appendsWithEntries(cluster, mark, 3))
                .as("n3 is not held back")
                .hasSize(5);

        // One acknowledgement frees one slot: the rest goes out in one message.
        List<RaftMessage> acknowledgements = cluster.release(message -> true);
        assertThat(acknowledgements).hasSize(2);
        cluster.deliver(acknowledgements.get(0));
        assertThat(appendsWithEntries(cluster, mark, 2)).hasSize(3);

        cluster.holdIf(message -> false);
        cluster.deliver(acknowledgements.get(1));
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        assertThat(cluster.log(2)).isEqualTo(cluster.log(1));
        assertThat(leader.status().matchIndex()).containsEntry(id(2), leader.lastIndex());
    }

    @Test
    void atMostMaxInflightBytesOfEntriesUnacknowledgedGoToOneFollower() {
        // Room for two 124-byte entries (the count limit is far away).
        ProtocolConfig config = ProtocolConfig.defaults().withInflightLimits(100, 2 * 124);
        TestCluster cluster = new TestCluster(3, config);
        cluster.elect(1);
        int mark = cluster.sent.size();
        cluster.holdIf(responsesFrom(2));

        for (int i = 0; i < 5; i++) {
            cluster.propose(1, HUNDRED_BYTES);
            cluster.deliverAll();
        }

        assertThat(appendsWithEntries(cluster, mark, 2)).hasSize(2);
        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        assertThat(cluster.log(2)).isEqualTo(cluster.log(1));
    }

    // ------------------------------------------------------------ back-off by hint

    @Test
    void aFollowerWithALongConflictingTailIsRepairedInAFewRoundTrips() {
        // n2 holds 60 entries of term 2 that the leader (50 entries of term 3) never had.
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.setLog(1, 3, terms(1, 3, 50));
        cluster.setLog(2, 2, terms(1, 2, 60));
        cluster.setLog(3, 3, terms(1, 3, 50));
        cluster.elect(1);
        cluster.deliverAll();

        assertThat(rejectionsBy(cluster, 2))
                .as("rejections, for 60 conflicting entries")
                .isBetween(1L, 2L);
        assertThat(cluster.terms(2)).isEqualTo(cluster.terms(1));
    }

    @Test
    void aFollowerMissingManyEntriesIsCaughtUpInAFewRoundTrips() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.setLog(1, 3, terms(1, 3, 50));
        cluster.setLog(2, 1, 1);
        cluster.setLog(3, 3, terms(1, 3, 50));
        cluster.elect(1);
        cluster.deliverAll();

        assertThat(rejectionsBy(cluster, 2))
                .as("rejections, for 50 missing entries")
                .isBetween(1L, 2L);
        assertThat(cluster.terms(2)).isEqualTo(cluster.terms(1));
    }

    // ------------------------------------------------------------ overload

    @Test
    void proposalsBeyondMaxUncommittedBytesAreRefusedUntilTheBacklogCommits() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults().withMaxUncommittedBytes(10));
        RaftProtocol leader = cluster.elect(1);
        cluster.holdIf(message -> message instanceof AppendEntriesResponse);

        cluster.propose(1, "12345");
        long lastIndex = leader.lastIndex();
        assertThatThrownBy(() -> cluster.propose(1, "123456")).isInstanceOf(OverloadedException.class);
        assertThat(leader.lastIndex()).as("nothing appended").isEqualTo(lastIndex);
        assertThat(leader.uncommittedBytes()).isEqualTo(5);

        cluster.propose(1, "12345"); // exactly at the limit
        assertThatThrownBy(() -> cluster.propose(1, "1")).isInstanceOf(OverloadedException.class);
        cluster.deliverAll();
        assertThat(leader.uncommittedBytes()).isEqualTo(10);

        // Once the backlog commits, proposals are accepted again.
        cluster.holdIf(message -> false);
        cluster.release(message -> true).forEach(cluster::deliver);
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.uncommittedBytes()).isZero();
        cluster.propose(1, "123456");
        assertThat(leader.uncommittedBytes()).isEqualTo(6);
    }

    @Test
    void aSingleBatchLargerThanTheBoundIsAdmittedWhenNothingIsPending() {
        // Otherwise a record larger than maxUncommittedBytes could never be appended.
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults().withMaxUncommittedBytes(10));
        RaftProtocol leader = cluster.elect(1);

        long index = cluster.propose(1, HUNDRED_BYTES);
        assertThatThrownBy(() -> cluster.propose(1, "1")).isInstanceOf(OverloadedException.class);

        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(index);
    }

    // ------------------------------------------------------------ lost messages

    @Test
    void aLostAppendEntriesIsSentAgainEvenWhenTheLeaderIsIdle() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        RaftProtocol leader = cluster.elect(1);
        cluster.isolate(3); // so only n2 can make a majority with the leader
        cluster.dropIf(once(appendWithEntries(1, 2)));

        long index = cluster.propose(1, "x");
        cluster.deliverAll();
        assertThat(cluster.node(2).lastIndex()).as("the append was lost").isLessThan(index);

        // No further proposal comes; ticking (heartbeats, timers) alone must repair the gap.
        cluster.tickAll(2 * T);

        assertThat(cluster.node(2).lastIndex()).isEqualTo(index);
        assertThat(leader.commitIndex()).isEqualTo(index);
    }

    @Test
    void aLostProbeIsSentAgainAfterTheNextHeartbeat() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.setLog(1, 2, 1, 2);
        cluster.setLog(2, 2, 1);
        cluster.setLog(3, 2, 1, 2);
        cluster.isolate(3);
        cluster.dropIf(once(appendWithEntries(1, 2)));
        RaftProtocol leader = cluster.elect(1);
        assertThat(cluster.node(2).lastIndex()).as("the first probe was lost").isEqualTo(1);

        cluster.tickAll(2);

        assertThat(cluster.terms(2)).isEqualTo(cluster.terms(1));
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
    }

    // ------------------------------------------------------------ helpers

    /** AppendEntries with entries from n1 to node {@code to} since {@code mark} in {@code cluster.sent}. */
    private static List<AppendEntriesRequest> appendsWithEntries(TestCluster cluster, int mark, int to) {
        List<RaftMessage> since = cluster.sent.subList(mark, cluster.sent.size());
        return only(AppendEntriesRequest.class, since).stream()
                .filter(appendWithEntries(1, to)::test)
                .toList();
    }

    private static long rejectionsBy(TestCluster cluster, int n) {
        return only(AppendEntriesResponse.class, cluster.sent).stream()
                .filter(response -> response.from().equals(id(n)) && !response.success())
                .count();
    }

    /** Entry terms: one entry of term 1, then {@code count} entries of {@code term}. */
    private static long[] terms(long first, long term, int count) {
        long[] terms = new long[count + 1];
        Arrays.fill(terms, term);
        terms[0] = first;
        return terms;
    }

    /** Matches only the first message that matches {@code predicate}. */
    private static Predicate<RaftMessage> once(Predicate<RaftMessage> predicate) {
        boolean[] used = {false};
        return message -> {
            if (used[0] || !predicate.test(message)) {
                return false;
            }
            used[0] = true;
            return true;
        };
    }
}
