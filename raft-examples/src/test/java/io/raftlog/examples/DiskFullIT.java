package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose data directory sits on a small tmpfs fills it: the cluster keeps committing,
 * the full node says so (status and exit-free), and once the mount is enlarged it catches up
 * without a restart. Mounting needs root; without it the test is skipped, saying why.
 */
class DiskFullIT {
    @TempDir
    Path data;

    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aFollowerWhoseDiskFillsSaysSoAndCatchesUpOnceThereIsRoomAgain() throws Exception {
        mount = data.resolve("n3");
        Files.createDirectories(mount);
        int mounted = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString());
        if (mounted != 0) {
            mount = null;
        }
        Assumptions.assumeTrue(mounted == 0, "mounting a tmpfs needs root (mount exited " + mounted + ")");

        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id);
            }
            InetSocketAddress full = cluster.addresses.get("n3");
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)))) {
                client.append(Bytes.ofUtf8("warm-up")).get(60, TimeUnit.SECONDS);
                // n3 must not lead: a full leader hands over, but the test wants the follower case.
                Bytes record = Bytes.copyOf(new byte[64 * 1024]);
                long last = 0;
                NodeStatus status = null;
                for (int round = 0; round < 40; round++) {
                    List<CompletableFuture<Long>> batch = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        batch.add(client.append(record));
                    }
                    for (CompletableFuture<Long> offset : batch) {
                        last = Math.max(last, offset.get(60, TimeUnit.SECONDS)); // the others commit
                    }
                    status = client.status(full).get(10, TimeUnit.SECONDS);
                    if (status.health() == NodeStatus.Health.STORAGE_FAILING) {
                        break;
                    }
                }
                assertThat(status.health()).as("n3 after 40 MiB on 6 MiB").isEqualTo(NodeStatus.Health.STORAGE_FAILING);
                assertThat(status.problem())
                        .hasValueSatisfying(problem -> assertThat(problem)
                                .contains(mount.toString())
                                .contains("no space left on device")
                                .contains("bytes free"));
                assertThat(cluster.process("n3").isAlive()).isTrue();
                for (int i = 0; i < 8; i++) {
                    last = Math.max(last, client.append(record).get(60, TimeUnit.SECONDS)); // still committing
                }

                assertThat(run("mount", "-o", "remount,size=256m", mount.toString()))
                        .isZero();
                long target = last;
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .until(() -> {
                            NodeStatus now = client.status(full).get(5, TimeUnit.SECONDS);
                            return now.health() == NodeStatus.Health.HEALTHY && now.commitIndex() >= target;
                        });
                assertThat(cluster.output("n3")).contains("storage writes succeed again");
            }
        }
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
