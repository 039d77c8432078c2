package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A member rejoining after a lost disk may have acknowledged, before, entries it no longer holds:
 * until it has caught up, a leader replicates to it but counts none of its acknowledgements.
 */
class RejoiningPeerTest {
    private static final ProtocolConfig RAFT = ProtocolConfig.defaults();

    @Test
    void aCatchingUpPeersAcknowledgementsCountTowardNoCommitUntilItHasCaughtUp() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        long committed = cluster.node(1).commitIndex();
        cluster.node(1).peerCatchingUp(id(3), true);
        cluster.isolate(2);

        cluster.propose(1, "a");
        cluster.deliverAll();

        assertThat(cluster.node(1).status().matchIndex().get(id(3)))
                .as("replicated to n3")
                .isEqualTo(cluster.node(1).lastIndex());
        assertThat(cluster.node(1).commitIndex()).as("committed with n3 alone").isEqualTo(committed);

        cluster.node(1).peerCatchingUp(id(3), false);
        cluster.propose(1, "b");
        cluster.deliverAll();
        assertThat(cluster.node(1).commitIndex()).isEqualTo(cluster.node(1).lastIndex());
    }

    @Test
    void whenACatchingUpPeerHasCaughtUpWhatItAlreadyAcknowledgedCommitsAtOnce() {
        TestCluster cluster = new TestCluster(3, RAFT);
        cluster.elect(1);
        long committed = cluster.node(1).commitIndex();
        cluster.node(1).peerCatchingUp(id(2), true);
        cluster.node(1).peerCatchingUp(id(3), true);
        cluster.propose(1, "a");
        cluster.deliverAll();
        assertThat(cluster.node(1).status().matchIndex().values())
                .as("acknowledged by all")
                .containsOnly(cluster.node(1).lastIndex());
        assertThat(cluster.node(1).commitIndex()).isEqualTo(committed);

        cluster.node(1).peerCatchingUp(id(3), false); // no acknowledgement follows: all are in

        assertThat(cluster.node(1).commitIndex())
                .as("committed without waiting for another acknowledgement")
                .isEqualTo(cluster.node(1).lastIndex());
    }
}
