package io.raftlog.examples.kv;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.transport.netty.client.RaftClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The three calls of a log a {@link KvView} needs, so that one view works on a remote cluster
 * ({@link #of(RaftClient)}) and on an embedded node ({@link #of(ReplicatedLog)}) alike; each
 * behaves as the method of the same name on {@link ReplicatedLog}.
 */
public interface KvLog {
    /** Appends one record; completes with its offset once committed. */
    CompletableFuture<Long> append(Bytes record);

    /** An offset at or above every record whose append was acknowledged before the call. */
    CompletableFuture<Long> readIndex();

    /**
     * Up to {@code maxRecords} committed records from {@code fromOffset}, linearizably: the page
     * holds every record from there whose append was acknowledged before the call, as far as
     * {@code maxRecords} (and a frame) allow; an empty page means there is none.
     */
    CompletableFuture<List<CommittedRecord>> readLinearizable(long fromOffset, int maxRecords);

    /** {@code client}'s cluster. */
    static KvLog of(RaftClient client) {
        Objects.requireNonNull(client, "client");
        return new KvLog() {
            @Override
            public CompletableFuture<Long> append(Bytes record) {
                return client.append(record);
            }

            @Override
            public CompletableFuture<Long> readIndex() {
                return client.readIndex();
            }

            @Override
            public CompletableFuture<List<CommittedRecord>> readLinearizable(long fromOffset, int maxRecords) {
                return client.read(fromOffset, maxRecords, Duration.ZERO, ReadConsistency.LINEARIZABLE);
            }
        };
    }

    /** The embedded node {@code log}: it must lead for appends to succeed. */
    static KvLog of(ReplicatedLog log) {
        Objects.requireNonNull(log, "log");
        return new KvLog() {
            @Override
            public CompletableFuture<Long> append(Bytes record) {
                return log.append(record);
            }

            @Override
            public CompletableFuture<Long> readIndex() {
                return log.readIndex();
            }

            @Override
            public CompletableFuture<List<CommittedRecord>> readLinearizable(long fromOffset, int maxRecords) {
                return log.read(fromOffset, maxRecords, Duration.ZERO, ReadConsistency.LINEARIZABLE);
            }
        };
    }
}
