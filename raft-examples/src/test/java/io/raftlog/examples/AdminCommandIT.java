package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReadConsistency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog admin members|add-learner|promote|remove|transfer-leader} in child JVMs, as an
 * operator runs them, against a three-node cluster (the default store, Netty) in this JVM: what each prints,
 * that each change happened, and that each refusal exits non-zero with one {@code error:} line
 * saying what to do.
 */
class AdminCommandIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private InProcessCluster cluster;
    private NodeProcesses commands;

    @BeforeEach
    void startThreeNodes() throws Exception {
        cluster = new InProcessCluster(data.resolve("nodes"), "n1", "n2", "n3");
        commands = new NodeProcesses(data.resolve("commands"), 0);
    }

    @AfterEach
    void stop() {
        commands.close();
        cluster.close();
    }

    @Test
    void membersListsEveryVoterWithItsAddressAndMarksTheLeader() throws Exception {
        String leader = cluster.leader();

        NodeProcesses.Run members = admin("members");

        assertThat(members.exitCode()).as(members.toString()).isZero();
        assertThat(members.stdout().lines())
                .as("bootstrapped from --peers, the members are listed at the addresses the nodes reach them at")
                .containsExactly(line("n1", "voter", leader), line("n2", "voter", leader), line("n3", "voter", leader));
    }

    @Test
    void aJoiningNodeIsAddedAsALearnerCatchesUpAndIsPromotedToAVoter() throws Exception {
        List<Long> offsets = cluster.client
                .appendAll(IntStream.range(0, 100)
                        .mapToObj(i -> Bytes.ofUtf8("r" + i))
                        .toList())
                .get(30, TimeUnit.SECONDS);
        cluster.join("n4", List.of("n1", "n2", "n3"));
        String leader = cluster.leader();

        NodeProcesses.Run added = admin("add-learner", "--id", "n4", "--address", cluster.address("n4"));

        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.stdout().lines())
                .as(added.toString())
                .containsExactly(
                        line("n1", "voter", leader),
                        line("n2", "voter", leader),
                        line("n3", "voter", leader),
                        line("n4", "learner", leader));
        long last = offsets.get(offsets.size() - 1);
        Awaitility.await().atMost(WAIT).until(() -> cluster.status("n4").commitIndex() >= last);
        // Its commit index may run ahead of what it has applied (reads serve up to the applied
        // index), so wait until a read shows the records rather than reading once.
        Awaitility.await()
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(cluster.client
                                .read(cluster.addresses.get("n4"), 1, 1000, Duration.ZERO, ReadConsistency.COMMITTED)
                                .get(30, TimeUnit.SECONDS))
                        .as("the learner holds every record")
                        .extracting(CommittedRecord::offset)
                        .containsExactlyElementsOf(offsets));

        NodeProcesses.Run promoted = admin("promote", "--id", "n4");

        assertThat(promoted.exitCode()).as(promoted.toString()).isZero();
        assertThat(promoted.stdout().lines()).as(promoted.toString()).contains(line("n4", "voter", leader));
        Membership membership = cluster.membership();
        assertThat(membership.voters().keySet()).containsExactly(node("n1"), node("n2"), node("n3"), node("n4"));
        assertThat(membership.learners()).isEmpty();

        // raftlog status shows it on every node, once each knows the entry committed.
        long index = cluster.status(leader).configuration().orElseThrow().index();
        for (String id : List.of("n1", "n2", "n3", "n4")) {
            Awaitility.await()
                    .atMost(WAIT)
                    .until(
                            () -> cluster.status(id).configuration().orElseThrow(),
                            configuration -> configuration.committed() && configuration.index() == index);
        }
        NodeProcesses.Run status = commands.run("status", "--servers", cluster.servers());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        String voters = List.of("n1", "n2", "n3", "n4").stream()
                .map(id -> "\"" + id + "\":\"" + cluster.address(id) + "\"")
                .collect(java.util.stream.Collectors.joining(","));
        assertThat(status.stdout().lines())
                .hasSize(4)
                .allSatisfy(line -> assertThat(line)
                        .endsWith(",\"membership\":{\"index\":" + index + ",\"committed\":true,\"voters\":{" + voters
                                + "},\"learners\":{}}}"));
    }

    @Test
    void removeTakesAFollowerOut() throws Exception {
        String leader = cluster.leader();
        String follower = followers(leader).get(0);

        NodeProcesses.Run removed = admin("remove", "--id", follower);

        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        List<String> rest = new ArrayList<>(List.of("n1", "n2", "n3"));
        rest.remove(follower);
        assertThat(removed.stdout().lines())
                .as(removed.toString())
                .containsExactly(line(rest.get(0), "voter", leader), line(rest.get(1), "voter", leader));
        assertThat(cluster.membership().contains(node(follower))).isFalse();

        // The removed node heard of it: its own status no longer lists it (it may never learn that
        // the entry committed: nobody replicates to it any more).
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> !cluster.status(follower)
                        .configuration()
                        .orElseThrow()
                        .membership()
                        .contains(node(follower)));
        NodeProcesses.Run status = commands.run("status", "--servers", cluster.address(follower));
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout())
                .as(status.toString())
                .contains("\"voters\":{\"" + rest.get(0) + "\":\"" + cluster.address(rest.get(0)) + "\",\""
                        + rest.get(1) + "\":\"" + cluster.address(rest.get(1)) + "\"},\"learners\":{}}");
    }

    @Test
    void removeOfTheLeaderHandsLeadershipToAnotherVoterFirst() throws Exception {
        String leader = cluster.leader();

        NodeProcesses.Run removed = admin("remove", "--id", leader);

        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.stderr()).as(removed.toString()).contains(leader + " leads: handing leadership to ");
        cluster.stop(leader); // no member any more: nobody tells it who leads now
        String next = cluster.leader();
        assertThat(next).isNotEqualTo(leader);
        List<String> rest = followers(leader);
        assertThat(removed.stdout().lines())
                .as(removed.toString())
                .containsExactly(line(rest.get(0), "voter", next), line(rest.get(1), "voter", next));
    }

    @Test
    void transferLeaderMovesLeadershipToTheVoterNamed() throws Exception {
        String target = followers(cluster.leader()).get(1);

        NodeProcesses.Run transferred = admin("transfer-leader", "--to", target);

        assertThat(transferred.exitCode()).as(transferred.toString()).isZero();
        assertThat(transferred.stdout()).isEqualTo(target + "\n");
        assertThat(cluster.leader()).isEqualTo(target);
    }

    @Test
    void promotingANodeThatIsNoLearnerIsRefused() throws Exception {
        NodeProcesses.Run promoted = admin("promote", "--id", "n9");

        assertThat(promoted.exitCode()).as(promoted.toString()).isEqualTo(1);
        assertThat(promoted.stdout()).isEmpty();
        assertThat(lastLine(promoted)).isEqualTo("error: n9 is not a learner: add it as a learner first");
    }

    @Test
    void promotingALearnerThatDoesNotCatchUpGivesUpAtTheTimeoutSayingHowFarBehindItIs() throws Exception {
        cluster.allocate("n5"); // an address nothing listens at: the learner never answers
        NodeProcesses.Run added = admin("add-learner", "--id", "n5", "--address", cluster.address("n5"));
        assertThat(added.exitCode()).as(added.toString()).isZero();

        NodeProcesses.Run promoted = admin("promote", "--id", "n5", "--timeout", "2");

        assertThat(promoted.exitCode()).as(promoted.toString()).isEqualTo(1);
        assertThat(promoted.stdout()).isEmpty();
        assertThat(promoted.stderr().lines())
                .as(promoted.toString())
                .anyMatch(line -> line.startsWith("waiting up to ") && line.contains(" s more for n5 to catch up: "));
        assertThat(lastLine(promoted))
                .startsWith("error: n5 did not catch up within 2 s (--timeout); it is still a learner. The leader"
                        + " said: cannot promote learner n5: it has not caught up (it holds up to index 0,")
                .contains("it has not answered for an election timeout");
        assertThat(cluster.membership().isLearner(node("n5"))).isTrue();
    }

    @Test
    void removingAMemberThatIsNotOneIsRefused() throws Exception {
        NodeProcesses.Run removed = admin("remove", "--id", "n9");

        assertThat(removed.exitCode()).as(removed.toString()).isEqualTo(1);
        assertThat(removed.stdout()).isEmpty();
        assertThat(lastLine(removed))
                .isEqualTo("error: n9 is not a member (voters [n1, n2, n3]): nothing to remove; see raftlog admin"
                        + " members");
    }

    @Test
    void aRemovalThatWouldLeaveTooFewAnsweringVotersIsRefused() throws Exception {
        String leader = cluster.leader();
        List<String> followers = followers(leader);
        cluster.stop(followers.get(0));
        // The leader counts a voter out once it has not answered for an election timeout (100-200 ms);
        // the child JVM takes longer than that to start.

        NodeProcesses.Run removed = admin("remove", "--id", followers.get(1));

        assertThat(removed.exitCode()).as(removed.toString()).isEqualTo(1);
        assertThat(lastLine(removed))
                .startsWith("error: cannot remove voter " + followers.get(1) + ": the voters would be ")
                .contains("and only [" + leader + "] answer this leader")
                .endsWith("Bring voters back first");
        assertThat(cluster.membership().voters()).hasSize(3);
    }

    @Test
    void transferringLeadershipToANodeThatIsNoVoterIsRefused() throws Exception {
        NodeProcesses.Run transferred = admin("transfer-leader", "--to", "n9");

        assertThat(transferred.exitCode()).as(transferred.toString()).isEqualTo(1);
        assertThat(transferred.stdout()).isEmpty();
        assertThat(lastLine(transferred))
                .isEqualTo("error: the node refused the request: cannot transfer leadership to n9: not a member");
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlagAndTheHelpToRead() throws Exception {
        String servers = cluster.servers();
        assertUsageError(
                List.of("admin"),
                "error: name an admin command: members, add-learner, promote, remove or transfer-leader"
                        + " (see 'raftlog admin --help')");
        assertUsageError(
                List.of("admin", "promote", "--servers", servers),
                "error: Missing required option: '--id=ID' (see 'raftlog admin promote --help')");
        assertUsageError(
                List.of("admin", "add-learner", "--servers", servers, "--id", "n4", "--address", "nowhere"),
                "error: Invalid value for option '--address': expected HOST:PORT (where peers and clients reach the"
                        + " node), got 'nowhere' (see 'raftlog admin add-learner --help')");
        assertUsageError(
                List.of("admin", "remove", "--servers", servers, "--id", "n 4"),
                "error: Invalid value for option '--id': invalid node id 'n 4': use 1 to 64 characters from A-Z,"
                        + " a-z, 0-9, '.', '_' and '-' (see 'raftlog admin remove --help')");
        assertUsageError(
                List.of("admin", "promote", "--servers", servers, "--id", "n4", "--timeout", "-1"),
                "error: Invalid value for option '--timeout': expected whole seconds >= 0, got '-1'"
                        + " (see 'raftlog admin promote --help')");
    }

    private void assertUsageError(List<String> args, String message) throws Exception {
        NodeProcesses.Run run = commands.run(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr().strip()).isEqualTo(message);
    }

    /** Runs {@code raftlog admin SUBCOMMAND --servers <every node> ARGS}. */
    private NodeProcesses.Run admin(String subcommand, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("admin", subcommand, "--servers", cluster.servers()));
        all.addAll(List.of(args));
        return commands.run(all.toArray(String[]::new));
    }

    /** What {@code members} prints for {@code id}. */
    private String line(String id, String role, String leader) {
        return id + "\t" + role + "\t" + cluster.address(id) + (id.equals(leader) ? "\tleader" : "");
    }

    /** The bootstrap members other than {@code leader}, in id order. */
    private static List<String> followers(String leader) {
        return List.of("n1", "n2", "n3").stream()
                .filter(id -> !id.equals(leader))
                .toList();
    }

    private static String lastLine(NodeProcesses.Run run) {
        List<String> lines = run.stderr().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static NodeId node(String id) {
        return NodeId.of(id);
    }
}
