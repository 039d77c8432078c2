package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of the log-lifecycle issue, behind the {@code soak} profile (never in {@code mvn
 * verify}): three real node processes on the default store with retention of 1 GiB take a steady stream of
 * 256-byte records for {@code raftlog.soak.minutes} (30 by default); every 10 s each data directory
 * is measured, and it must never exceed 1.5 GiB. At the end every acknowledged record at or above
 * each node's log start must be there, byte for byte.
 *
 * <pre>{@code ./mvnw -B verify -Psoak -pl raft-examples -am -Draftlog.soak.minutes=30}</pre>
 */
class RetentionSoak {
    private static final long RETENTION = 1L << 30;
    private static final long LIMIT = RETENTION + RETENTION / 2;
    private static final int RECORD_BYTES = 256;
    private static final int BATCH = 500;
    private static final int IN_FLIGHT = 8;

    @TempDir
    Path data;

    @Test
    void theDataDirectoryStaysBoundedAndNoRecordAboveTheLogStartIsLost() throws Exception {
        long minutes = Long.getLong("raftlog.soak.minutes", 30);
        try (NodeProcesses cluster = new NodeProcesses(data, 3)) {
            for (String id : cluster.addresses.keySet()) {
                cluster.start(id, "--bootstrap", "--retention-bytes", Long.toString(RETENTION));
            }
            try (RaftClient client = new RaftClient(
                    RaftClientConfig.of("raftlog", cluster.seeds()).withRequestTimeout(Duration.ofSeconds(60)))) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
                long nextMeasure = 0;
                long maxBytes = 0;
                long sequence = 0;
                // {first offset, first sequence, count} of every acknowledged batch, in order.
                List<long[]> batches = new ArrayList<>();
                List<CompletableFuture<List<Long>>> inFlight = new ArrayList<>();
                List<Long> firstSequences = new ArrayList<>();
                while (System.nanoTime() < deadline) {
                    while (inFlight.size() < IN_FLIGHT) {
                        List<Bytes> batch = new ArrayList<>(BATCH);
                        for (int i = 0; i < BATCH; i++) {
                            batch.add(record(sequence + i));
                        }
                        firstSequences.add(sequence);
                        sequence += BATCH;
                        inFlight.add(client.appendAll(batch));
                    }
                    List<Long> offsets = inFlight.remove(0).get(120, TimeUnit.SECONDS);
                    long first = firstSequences.remove(0);
                    for (int i = 1; i < offsets.size(); i++) {
                        assertThat(offsets.get(i)).isEqualTo(offsets.get(0) + i);
                    }
                    batches.add(new long[] {offsets.get(0), first, offsets.size()});
                    if (System.nanoTime() >= nextMeasure) {
                        nextMeasure = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        for (String id : cluster.addresses.keySet()) {
                            long bytes = directoryBytes(data.resolve(id));
                            maxBytes = Math.max(maxBytes, bytes);
                            assertThat(bytes)
                                    .as("data directory of %s after %d records", id, sequence)
                                    .isLessThanOrEqualTo(LIMIT);
                        }
                        NodeStatus status = client.status().get(10, TimeUnit.SECONDS);
                        System.out.printf(
                                "soak: %d records, log start %d, log %d MiB, largest directory %d MiB%n",
                                sequence,
                                status.log().startOffset(),
                                status.log().sizeBytes() >> 20,
                                maxBytes >> 20);
                    }
                }
                for (CompletableFuture<List<Long>> pending : inFlight) {
                    List<Long> offsets = pending.get(120, TimeUnit.SECONDS);
                    batches.add(new long[] {offsets.get(0), firstSequences.remove(0), offsets.size()});
                }
                long last = batches.get(batches.size() - 1)[0] + batches.get(batches.size() - 1)[2] - 1;
                for (InetSocketAddress node : cluster.seeds()) {
                    checkRetained(client, node, batches, last);
                }
                System.out.printf(
                        "soak done: %d records in %d min, largest data directory %d MiB (limit %d MiB)%n",
                        sequence, minutes, maxBytes >> 20, LIMIT >> 20);
            }
        }
    }

    private static Bytes record(long sequence) {
        byte[] bytes = Arrays.copyOf(("soak-" + sequence + "-").getBytes(StandardCharsets.US_ASCII), RECORD_BYTES);
        Arrays.fill(bytes, ("soak-" + sequence + "-").length(), RECORD_BYTES, (byte) ('a' + sequence % 26));
        return Bytes.wrap(bytes);
    }

    /** Every acknowledged record from {@code node}'s log start to {@code last} is there, intact. */
    private static void checkRetained(RaftClient client, InetSocketAddress node, List<long[]> batches, long last)
            throws Exception {
        NodeStatus status = awaitApplied(client, node, last);
        long next = status.log().startOffset();
        int batch = 0;
        while (batch < batches.size() && batches.get(batch)[0] + batches.get(batch)[2] <= next) {
            batch++;
        }
        long checked = 0;
        while (next <= last) {
            List<CommittedRecord> records =
                    client.read(node, next, 2000, Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
            assertThat(records).as("records from %d on %s", next, node).isNotEmpty();
            for (CommittedRecord record : records) {
                while (batch < batches.size() && batches.get(batch)[0] + batches.get(batch)[2] <= record.offset()) {
                    batch++;
                }
                long[] held = batches.get(batch);
                if (record.offset() >= held[0]) {
                    long sequence = held[1] + (record.offset() - held[0]);
                    assertThat(record.payload())
                            .as("record at %d on %s", record.offset(), node)
                            .isEqualTo(record(sequence));
                    checked++;
                }
                next = record.offset() + 1;
            }
        }
        long expected = 0;
        for (long[] held : batches) {
            long from = Math.max(held[0], status.log().startOffset());
            expected += Math.max(0, held[0] + held[2] - from);
        }
        assertThat(checked)
                .as("acknowledged records at or above the log start on %s", node)
                .isEqualTo(expected);
    }

    private static NodeStatus awaitApplied(RaftClient client, InetSocketAddress node, long last) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            NodeStatus status = client.status(node).get(10, TimeUnit.SECONDS);
            if (status.commitIndex() >= last) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + " applied only " + status.commitIndex() + " of " + last);
            }
            client.read(node, status.commitIndex() + 1, 1, Duration.ofMillis(200))
                    .get(10, TimeUnit.SECONDS);
        }
    }

    private static long directoryBytes(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException gone) {
                            return 0; // a snapshot replaced meanwhile
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
