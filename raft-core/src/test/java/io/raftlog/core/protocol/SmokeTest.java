package io.raftlog.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Role;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void threeNodesElectALeaderAndCommit() {
        TestCluster cluster = new TestCluster(3, ProtocolConfig.defaults());
        cluster.elect(1);
        long first = cluster.propose(1, "a", "b", "c");
        cluster.deliverAll();
        cluster.tickAll();
        assertThat(first).isEqualTo(2);
        for (int n = 1; n <= 3; n++) {
            assertThat(cluster.node(n).commitIndex()).as("n" + n).isEqualTo(4);
            assertThat(cluster.log(n)).isEqualTo(cluster.log(1));
        }
        assertThat(cluster.node(2).role()).isEqualTo(Role.FOLLOWER);
    }
}
