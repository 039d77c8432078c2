package io.raftlog.testkit.linearizability;

import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.append;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.appended;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.entry;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.highWatermark;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.page;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.read;
import static io.raftlog.testkit.linearizability.AppendOnlyLogModel.readHighWatermark;

import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Append;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Appended;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Entry;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Input;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Output;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Page;
import io.raftlog.testkit.linearizability.AppendOnlyLogModel.Read;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * Histories of a log that is linearizable by construction — a {@link SynchronizedLog} — hit by
 * concurrent clients, either real threads or clients on virtual time; and the mutation that
 * makes one read stale.
 */
final class LogHistories {
    private LogHistories() {}

    /**
     * A linearizable in-memory log: one lock, offsets from 1 with internal entries (gaps) now and
     * then, as raftlog's no-ops and log-start markers make them.
     */
    static final class SynchronizedLog {
        private final List<Entry<String>> records = new ArrayList<>();
        private final Random random;
        private long lastIndex;

        SynchronizedLog(Random random) {
            this.random = random;
        }

        synchronized long append(String record) {
            if (random.nextInt(10) == 0) {
                lastIndex += 1 + random.nextInt(2); // internal entries before it
            }
            records.add(entry(++lastIndex, record));
            return lastIndex;
        }

        synchronized List<Entry<String>> read(long from, int max) {
            int first = 0;
            while (first < records.size() && records.get(first).offset() < from) {
                first++;
            }
            return List.copyOf(records.subList(first, Math.min(records.size(), first + max)));
        }

        synchronized long commitIndex() {
            if (random.nextInt(10) == 0) {
                lastIndex++; // an internal entry committed after the last record
            }
            return lastIndex;
        }

        synchronized long lastIndex() {
            return lastIndex;
        }

        Output<String> run(Input<String> input) {
            if (input instanceof Append<String> a) {
                return appended(append(a.record()));
            }
            if (input instanceof Read<String> r) {
                return page(read(r.fromOffset(), r.maxRecords()));
            }
            return highWatermark(commitIndex());
        }
    }

    /** Appends (unique records), reads of a page near the end or from the start, high watermarks. */
    static Input<String> randomInput(Random random, String record, long lastIndex) {
        int kind = random.nextInt(20);
        if (kind < 9) {
            return append(record);
        }
        if (kind < 18) {
            long from = random.nextInt(5) == 0 ? 1 : Math.max(1, lastIndex - random.nextInt(8));
            return read(from, 1 + random.nextInt(10));
        }
        return readHighWatermark();
    }

