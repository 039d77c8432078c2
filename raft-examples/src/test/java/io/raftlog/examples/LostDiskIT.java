package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code raftlog node} processes on LMDB whose data directories are lost. Scenario (a) of
 * issue #11: r commits on {n1, n3} while n2 is paused (SIGSTOP); n3 loses its directory; n1 dies;
 * n2 resumes. n3 must refuse to start as if nothing happened, and rejoined it must not help n2 —
 * which lacks r — to lead; r survives.
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
