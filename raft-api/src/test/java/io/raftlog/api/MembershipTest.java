package io.raftlog.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N4 = NodeId.of("n4");

    @Test
    void roundTripsThroughItsEntryPayload() {
        Membership membership = new Membership(Map.of(N1, "h1:9000", N2, ""), Map.of(N4, "[::1]:9004 é"));

        assertThat(Membership.decode(membership.encode())).isEqualTo(membership);
        assertThat(membership.toString()).isEqualTo("voters [n1@h1:9000, n2], learners [n4@[::1]:9004 é]");
    }

    @Test
    void changesGoOneNodeAtATime() {
        Membership start = Membership.ofVoters(List.of(N1, N2));
        Membership added = start.withLearner(N4, "h4");
        Membership promoted = added.promote(N4);

        assertThat(added.isLearner(N4)).isTrue();
        assertThat(promoted.isVoter(N4)).isTrue();
        assertThat(promoted.quorum()).isEqualTo(2);
        assertThat(promoted.without(N1).voters().keySet()).containsExactly(N2, N4);
        assertThatThrownBy(() -> start.promote(N4)).hasMessageContaining("add it as a learner first");
        assertThatThrownBy(() -> added.withLearner(N4, "")).hasMessageContaining("already a learner");
        assertThatThrownBy(() -> Membership.ofVoters(List.of(N1)).without(N1)).hasMessageContaining("last voter");
        assertThatThrownBy(() -> new Membership(Map.of(N1, ""), Map.of(N1, ""))).hasMessageContaining("both");
    }

    @Test
    void malformedPayloadsAreRefusedWithWhatIsWrong() {
        byte[] good = Membership.ofVoters(List.of(N1)).encode().toByteArray();
        byte[] version = good.clone();
        version[0] = 9;
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);

        assertThatThrownBy(() -> Membership.decode(Bytes.wrap(version))).hasMessageContaining("version 9");
        assertThatThrownBy(() -> Membership.decode(Bytes.wrap(truncated))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Membership.decode(Bytes.wrap(trailing))).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Membership.decode(Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
    }
}
