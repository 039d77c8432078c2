package io.raftlog.core;

import io.raftlog.core.protocol.Ready;

/**
 * Makes a node's {@link Ready}s durable, in the order submitted: saves the hard state, truncates
 * and appends the entries, and only once a Ready's writes and every earlier Ready's are durable,
 * sends its {@link Ready#messagesAfterPersist()} and reports the last entry to the {@link Listener}.
 * The sending and the report are independent: either may happen first. In production this is an
 * I/O thread that merges queued Readys into one fsync; a simulation decides when each step happens.
 */
public interface LogWriter {
    /** Whether {@code error}, thrown by a store's write, may pass if the write is tried again. */
    static boolean isTransient(RuntimeException error) {
        return error instanceof io.raftlog.api.StorageException
                && !(error instanceof io.raftlog.api.CorruptLogException);
    }

    /** Starts accepting Readys. */
    void start();

    /** Queues {@code ready}; returns at once. */
    void submit(Ready ready);

    /**
     * Queues a write of store metadata ({@link io.raftlog.api.spi.storage.LogStore#saveMetadata}) on
     * the writer's thread, in no particular order with the Readys (nothing depends on that order);
     * returns at once. Retried like a Ready while writes fail.
     */
    void saveMetadata(String name, io.raftlog.api.Bytes value);

    /**
     * Queues a repair ({@link io.raftlog.api.spi.storage.LogStore#replace}) of one entry that failed
     * its integrity check with an intact copy; {@code whenDurable} runs on the writer's thread once
     * it is durable. Retried like a Ready while writes fail.
     */
    void repair(io.raftlog.api.message.LogEntry entry, Runnable whenDurable);

    /**
     * Queues a reset of the store ({@link io.raftlog.api.spi.storage.LogStore#reset}) to start
     * after an installed snapshot: done after every Ready submitted before it and before any
     * submitted after. Retried like a Ready while writes fail.
     */
    void reset(long index, long term);

    /**
     * Queues the removal of the durable entries before {@code toIndex}
     * ({@link io.raftlog.api.spi.storage.LogStore#truncatePrefix}), once a snapshot covers them:
     * ordered like {@link #reset}; skipped if the log no longer reaches that far.
     */
    void truncatePrefix(long toIndex);

    /** Finishes what is queued, then stops. */
    void stop();

    /** Told what became durable; called from the writer's thread. */
    interface Listener {
        /**
         * Entries up to ({@code index}, {@code term}) of a Ready handed out at {@code logEpoch}
         * are durable, with every earlier Ready's writes.
         */
        void durable(long index, long term, long logEpoch);

        /**
         * A write failed with an error that may pass (an I/O error, a full disk): nothing of it is
         * reported durable, and the writer retries it with back-off. Called on every failed attempt.
         */
        void writeFailing(RuntimeException error);

        /** Writes succeed again after {@link #writeFailing}. */
        void writeRecovered();

        /** A write failed for good (a corrupt store, a bug): the node cannot go on. */
        void failed(RuntimeException error);
    }
}
