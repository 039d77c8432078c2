package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code raftlog status}'s JSON line, and {@code delete-records}' one option. */
class StatusCommandTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 7001);
    private static final NodeStatus LEADER = new NodeStatus(
            NodeId.of("n1"), Role.LEADER, 3, Optional.of(NodeId.of("n1")), 120, 121, Map.of(NodeId.of("n1"), 121L));

    @Test
    void theLogsExtentAndSnapshotsFollowTheOffsets() {
        NodeStatus status = LEADER.withLog(new NodeStatus.Log(20, 4096, 100, 2048, 1_000_000, 2, 1));

        assertThat(StatusCommand.json(ADDRESS, status, 1_002_500))
                .isEqualTo("{\"id\":\"n1\",\"address\":\"127.0.0.1:7001\",\"role\":\"LEADER\",\"term\":3,"
                        + "\"leader\":\"n1\",\"commitOffset\":120,\"lastOffset\":121,"
                        + "\"logStartOffset\":20,\"logBytes\":4096,\"snapshotOffset\":100,\"snapshotBytes\":2048,"
                        + "\"snapshotAgeMs\":2500,\"snapshotsSent\":2,\"snapshotsReceived\":1,"
                        + "\"health\":\"HEALTHY\",\"matchOffsets\":{\"n1\":121}}");
    }

    @Test
    void beforeItsFirstSnapshotANodeHasNoSnapshotAge() {
        assertThat(StatusCommand.json(ADDRESS, LEADER, 1_000))
                .contains("\"logStartOffset\":1,\"logBytes\":0,\"snapshotOffset\":0,\"snapshotBytes\":0,"
                        + "\"snapshotAgeMs\":null,\"snapshotsSent\":0,\"snapshotsReceived\":0,");
    }

    @Test
    void aSnapshotStampedAheadOfThisClockIsZeroOld() {
        NodeStatus status = LEADER.withLog(new NodeStatus.Log(1, 0, 10, 10, 5_000, 0, 0));
        assertThat(StatusCommand.json(ADDRESS, status, 4_000)).contains("\"snapshotAgeMs\":0,");
    }

    @Test
    void theMembershipInEffectComesLastWithItsEntryAndEveryMembersAddress() {
        Membership membership = Membership.ofVoters(List.of(NodeId.of("n1"), NodeId.of("n2")))
                .withAddress(NodeId.of("n1"), "127.0.0.1:7001")
                .withLearner(NodeId.of("n4"), "127.0.0.1:7004");
        NodeStatus status = LEADER.withConfiguration(new NodeStatus.Configuration(membership, 118, false));

        assertThat(StatusCommand.json(ADDRESS, status, 1_000))
                .endsWith("\"matchOffsets\":{\"n1\":121},\"membership\":{\"index\":118,\"committed\":false,"
                        + "\"voters\":{\"n1\":\"127.0.0.1:7001\",\"n2\":null},"
                        + "\"learners\":{\"n4\":\"127.0.0.1:7004\"}}}");
    }

    @Test
    void aNodeThatDoesNotReportItsMembershipHasNoMembershipField() {
        assertThat(LEADER.configuration()).isEmpty();
        assertThat(StatusCommand.json(ADDRESS, LEADER, 1_000)).doesNotContain("membership");
    }

    @Test
    void deleteRecordsNeedsAnOffsetOfAtLeastOne() {
        List<String> args = List.of("delete-records", "--servers", "127.0.0.1:7001", "--before", "20");
        assertThat(((DeleteRecordsCommand) LogOptionsTest.subcommand(args)).before)
                .isEqualTo(20);
        for (String bad : List.of("0", "-3", "twenty")) {
            assertThatThrownBy(() -> LogOptionsTest.subcommand(
                            List.of("delete-records", "--servers", "127.0.0.1:7001", "--before", bad)))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("--before")
                    .hasMessageContaining("expected an offset >= 1, got '" + bad + "'");
        }
        assertThatThrownBy(() -> LogOptionsTest.subcommand(List.of("delete-records", "--servers", "127.0.0.1:7001")))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--before");
    }
}
