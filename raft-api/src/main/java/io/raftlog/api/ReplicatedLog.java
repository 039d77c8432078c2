package io.raftlog.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Raft-replicated, append-only log: what an application programs against.
 *
 * <p>All methods are thread-safe. Futures may complete on the node's own thread: actions chained
 * with {@code thenApply}, {@code whenComplete}… must be quick and must never block (waiting on
 * another of this log's futures there stalls the node); use the {@code *Async} variants for
 * anything slow. Asynchronous methods never throw; they fail their future with one of the
 * exceptions below, and the exception says what the caller may rely on:
 * <ul>
 *   <li>a <em>definite</em> failure ({@link NotLeaderException}, {@link OverloadedException}) means
 *       the record is not, and never will be, in the log: retrying cannot duplicate it;</li>
 *   <li>{@link IndeterminateResultException} means the record may or may not commit (leadership was
 *       lost after it was appended, or the wait timed out): only an idempotent retry is safe.</li>
 * </ul>
 */
public interface ReplicatedLog extends AutoCloseable {
    /**
     * Appends one record; completes with its offset once it is committed. A record too large for
     * the node to replicate (its transport's largest message less framing) fails at once with
     * {@link IllegalArgumentException}: a definite failure, nothing is appended.
     */
    CompletableFuture<Long> append(Bytes record);

    /**
     * Appends records as one batch, in order and at consecutive offsets; completes with their
     * offsets once all are committed. Commitment is in log order, so if the future fails with
     * {@link IndeterminateResultException} some prefix of the batch may be committed; a definite
     * failure means none of it is.
     */
    CompletableFuture<List<Long>> appendAll(List<Bytes> records);

    /**
     * Appends records idempotently, like Kafka's idempotent producer: the batch carries the
     * producer's id and the sequence number of its first record (the others follow
     * consecutively). A retry of a batch whose records are already in the log — because an earlier
     * attempt's outcome was unknown — completes with the offsets they already have instead of
     * appending them again. A producer's batches must continue its sequence without gaps (the
     * next batch starts right after the last one appended), else the append fails with
     * {@link OutOfOrderSequenceException} and nothing is appended; the
     * de-duplication state is replicated with the log, survives leader changes and restarts, and
     * forgets producers idle for long enough (see the node's configuration).
     *
     * @param producerId    identifies one producer; pick it at random (64 bits) when the producer starts
     * @param firstSequence sequence number of {@code records.get(0)}, from 0
     */
    CompletableFuture<List<Long>> appendAll(long producerId, long firstSequence, List<Bytes> records);

    /** The high watermark: the highest offset this node knows to be committed (0 if none). */
    long commitOffset();

    /**
     * The log start offset: the first offset the log still holds (1 until retention or
     * {@link #deleteRecordsBefore} removed records). Reading below it fails with
     * {@link OffsetOutOfRangeException}. Every replica moves it at the same position of the log;
     * a follower's may lag the leader's as its commit offset does.
     */
    long logStartOffset();

    /**
     * Removes the records below {@code offset}, like Kafka's {@code deleteRecords}: completes
     * with the new log start offset once the removal is committed (the disk space is freed once
     * a snapshot lies past them). Must be sent to the leader ({@link NotLeaderException}
     * otherwise, a definite failure). An offset at or below the log start changes nothing.
     *
     * @param offset from 1 to {@link #commitOffset()} + 1 ({@link IllegalArgumentException} otherwise)
     */
    CompletableFuture<Long> deleteRecordsBefore(long offset);

    /**
     * Reads committed records from {@code fromOffset} without blocking: completes with up to
     * {@code maxRecords} records in offset order as soon as at least one is committed at or after
     * {@code fromOffset}, or with an empty list once {@code maxWait} passes. Internal entries are
     * skipped, so the first record's offset may be above {@code fromOffset}. Reads this node's
     * committed prefix; on a follower it may lag the leader's. Fails with
     * {@link OffsetOutOfRangeException} if {@code fromOffset} is below the log start offset.
     */
    CompletableFuture<List<CommittedRecord>> read(long fromOffset, int maxRecords, java.time.Duration maxWait);

    /**
     * Like {@link #read(long, int, java.time.Duration)}, at the given consistency. A
     * {@link ReadConsistency#LINEARIZABLE} read first takes a {@link #readIndex()}, so its page
     * holds every record from {@code fromOffset} up to that index (as many as {@code maxRecords}
     * allows), in particular every record whose append was acknowledged before the call.
     */
    default CompletableFuture<List<CommittedRecord>> read(
            long fromOffset, int maxRecords, java.time.Duration maxWait, ReadConsistency consistency) {
        if (consistency == ReadConsistency.COMMITTED) {
            return read(fromOffset, maxRecords, maxWait);
        }
        return readIndex().thenCompose(index -> read(fromOffset, maxRecords, maxWait));
    }

    /**
     * A linearizable high watermark (ReadIndex, Raft thesis §6.4), without writing to the log:
     * completes with an offset at or above every record whose append was acknowledged, by any
     * node, before this call, once this node has applied that far — so its reads up to that
     * offset see all of those records. On a leader it costs a round of heartbeats to confirm it
     * still leads; a follower asks its leader. Fails with {@link NotLeaderException} (nothing
     * changed; retry, possibly elsewhere) when no leader confirms: during an election, or on a
     * node cut off from a majority — never with a stale offset.
     */
    CompletableFuture<Long> readIndex();

    /**
     * The cluster's membership as this node knows it: the newest configuration entry in its log
     * (in effect as soon as it is there, committed or not), or the one its snapshot or its start
     * flags gave.
     */
    default Membership membership() {
        throw new UnsupportedOperationException("this log does not track its membership");
    }

    /**
     * Adds {@code node}, reachable at {@code address}, as a learner: it receives the log (by
     * snapshot first if it needs entries the leader no longer holds) but does not vote or count
     * toward any quorum. Start it with an empty data directory as a joining node first (or just
     * after). Completes with the new membership once the change is committed. Must be sent to the
     * leader ({@link NotLeaderException} otherwise); fails with {@link MembershipChangeException}
     * (a definite failure: nothing changed) if the change is not allowed now, saying why, and with
     * {@link IndeterminateResultException} if its outcome is not known (not committed within the
     * append timeout, or the node closed first): it may still take effect; read
     * {@link #membership()} to see.
     */
    default CompletableFuture<Membership> addLearner(NodeId node, String address) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("membership changes"));
    }

    /**
     * Makes the learner {@code node} a voter, once it has caught up with the leader (refused with
     * {@link MembershipChangeException} before). As {@link #addLearner}, completes once committed.
     */
    default CompletableFuture<Membership> promote(NodeId node) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("membership changes"));
    }

    /**
     * Removes {@code node}, a voter or a learner. Refused if it leads (transfer leadership first)
     * or if the voters left that answer the leader would not make a quorum. As {@link #addLearner},
     * completes once committed; the removed node then no longer gets the log, never campaigns
     * once it knows, and can be stopped.
     */
    default CompletableFuture<Membership> removeMember(NodeId node) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("membership changes"));
    }

    /**
     * Asks this node, if it leads, to hand leadership to the voter {@code target} (Raft thesis
     * §3.10): appends are refused meanwhile (with the target as the leader hint), and the target
     * campaigns once it holds the whole log. Completes once the request is taken; the transfer is
     * abandoned after an election timeout if it does not complete.
     */
    default CompletableFuture<Void> transferLeadership(NodeId target) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("leadership transfer"));
    }

    /** A reader positioned at {@code fromOffset} (1 is the start of the log). */
    LogReader reader(long fromOffset);

    /** This node's role, term, leader and indexes. */
    NodeStatus status();

    /** Stops the node: pending appends fail, readers are closed, storage and transport released. */
    @Override
    void close();
}