    /**
     * {@code threads} real threads, {@code opsPerThread} calls each, recorded into a {@link History}
     * with {@link System#nanoTime()}; about 2% of calls end indeterminate, half of those having
     * taken effect. Indeterminate appends come back resolved.
     */
    static List<Operation<Input<String>, Output<String>>> threaded(long seed, int threads, int opsPerThread)
            throws InterruptedException {
        SynchronizedLog log = new SynchronizedLog(new Random(seed));
        History<Input<String>, Output<String>> history = new History<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int process = t;
            Random random = new Random(seed * 31 + t);
            clients.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < opsPerThread; i++) {
                    Input<String> input = randomInput(random, "p" + process + "-" + i, log.lastIndex());
                    var call = history.invoke(process, input);
                    spin(random);
                    boolean indeterminate = random.nextInt(50) == 0;
                    if (indeterminate && random.nextBoolean()) {
                        call.info(); // gave up before the call went out
                        continue;
                    }
                    Output<String> output = log.run(input);
                    spin(random);
                    if (indeterminate) {
                        call.info(); // it happened, but the client never heard
                    } else {
                        call.ok(output);
                    }
                }
            }));
        }
        clients.forEach(Thread::start);
        start.countDown();
        for (Thread client : clients) {
            client.join();
        }
        return AppendOnlyLogModel.resolveIndeterminateAppends(history.operations());
    }

    /** Widens a call's interval a little, so that calls of different threads overlap. */
    private static void spin(Random random) {
        for (int i = random.nextInt(300); i > 0; i--) {
            Thread.onSpinWait();
        }
    }

    /** An event of {@link #simulated}: a client invokes, its call takes effect, or it returns. */
    private record Event(long time, Kind kind, Client client, long sequence) {}

    private enum Kind {
        INVOKE,
        EFFECT,
        RETURN
    }

    /** A client of {@link #simulated} and its call in flight. */
    private static final class Client {
        final int process;
        long invoked;
        Input<String> input;
        Output<String> output;
        boolean indeterminate;
        boolean takesEffect;

        Client(int process) {
            this.process = process;
        }
    }

    /**
     * {@code clients} clients on virtual time, one call at a time each: a call takes effect at a
     * random instant 1..{@code maxLatency} after its invocation and returns 1..{@code maxLatency}
     * after that; the client thinks for 0..{@code maxLatency}/2 before the next. With five clients
     * and these delays about four calls overlap at any time. A fraction {@code indeterminateRate}
     * of calls end indeterminate, half of them having taken effect. Deterministic from the seed.
     */
    static List<Operation<Input<String>, Output<String>>> simulated(
            long seed, int clients, int totalOps, int maxLatency, double indeterminateRate) {
        Random random = new Random(seed);
        SynchronizedLog log = new SynchronizedLog(random);
        List<Operation<Input<String>, Output<String>>> ops = new ArrayList<>();
        PriorityQueue<Event> events =
                new PriorityQueue<>(Comparator.comparingLong(Event::time).thenComparingLong(Event::sequence));
        long sequence = 0;
        for (int c = 0; c < clients; c++) {
            events.add(new Event(random.nextInt(maxLatency), Kind.INVOKE, new Client(c), sequence++));
        }
        int started = 0;
        while (!events.isEmpty()) {
            Event event = events.poll();
            Client c = event.client();
            long next = event.time() + 1 + random.nextInt(maxLatency);
            switch (event.kind()) {
                case INVOKE -> {
                    if (started == totalOps) {
                        continue;
                    }
                    started++;
                    c.invoked = event.time();
                    c.input = randomInput(random, "c" + c.process + "-" + started, log.lastIndex());
                    c.indeterminate = random.nextDouble() < indeterminateRate;
                    c.takesEffect = !c.indeterminate || random.nextBoolean();
                    events.add(new Event(next, Kind.EFFECT, c, sequence++));
                }
                case EFFECT -> {
                    c.output = c.takesEffect ? log.run(c.input) : null;
                    events.add(new Event(next, Kind.RETURN, c, sequence++));
                }
                case RETURN -> {
                    ops.add(
                            c.indeterminate
                                    ? Operation.indeterminate(c.process, c.input, c.invoked)
                                    : Operation.completed(c.process, c.input, c.invoked, c.output, event.time()));
                    long think = event.time() + random.nextInt(maxLatency / 2 + 1);
                    events.add(new Event(think, Kind.INVOKE, c, sequence++));
                }
            }
        }
        return AppendOnlyLogModel.resolveIndeterminateAppends(ops);
    }

    /**
     * The history with one read made stale: a read R whose page shows the record of an append A
     * that returned before R was invoked loses that record and everything after it. A must have
     * taken effect before R, and R's page is no longer full, so no order can explain it.
     *
     * @return the mutated history and a description of the change, or empty if no such pair exists
     */
    static Optional<Mutation> staleRead(List<Operation<Input<String>, Output<String>>> ops, Random random) {
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).isIndeterminate() && ops.get(i).input() instanceof Read) {
                reads.add(i);
            }
        }
        Collections.shuffle(reads, random);
        for (int r : reads) {
            Operation<Input<String>, Output<String>> read = ops.get(r);
            List<Entry<String>> entries = ((Page<String>) read.output().orElseThrow()).entries();
            for (Operation<Input<String>, Output<String>> a : ops) {
                if (a.isIndeterminate()
                        || !(a.input() instanceof Append<String> append)
                        || a.returnTime() >= read.invokeTime()) {
                    continue;
                }
                long offset = ((Appended<String>) a.output().orElseThrow()).offset();
                if (entries.contains(entry(offset, append.record()))) {
                    List<Entry<String>> stale =
                            entries.stream().filter(e -> e.offset() < offset).toList();
                    List<Operation<Input<String>, Output<String>>> mutated = new ArrayList<>(ops);
                    mutated.set(
                            r,
                            Operation.completed(
                                    read.process(), read.input(), read.invokeTime(), page(stale), read.returnTime()));
                    return Optional.of(new Mutation(mutated, r, read + " now returns " + stale + ", missing " + a));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A history changed to break linearizability.
     *
     * @param ops         the changed history
     * @param changed     the index of the changed operation
     * @param description what changed
     */
    record Mutation(List<Operation<Input<String>, Output<String>>> ops, int changed, String description) {}
}
