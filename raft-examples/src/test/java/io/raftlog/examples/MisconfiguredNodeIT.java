package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that cannot join says why and exits, instead of hanging or printing a stack trace. */
class MisconfiguredNodeIT {
    @TempDir
    Path data;

    @Test
    void aNodeWithAnIdTheOthersDoNotKnowExitsWithAClearMessage() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            cluster.start("n1");
            cluster.start("n2");
            // n9 claims to be a member, but n1 and n2 only know n1, n2 and n3.
            String peers = "n1=" + NodeProcesses.hostPort(cluster.addresses.get("n1")) + ",n2="
                    + NodeProcesses.hostPort(cluster.addresses.get("n2"));
            Process stranger = cluster.launch(
                    "n9",
                    "node",
                    "--id",
                    "n9",
                    "--listen",
                    "127.0.0.1:" + NodeProcesses.freePort(),
                    "--peers",
                    peers,
                    "--data",
                    data.resolve("n9").toString(),
                    "--bootstrap");

            assertThat(NodeProcesses.exited(stranger, Duration.ofSeconds(30)))
                    .as(cluster.output("n9"))
                    .isTrue();
            assertThat(stranger.exitValue()).isNotZero();
            assertThat(cluster.output("n9"))
                    .contains("refused this node")
                    .contains("n9")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aNodeWhosePeerListPointsAtTheWrongNodesExitsWithAClearMessage() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            cluster.start("n1");
            cluster.start("n2");
            // n3 swapped the addresses of n1 and n2.
            String swapped = "n1=" + NodeProcesses.hostPort(cluster.addresses.get("n2")) + ",n2="
                    + NodeProcesses.hostPort(cluster.addresses.get("n1"));
            Process confused = cluster.launch(
                    "n3",
                    "node",
                    "--id",
                    "n3",
                    "--listen",
                    NodeProcesses.hostPort(cluster.addresses.get("n3")),
                    "--peers",
                    swapped,
                    "--data",
                    data.resolve("n3").toString(),
                    "--bootstrap");

            assertThat(NodeProcesses.exited(confused, Duration.ofSeconds(30)))
                    .as(cluster.output("n3"))
                    .isTrue();
            assertThat(confused.exitValue()).isNotZero();
            assertThat(cluster.output("n3"))
                    .contains("refused this node")
                    .contains("check --id, --peers")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aSecondNodeOnALockedDataDirectoryExitsNamingTheDirectory() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            cluster.start("n1");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.output("n1").contains("listening on")); // n1 holds the lock now
            Path shared = data.resolve("n1");
            Process intruder = cluster.launch(
                    "intruder",
                    "node",
                    "--id",
                    "n2",
                    "--listen",
                    "127.0.0.1:" + NodeProcesses.freePort(),
                    "--peers",
                    "n1=" + NodeProcesses.hostPort(cluster.addresses.get("n1")),
                    "--data",
                    shared.toString(),
                    "--bootstrap");

            assertThat(NodeProcesses.exited(intruder, Duration.ofSeconds(30))).isTrue();
            assertThat(intruder.exitValue()).isNotZero();
            assertThat(cluster.output("intruder"))
                    .contains(shared.getFileName().toString())
                    .contains("in use")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void badFlagsGiveAOneLineErrorAndANonZeroExit() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 1)) {
            Process bad = cluster.launch(
                    "bad",
                    "node",
                    "--id",
                    "n1",
                    "--listen",
                    "nowhere",
                    "--peers",
                    "n2=127.0.0.1:1",
                    "--data",
                    data.resolve("x").toString(),
                    "--bootstrap");
            assertThat(NodeProcesses.exited(bad, Duration.ofSeconds(30))).isTrue();
            assertThat(bad.exitValue()).isNotZero();
            assertThat(cluster.output("bad").strip())
                    .startsWith("error:")
                    .contains("--listen expects HOST:PORT")
                    .doesNotContain("\tat ");
        }
    }
}
