package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.NodeId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When refusals by peers make a node exit: only when the rest could not form a quorum with it. */
class NodeHealthTest {
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N4 = NodeId.of("n4");

    @Test
    void onePeerRefusingOfThreeIsNotFatalBothAre() {
        assertThat(NodeHealth.fatalRefusal(Map.of(), 3, false, true)).isEmpty();
        assertThat(NodeHealth.fatalRefusal(Map.of(N3, "UNAUTHENTICATED: peer claims to be 'n3'"), 3, false, true))
                .as("the one peer may be the one misconfigured, or an impostor at its address")
                .isEmpty();
        assertThat(NodeHealth.fatalRefusal(
                        Map.of(N2, "WRONG_CLUSTER: cluster 'a'", N3, "WRONG_CLUSTER: cluster 'a'"), 3, false, true))
                .hasValueSatisfying(why -> assertThat(why)
                        .startsWith("2 of its 2 peers refused this node")
                        .contains("peer n2: WRONG_CLUSTER")
                        .contains("peer n3: WRONG_CLUSTER")
                        .endsWith("(check --id, --peers and --cluster-id)"));
    }

    @Test
    void ofFiveTwoRefusingLeaveAQuorumThreeDoNot() {
        Map<NodeId, String> two = Map.of(N2, "UNKNOWN_NODE", N3, "UNKNOWN_NODE");
        assertThat(NodeHealth.fatalRefusal(two, 5, false, true)).isEmpty();
        Map<NodeId, String> three = Map.of(N2, "UNKNOWN_NODE", N3, "UNKNOWN_NODE", N4, "UNKNOWN_NODE");
        assertThat(NodeHealth.fatalRefusal(three, 5, false, true)).isPresent();
    }

    @Test
    void aJoiningNodeNotAddedYetWaitsInsteadOfExiting() {
        Map<NodeId, String> notAdded = Map.of(
                N2, "UNKNOWN_NODE: node 'n4' is not a peer of node 'n2'",
                N3, "UNKNOWN_NODE: node 'n4' is not a peer of node 'n3'");
        assertThat(NodeHealth.fatalRefusal(notAdded, 2, true, false)).isEmpty();
        assertThat(NodeHealth.fatalRefusal(notAdded, 2, false, true))
                .as("not joining: the peers' refusal is a wrong id")
                .isPresent();
    }
}
