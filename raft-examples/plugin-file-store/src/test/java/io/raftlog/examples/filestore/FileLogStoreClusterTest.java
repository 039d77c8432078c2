package io.raftlog.examples.filestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.core.InMemoryTransportModule;
import io.raftlog.core.LogConfig;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.core.transport.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in this JVM, each on its own {@link FileLogStore} directory, wired with Guice the
 * way an application does ({@link RaftModule}, {@link FileLogStoreModule} and raftlog's in-memory
 * transport, as raft-core's own Guice cluster test uses): they commit, serve reads, compact their
 * logs below a snapshot, and a node restarted on its directory finds its records again.
 */
class FileLogStoreClusterTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final List<NodeId> MEMBERS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));

    @TempDir
    Path data;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, Injector> nodes = new LinkedHashMap<>();

    @AfterEach
    void closeNodes() {
        nodes.values()
                .forEach(injector -> injector.getInstance(ReplicatedLog.class).close());
    }

    @Test
    void threeNodesCommitReadCompactAndANodeRestartedOnItsDirectoryFindsItsRecords() throws Exception {
        MEMBERS.forEach(this::start);
        List<Bytes> records = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (int batch = 0; batch < 6; batch++) {
            List<Bytes> some = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                some.add(Bytes.ofUtf8("record " + (batch * 10 + i)));
            }
            offsets.addAll(onLeader(leader -> leader.appendAll(some)));
            records.addAll(some);
        }
        for (NodeId id : MEMBERS) {
            awaitRecords(id, offsets.get(0), records, "all 60 records on " + id);
        }

        // Records below the 31st go: every node moves its log start, and once a snapshot lies below
        // it, truncates its log there (only the snapshot store then holds what those entries built).
        long logStart = onLeader(leader -> leader.deleteRecordsBefore(offsets.get(30)));
        NodeId restarted = follower();
        await("a log truncated below a snapshot on " + restarted)
                .atMost(PATIENCE)
                .until(() -> store(restarted).firstIndex() > 1);

        nodes.remove(restarted).getInstance(ReplicatedLog.class).close();
        start(restarted);
        assertThat(store(restarted).firstIndex())
                .as("the first entry in the reopened store of %s", restarted)
                .isGreaterThan(1);
        awaitRecords(restarted, logStart, records.subList(30, 60), "the retained records on the restarted node");
        assertThat(node(restarted).logStartOffset())
                .as("the log start of the restarted node")
                .isEqualTo(logStart);

        long more = onLeader(leader -> leader.append(Bytes.ofUtf8("after the restart")));
        await("the record appended after the restart, on " + restarted)
                .atMost(PATIENCE)
                .until(() -> node(restarted).commitOffset() >= more);
        List<CommittedRecord> last =
                node(restarted).read(more, 1, Duration.ZERO).get(30, TimeUnit.SECONDS);
        assertThat(last)
                .as("what the restarted node reads at offset %d", more)
                .containsExactly(new CommittedRecord(more, Bytes.ofUtf8("after the restart")));
    }

    private void start(NodeId id) {
        NodeConfig config = NodeConfig.of(id, MEMBERS)
                .withLog(LogConfig.defaults().withSnapshotEvery(10, 1 << 20)); // snapshots often, to compact
        nodes.put(
                id,
                Guice.createInjector(
                        new RaftModule(config),
                        new FileLogStoreModule(data.resolve(id.value())),
                        new InMemoryTransportModule(network)));
        node(id); // the node starts when first provided
    }

    private ReplicatedLog node(NodeId id) {
        return nodes.get(id).getInstance(ReplicatedLog.class);
    }

    /** The store the node runs on: the module binds it as a singleton, so this is the node's own. */
    private FileLogStore store(NodeId id) {
        return nodes.get(id).getInstance(FileLogStore.class);
    }

    /**
     * Runs {@code call} on the leader, again on the next one if leadership moved before it was
     * accepted: {@link NotLeaderException} is a definite failure, so the retry cannot duplicate.
     */
    private <T> T onLeader(Function<ReplicatedLog, CompletableFuture<T>> call) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            await("a leader").atMost(PATIENCE).until(() -> leaderOrNull() != null);
            try {
                return call.apply(leaderOrNull()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private ReplicatedLog leaderOrNull() {
        for (NodeId id : nodes.keySet()) {
            if (node(id).status().role() == Role.LEADER) {
                return node(id);
            }
        }
        return null;
    }

    private NodeId follower() {
        return nodes.keySet().stream()
                .filter(id -> node(id).status().role() != Role.LEADER)
                .findFirst()
                .orElseThrow();
    }

    /** Waits until {@code id} serves {@code expected} from {@code fromOffset} on, in order. */
    private void awaitRecords(NodeId id, long fromOffset, List<Bytes> expected, String what) {
        await(what).atMost(PATIENCE).untilAsserted(() -> {
            List<CommittedRecord> read =
                    node(id).read(fromOffset, 1000, Duration.ZERO).get(30, TimeUnit.SECONDS);
            assertThat(read.stream().map(CommittedRecord::payload).toList())
                    .as("%s: the records read from offset %d", what, fromOffset)
                    .isEqualTo(expected);
        });
    }
}
