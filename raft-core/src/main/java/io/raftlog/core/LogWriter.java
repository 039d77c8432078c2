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
    /** Starts accepting Readys. */
    void start();

    /** Queues {@code ready}; returns at once. */
    void submit(Ready ready);

    /** Finishes what is queued, then stops. */
    void stop();

    /** Told what became durable; called from the writer's thread. */
    interface Listener {
        /**
         * Entries up to ({@code index}, {@code term}) of a Ready handed out at {@code logEpoch}
         * are durable, with every earlier Ready's writes.
         */
        void durable(long index, long term, long logEpoch);

        /** A write failed: the node cannot go on. */
        void failed(RuntimeException error);
    }
}
