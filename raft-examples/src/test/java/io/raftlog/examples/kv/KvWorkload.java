package io.raftlog.examples.kv;

import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OverloadedException;
import io.raftlog.testkit.linearizability.History;
import io.raftlog.testkit.linearizability.KeyValueModel;
import io.raftlog.testkit.linearizability.RegisterModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Concurrent clients of a key-value store, each on its own thread, doing random puts, deletes,
 * compare-and-sets and gets on a few keys and recording each call in one {@link History}: a
 * definite failure (the node is not the leader, overloaded) leaves the history, any other failure
 * of a write makes it indeterminate, a failed get has no effect. Values are unique, so a read
 * names the write it saw.
 */
final class KvWorkload {
    static final List<String> KEYS = List.of("a", "b", "c");

    /** One store under test, as client {@code process} calls it on node {@code node}. */
    interface Target {
        CompletableFuture<Long> put(int node, String key, String value);

        CompletableFuture<Long> delete(int node, String key);

        CompletableFuture<Boolean> compareAndSet(int node, String key, String expected, String update);

        CompletableFuture<Optional<String>> get(int node, String key);
    }

    final History<KeyValueModel.Op<String, String>, RegisterModel.Result<String>> history = new History<>();
    final AtomicInteger completedWrites = new AtomicInteger();
    final AtomicInteger completedReads = new AtomicInteger();
    final AtomicInteger indeterminate = new AtomicInteger();

    private final KvCluster cluster;
    private final long seed;

    KvWorkload(KvCluster cluster, long seed) {
        this.cluster = cluster;
        this.seed = seed;
    }

    /** Runs {@code clients} clients, each on the target {@code targets} gives it, for {@code duration}. */
    void run(int clients, IntFunction<Target> targets, Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> crashes = new ArrayList<>();
        for (int process = 0; process < clients; process++) {
            Client client = new Client(process, targets.apply(process), new SplittableRandom(seed + process));
            Thread thread = new Thread(() -> client.runUntil(deadline), "kv-client-" + process);
            thread.setUncaughtExceptionHandler((t, e) -> {
                synchronized (crashes) {
                    crashes.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!crashes.isEmpty()) {
            throw new AssertionError("a client crashed (seed " + seed + ")", crashes.get(0));
        }
    }

    private final class Client {
        private final int process;
        private final Target target;
        private final SplittableRandom random;
        private int node;
        private int written;

        Client(int process, Target target, SplittableRandom random) {
            this.process = process;
            this.target = target;
            this.random = random;
            this.node = random.nextInt(cluster.nodes.size());
        }

        void runUntil(long deadline) {
            while (System.nanoTime() < deadline) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                int choice = random.nextInt(10);
                if (choice < 4) {
                    get(key);
                } else if (choice < 6) {
                    String value = nextValue();
                    write(KeyValueModel.put(key, value), () -> target.put(node, key, value));
                } else if (choice < 7) {
                    write(KeyValueModel.put(key, null), () -> target.delete(node, key));
                } else {
                    // Expect a value some client wrote (or absence): some swaps succeed, some do not.
                    String expected =
                            random.nextInt(4) == 0 ? null : "p" + random.nextInt(4) + "-" + random.nextInt(1 + written);
                    String update = nextValue();
                    var call = history.invoke(process, KeyValueModel.cas(key, expected, update));
                    finish(call, () -> target.compareAndSet(node, key, expected, update), RegisterModel::swapped, true);
                }
            }
        }

        private String nextValue() {
            return "p" + process + "-" + written++;
        }

        private void get(String key) {
            // Reads go to any node: a follower's read index is asked of the leader.
            node = random.nextInt(cluster.nodes.size());
            var call = history.invoke(process, KeyValueModel.get(key));
            finish(call, () -> target.get(node, key), value -> RegisterModel.value(value.orElse(null)), false);
        }

        /** A put or a delete (a put of null, to the model): it returns ok. */
        private void write(KeyValueModel.Op<String, String> op, Supplier<CompletableFuture<Long>> call) {
            finish(history.invoke(process, op), call, offset -> RegisterModel.ok(), true);
        }

        private <T> void finish(
                History<KeyValueModel.Op<String, String>, RegisterModel.Result<String>>.Call call,
                Supplier<CompletableFuture<T>> operation,
                java.util.function.Function<T, RegisterModel.Result<String>> result,
                boolean isWrite) {
            try {
                call.ok(result.apply(operation.get().get(5, TimeUnit.SECONDS)));
                (isWrite ? completedWrites : completedReads).incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.info();
            } catch (Exception e) {
                Throwable cause = unwrap(e);
                if (cause instanceof NotLeaderException notLeader) {
                    node = notLeader
                            .leaderHint()
                            .map(cluster::indexOf)
                            .filter(i -> i >= 0)
                            .orElse(random.nextInt(cluster.nodes.size()));
                    call.fail();
                } else if (cause instanceof OverloadedException || !isWrite) {
                    call.fail();
                } else {
                    node = random.nextInt(cluster.nodes.size());
                    indeterminate.incrementAndGet();
                    call.info();
                }
            }
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
