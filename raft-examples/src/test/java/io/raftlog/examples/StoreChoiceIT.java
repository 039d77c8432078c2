package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog node --store}: a cluster on LMDB keeps its records through a SIGKILL of every
 * node, and a node restarted with the other store refuses the directory, naming the flag that
 * opens it, and changes nothing in it.
 */
class StoreChoiceIT {
    @TempDir
    Path data;

    @Test
    void aDataDirectoryKeepsItsStoreAndTheOtherStoreRefusesIt() throws Exception {
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id, "--bootstrap", "--store", "lmdb");
            }
            List<Long> offsets = new ArrayList<>();
            try (RaftClient client = client(cluster)) {
                for (int i = 0; i < 20; i++) {
                    offsets.add(client.append(Bytes.ofUtf8("on-lmdb-" + i)).get(60, TimeUnit.SECONDS));
                }
            }
            for (String id : List.copyOf(cluster.addresses.keySet())) {
                cluster.kill(id);
            }
            Path n1 = data.resolve("n1");
            assertThat(n1.resolve("data.mdb")).exists();
            assertThat(n1.resolve("hard-state")).doesNotExist();
            long size = Files.size(n1.resolve("data.mdb"));

            Process wrongStore = cluster.start("n1"); // the default store: segment
            assertThat(NodeProcesses.exited(wrongStore, Duration.ofSeconds(30))).isTrue();
            assertThat(wrongStore.exitValue()).isNotZero();
            assertThat(cluster.output("n1"))
                    .contains("error: data directory " + n1.toAbsolutePath())
                    .contains("holds an LMDB store (data.mdb)")
                    .contains("--store lmdb");
            assertThat(n1.resolve("hard-state")).doesNotExist();
            assertThat(Files.size(n1.resolve("data.mdb"))).isEqualTo(size);

            for (String id : cluster.addresses.keySet()) {
                cluster.start(id, "--store", "lmdb");
            }
            try (RaftClient client = client(cluster)) {
                long last = client.append(Bytes.ofUtf8("after")).get(60, TimeUnit.SECONDS);
                // The node that answers may still be catching up on the commit index: read until it has.
                List<CommittedRecord> read = Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(
                                () -> client.read(offsets.get(0), 1000, Duration.ZERO)
                                        .get(30, TimeUnit.SECONDS),
                                records -> records.size() > offsets.size());
                assertThat(read).extracting(CommittedRecord::offset).startsWith(offsets.toArray(Long[]::new));
                for (int i = 0; i < offsets.size(); i++) {
                    assertThat(read.get(i).payload().toUtf8()).isEqualTo("on-lmdb-" + i);
                }
                assertThat(last).isGreaterThan(offsets.get(offsets.size() - 1));
            }
        }
    }

    private static RaftClient client(NodeProcesses cluster) {
        return new RaftClient(
                RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(30)));
    }
}
