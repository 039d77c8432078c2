package io.raftlog.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Raft-replicated, append-only log: what an application programs against.
 *
 * <p>All methods are thread-safe. Asynchronous methods never throw; they fail their future with
 * one of the exceptions below, and the exception says what the caller may rely on:
 * <ul>
 *   <li>a <em>definite</em> failure ({@link NotLeaderException}, {@link OverloadedException}) means
 *       the record is not, and never will be, in the log: retrying cannot duplicate it;</li>
 *   <li>{@link IndeterminateResultException} means the record may or may not commit (leadership was
 *       lost after it was appended, or the wait timed out): only an idempotent retry is safe.</li>
 * </ul>
 */
public interface ReplicatedLog extends AutoCloseable {
    /** Appends one record; completes with its offset once it is committed. */
    CompletableFuture<Long> append(Bytes record);

    /**
     * Appends records as one batch, in order and at consecutive offsets; completes with their
     * offsets once all are committed. Commitment is in log order, so if the future fails with
     * {@link IndeterminateResultException} some prefix of the batch may be committed; a definite
     * failure means none of it is.
     */
    CompletableFuture<List<Long>> appendAll(List<Bytes> records);

    /** The high watermark: the highest offset this node knows to be committed (0 if none). */
    long commitOffset();

    /** A reader positioned at {@code fromOffset} (1 is the start of the log). */
    LogReader reader(long fromOffset);

    /** This node's role, term, leader and indexes. */
    NodeStatus status();

    /** Stops the node: pending appends fail, readers are closed, storage and transport released. */
    @Override
    void close();
}
