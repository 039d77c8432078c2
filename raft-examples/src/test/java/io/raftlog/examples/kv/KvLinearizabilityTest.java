package io.raftlog.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.ReadConsistency;
import io.raftlog.testkit.linearizability.History;
import io.raftlog.testkit.linearizability.KeyValueModel;
import io.raftlog.testkit.linearizability.LinearizabilityChecker;
import io.raftlog.testkit.linearizability.LinearizabilityResult;
import io.raftlog.testkit.linearizability.RegisterModel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The key-value store is linearizable: concurrent clients on a real three-node cluster, while a
 * nemesis cuts nodes off and moves the leadership, produce a history the testkit's checker
 * accepts — both through {@link KvStore} on the nodes and through client-side {@link KvView}s.
 * The checker is shown to have teeth: the same run with reads served from a node's local map
 * without a read index (a stale follower read, made certain by reading from a cut-off follower)
 * is rejected.
 *
 * <p>Each run lasts {@code -Draftlog.kv.seconds} (3 by default) and prints its seed on failure;
 * {@code -Draftlog.kv.seed} replays the clients' and the nemesis's choices (thread timing still
 * varies).
 */
class KvLinearizabilityTest {
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("raftlog.kv.seconds", 3));
    private static final int CLIENTS = 5;
    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(1);
    private static final LinearizabilityChecker.Budget BUDGET =
            LinearizabilityChecker.Budget.ofTime(Duration.ofSeconds(30));

    private final long seed = Long.getLong("raftlog.kv.seed", new SplittableRandom().nextLong());

    @Test
    void clientsOfTheNodesStoresAreLinearizableUnderPartitionsAndLeaderChanges() throws Exception {
        try (KvCluster cluster = new KvCluster(3, APPEND_TIMEOUT, seed)) {
            KvWorkload workload =
                    runWithNemesis(cluster, process -> storeTarget(cluster, ReadConsistency.LINEARIZABLE));

            assertLinearizable(workload);
        }
    }

    @Test
    void clientsOfClientSideViewsAreLinearizableUnderPartitionsAndLeaderChanges() throws Exception {
        try (KvCluster cluster = new KvCluster(3, APPEND_TIMEOUT, seed)) {
            KvWorkload workload = runWithNemesis(cluster, process -> viewTarget(cluster));

            assertLinearizable(workload);
        }
    }

    @Test
    void aStaleLocalReadIsRejectedByTheSameChecker() throws Exception {
        try (KvCluster cluster = new KvCluster(3, APPEND_TIMEOUT, seed)) {
            KvWorkload workload = runWithNemesis(cluster, process -> storeTarget(cluster, ReadConsistency.COMMITTED));
            // Then make a stale read certain: a follower cut off before a write the majority
            // acknowledges still answers from its old map.
            cluster.network.heal();
            StaleRead stale = staleReadSetUp(cluster);
            History<KeyValueModel.Op<String, String>, RegisterModel.Result<String>> certain = new History<>();
            List<History<KeyValueModel.Op<String, String>, RegisterModel.Result<String>>.Call> write = List.of(
                    workload.history.invoke(100, KeyValueModel.put("a", "after-the-cut")),
                    certain.invoke(100, KeyValueModel.put("a", "after-the-cut")));
            cluster.stores.get(stale.leader).put("a", "after-the-cut").get(10, TimeUnit.SECONDS);
            write.forEach(call -> call.ok(RegisterModel.ok()));
            List<History<KeyValueModel.Op<String, String>, RegisterModel.Result<String>>.Call> read = List.of(
                    workload.history.invoke(101, KeyValueModel.get("a")), certain.invoke(101, KeyValueModel.get("a")));
            Optional<String> seen = cluster.stores
                    .get(stale.follower)
                    .get("a", ReadConsistency.COMMITTED)
                    .get();
            read.forEach(call -> call.ok(RegisterModel.value(seen.orElse(null))));
            assertThat(seen).as("the cut-off follower's local map").contains("before-the-cut");

            LinearizabilityResult<?, ?> whole = LinearizabilityChecker.check(
                    new KeyValueModel<String, String>(), workload.history.operations(), BUDGET);
            LinearizabilityResult<?, ?> alone =
                    LinearizabilityChecker.check(new KeyValueModel<String, String>(), certain.operations(), BUDGET);

            assertThat(whole.verdict())
                    .as("seed %d: %s", seed, whole.explanation())
                    .isEqualTo(LinearizabilityResult.Verdict.NOT_LINEARIZABLE);
            assertThat(alone.verdict())
                    .as("the stale read alone: %s", alone.explanation())
                    .isEqualTo(LinearizabilityResult.Verdict.NOT_LINEARIZABLE);
            assertThat(alone.explanation()).contains("get() -> before-the-cut");
        }
    }

    @Test
    void aLinearizableGetOnACutOffFollowerFailsRatherThanReadStale() throws Exception {
        try (KvCluster cluster = new KvCluster(3, APPEND_TIMEOUT, seed)) {
            StaleRead stale = staleReadSetUp(cluster);
            cluster.stores.get(stale.leader).put("a", "after-the-cut").get(10, TimeUnit.SECONDS);

            CompletableFuture<Optional<String>> get =
                    cluster.stores.get(stale.follower).get("a");

            assertThatThrownBy(() -> get.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NotLeaderException.class);
            assertThat(cluster.stores.get(stale.leader).get("a").get(10, TimeUnit.SECONDS))
                    .contains("after-the-cut");
        }
    }

    private record StaleRead(int leader, int follower) {}

    /** Writes a=before-the-cut, waits until every node applied it, then cuts a follower off. */
    private static StaleRead staleReadSetUp(KvCluster cluster) throws Exception {
        int leader = cluster.awaitLeader();
        cluster.stores.get(leader).put("a", "before-the-cut").get(10, TimeUnit.SECONDS);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> cluster.machines.stream()
                        .allMatch(machine -> machine.get("a").equals(Optional.of("before-the-cut"))));
        int follower = (leader + 1) % cluster.nodes.size();
        cluster.isolate(follower);
        return new StaleRead(leader, follower);
    }

    /** Runs the clients while a nemesis, every 200 ms, cuts a node off, heals, or hands off the leadership. */
    private KvWorkload runWithNemesis(KvCluster cluster, java.util.function.IntFunction<KvWorkload.Target> targets)
            throws InterruptedException {
        cluster.awaitLeader();
        long termBefore = cluster.maxTerm();
        KvWorkload workload = new KvWorkload(cluster, seed);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        ScheduledExecutorService nemesis = Executors.newSingleThreadScheduledExecutor();
        int[] step = {0};
        nemesis.scheduleAtFixedRate(() -> disturb(cluster, random, step[0]++), 100, 200, TimeUnit.MILLISECONDS);
        try {
            workload.run(CLIENTS, targets, RUN);
        } finally {
            nemesis.shutdownNow();
            nemesis.awaitTermination(5, TimeUnit.SECONDS);
            cluster.network.heal();
        }
        assertThat(cluster.maxTerm()).as("seed %d: the leadership moved", seed).isGreaterThan(termBefore);
        assertThat(workload.completedWrites.get())
                .as("seed %d: writes completed", seed)
                .isGreaterThan(20);
        assertThat(workload.completedReads.get())
                .as("seed %d: reads completed", seed)
                .isGreaterThan(20);
        return workload;
    }

    /** One nemesis step; the first cuts the leader off, so the leadership moves at least once. */
    private static void disturb(KvCluster cluster, SplittableRandom random, int step) {
        Optional<Integer> leader = cluster.leader();
        int action = step == 0 ? 1 : random.nextInt(4);
        switch (action) {
            case 0 -> cluster.network.heal();
            case 1 -> leader.ifPresent(cluster::isolate);
            case 2 -> cluster.isolate(random.nextInt(cluster.nodes.size()));
            default ->
                leader.ifPresent(index -> {
                    cluster.network.heal();
                    NodeId target = cluster.ids.get(
                            (index + 1 + random.nextInt(cluster.nodes.size() - 1)) % cluster.nodes.size());
                    cluster.nodes.get(index).transferLeadership(target);
                });
        }
    }

    private void assertLinearizable(KvWorkload workload) {
        List<?> operations = workload.history.operations();
        LinearizabilityResult<?, ?> result = LinearizabilityChecker.check(
                new KeyValueModel<String, String>(), workload.history.operations(), BUDGET);
        assertThat(result.verdict())
                .as(
                        "seed %d, %d operations (%d indeterminate): %s",
                        seed, operations.size(), workload.indeterminate.get(), result.explanation())
                .isEqualTo(LinearizabilityResult.Verdict.LINEARIZABLE);
    }

    /** Each call goes to the {@link KvStore} of the node the client picked; gets at {@code reads}. */
    private static KvWorkload.Target storeTarget(KvCluster cluster, ReadConsistency reads) {
        return new KvWorkload.Target() {
            @Override
            public CompletableFuture<Long> put(int node, String key, String value) {
                return cluster.stores.get(node).put(key, value);
            }

            @Override
            public CompletableFuture<Long> delete(int node, String key) {
                return cluster.stores.get(node).delete(key);
            }

            @Override
            public CompletableFuture<Boolean> compareAndSet(int node, String key, String expected, String update) {
                return cluster.stores.get(node).compareAndSet(key, expected, update);
            }

            @Override
            public CompletableFuture<Optional<String>> get(int node, String key) {
                return cluster.stores.get(node).get(key, reads);
            }
        };
    }

    /** One client-side {@link KvView} per client, reading and appending through the node it picked last. */
    private static KvWorkload.Target viewTarget(KvCluster cluster) {
        List<KvLog> logs = cluster.nodes.stream().map(KvLog::of).collect(Collectors.toList());
        int[] current = {0};
        KvView view = new KvView(new KvLog() {
            @Override
            public CompletableFuture<Long> append(io.raftlog.api.Bytes record) {
                return logs.get(current[0]).append(record);
            }

            @Override
            public CompletableFuture<Long> readIndex() {
                return logs.get(current[0]).readIndex();
            }

            @Override
            public CompletableFuture<List<io.raftlog.api.CommittedRecord>> readLinearizable(
                    long fromOffset, int maxRecords) {
                return logs.get(current[0]).readLinearizable(fromOffset, maxRecords);
            }
        });
        return new KvWorkload.Target() {
            @Override
            public CompletableFuture<Long> put(int node, String key, String value) {
                current[0] = node;
                return view.put(key, value);
            }

            @Override
            public CompletableFuture<Long> delete(int node, String key) {
                current[0] = node;
                return view.delete(key);
            }

            @Override
            public CompletableFuture<Boolean> compareAndSet(int node, String key, String expected, String update) {
                current[0] = node;
                return view.compareAndSet(key, expected, update);
            }

            @Override
            public CompletableFuture<Optional<String>> get(int node, String key) {
                current[0] = node;
                return view.get(key);
            }
        };
    }
}
