package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code raftlog node} processes on the default store whose data directories are lost. Scenario (a) of
 * issue #11: r commits on {n1, n3} while n2 is paused (SIGSTOP); n3 loses its directory; n1 dies;
 * n2 resumes. n3 must refuse to start as if nothing happened, and rejoined it must not help n2 —
 * which lacks r — to lead; r survives. Scenario (b): a node votes in term t and restarts blank
 * during that term; it must not vote in t again, so no second leader of t.
 */
class LostDiskIT {
    @TempDir
    Path data;

    @Test
    void aRecordCommittedWithTheAckOfANodeThatLostItsDiskSurvives() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)))) {
                client.append(Bytes.ofUtf8("warm-up")).get(60, TimeUnit.SECONDS);
                // Roles by who leads now: the leader L, a follower P that is paused, a follower F
                // that loses its data directory (n1, n2 and n3 of the scenario).
                String leader = client.status().get(10, TimeUnit.SECONDS).id().value();
                List<String> followers = cluster.addresses.keySet().stream()
                        .filter(id -> !id.equals(leader))
                        .toList();
                String paused = followers.get(0);
                String lost = followers.get(1);
                Process pausedProcess = cluster.process(paused);
                signal(pausedProcess, "STOP");
                long r = client.append(Bytes.ofUtf8("r")).get(60, TimeUnit.SECONDS); // on L and F only

                cluster.kill(lost);
                deleteRecursively(data.resolve(lost));
                // Started as before (no flag: it was bootstrapped), F refuses its empty directory.
                Process blank = cluster.start(lost);
                assertThat(NodeProcesses.exited(blank, Duration.ofSeconds(30))).isTrue();
                assertThat(blank.exitValue()).isNotZero();
                assertThat(cluster.output(lost))
                        .contains("error: data directory " + data.resolve(lost))
                        .contains("is empty")
                        .contains("--rejoin");

                cluster.start(lost, "--rejoin");
                cluster.kill(leader);
                signal(pausedProcess, "CONT");
                // P lacks r; F holds at most what it copied from L. Whatever they do, r is not lost:
                // F grants no vote until it holds the log up to the commit index a leader sent it.
                cluster.start(leader);
                for (InetSocketAddress node : cluster.seeds()) {
                    List<CommittedRecord> at = readAt(client, node, r);
                    assertThat(at)
                            .as("r at %d on %s", r, node)
                            .singleElement()
                            .satisfies(record ->
                                    assertThat(record.payload().toUtf8()).isEqualTo("r"));
                }
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .until(() -> client.status(cluster.addresses.get(lost))
                                        .get(5, TimeUnit.SECONDS)
                                        .health()
                                == NodeStatus.Health.HEALTHY);
            }
        }
    }

    @Test
    void aNodeThatVotedAndLostItsDiskCannotElectASecondLeaderOfThatTerm() throws Exception {
        // L leads; L pauses; A wins term t with V's vote (the only other node up); A pauses. V is
        // killed, its directory lost, and it comes back with --rejoin, knowing nothing of t; then L
        // resumes. L and V are a majority: had V forgotten its vote, L could win term t beside A;
        // had V acknowledged L's older term, L could commit where A committed in t.
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)))) {
                client.append(Bytes.ofUtf8("warm-up")).get(60, TimeUnit.SECONDS);
                Map<Long, Set<String>> leaders = new ConcurrentHashMap<>();
                String oldLeader =
                        client.status().get(10, TimeUnit.SECONDS).id().value();
                signal(cluster.process(oldLeader), "STOP");
                String[] winner = new String[1];
                long[] term = new long[1];
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> {
                            for (String id : cluster.addresses.keySet()) {
                                if (id.equals(oldLeader)) {
                                    continue;
                                }
                                NodeStatus status = observe(client, cluster, id, leaders);
                                if (status != null && status.role() == Role.LEADER) {
                                    winner[0] = id;
                                    term[0] = status.term();
                                    return true;
                                }
                            }
                            return false;
                        });
                String voter = cluster.addresses.keySet().stream()
                        .filter(id -> !id.equals(oldLeader) && !id.equals(winner[0]))
                        .findFirst()
                        .orElseThrow();

                signal(cluster.process(winner[0]), "STOP"); // V hears nothing of term t again
                cluster.kill(voter);
                deleteRecursively(data.resolve(voter));
                cluster.start(voter, "--rejoin");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> observe(client, cluster, voter, leaders).health() == NodeStatus.Health.REJOINING);
                signal(cluster.process(oldLeader), "CONT");

                // For many election timeouts, L campaigns with V's help available: nobody may lead t
                // but A, nor any later term, and V holds its vote (it cannot learn every member's term
                // while A is paused).
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                boolean voterSeenHolding = false;
                while (System.nanoTime() < until) {
                    observe(client, cluster, oldLeader, leaders);
                    NodeStatus rejoining = observe(client, cluster, voter, leaders);
                    voterSeenHolding |= rejoining != null && rejoining.health() == NodeStatus.Health.REJOINING;
                }
                assertThat(voterSeenHolding).isTrue();
                // Nobody led a newer term either: L alone is no majority, and V gave it no vote.
                assertThat(leaders.keySet())
                        .as("terms led while A was paused (A led %d)", term[0])
                        .allSatisfy(led -> assertThat(led).isLessThanOrEqualTo(term[0]));
                // Nor may V acknowledge for L: L still leads its older term for want of news, and V
                // forgot it had reached t. Had V acknowledged, L could commit this append at an index
                // A committed in term t.
                try (RaftClient toOldLeader =
                        new RaftClient(RaftClientConfig.of("raftlog", List.of(cluster.addresses.get(oldLeader)))
                                .withRequestTimeout(Duration.ofSeconds(2)))) {
                    assertThatThrownBy(() -> toOldLeader
                                    .append(Bytes.ofUtf8("through the old leader"))
                                    .get(20, TimeUnit.SECONDS))
                            .as("an append committed by the leader of an older term, with V's help")
                            .isInstanceOf(java.util.concurrent.ExecutionException.class);
                }
                signal(cluster.process(winner[0]), "CONT");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .until(() -> observe(client, cluster, voter, leaders).health() == NodeStatus.Health.HEALTHY);
                assertThat(client.append(Bytes.ofUtf8("after")).get(60, TimeUnit.SECONDS))
                        .isPositive();

                assertThat(leaders.get(term[0]))
                        .as("leaders of term %d", term[0])
                        .containsExactly(winner[0]);
                leaders.forEach(
                        (t, ids) -> assertThat(ids).as("leaders of term %d", t).hasSize(1));
            }
        }
    }

    /** {@code id}'s status (null if it does not answer within a second), noting whom it says leads. */
    private static NodeStatus observe(
            RaftClient client, NodeProcesses cluster, String id, Map<Long, Set<String>> leaders) {
        try {
            NodeStatus status = client.status(cluster.addresses.get(id)).get(1, TimeUnit.SECONDS);
            if (status.role() == Role.LEADER) {
                leaders.computeIfAbsent(status.term(), t -> ConcurrentHashMap.newKeySet())
                        .add(id);
            }
            return status;
        } catch (Exception e) {
            return null;
        }
    }

    private static List<CommittedRecord> readAt(RaftClient client, InetSocketAddress node, long offset) {
        List<CommittedRecord>[] found = new List[1];
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    found[0] =
                            client.read(node, offset, 1, Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
                    return !found[0].isEmpty();
                });
        return found[0];
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
