package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.Role;
import io.raftlog.core.protocol.ProtocolConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A leader that stops gracefully hands leadership over instead of leaving the others to time out. */
class GracefulStopTest {

    @Test
    void closingTheLeaderHandsLeadershipToAFollowerAtOnce() throws Exception {
        // n1 (default timeouts) leads first; n2 and n3 time out after 3-6 s, so a new leader
        // within the deadline below can only come from a hand-off, never from a timeout.
        try (LocalCluster cluster = new LocalCluster(
                3,
                config -> config.id().equals(io.raftlog.api.NodeId.of("n1"))
                        ? config
                        : config.withProtocol(ProtocolConfig.defaults().withElectionTicks(300)))) {
            RaftNode leader = awaitAnyLeader(cluster, Duration.ofSeconds(10));
            assertThat(leader.id()).isEqualTo(io.raftlog.api.NodeId.of("n1"));
            long offset = leader.append(Bytes.ofUtf8("before the stop")).get(10, TimeUnit.SECONDS);
            long term = leader.status().term();

            cluster.stop(leader.id());

            RaftNode next = awaitAnyLeader(cluster, Duration.ofSeconds(2));
            assertThat(next.status().term())
                    .as("one term: a transfer, not an election after a timeout")
                    .isEqualTo(term + 1);
            assertThat(next.append(Bytes.ofUtf8("after")).get(10, TimeUnit.SECONDS))
                    .isGreaterThan(offset);
        }
    }

    /** With a long election timeout the first election itself takes a while. */
    private static RaftNode awaitAnyLeader(LocalCluster cluster, Duration atMost) {
        RaftNode[] found = new RaftNode[1];
        await().atMost(atMost).until(() -> {
            for (RaftNode node : cluster.nodes.values()) {
                if (node.status().role() == Role.LEADER) {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
