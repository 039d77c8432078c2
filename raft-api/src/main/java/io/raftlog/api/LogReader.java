package io.raftlog.api;

import java.time.Duration;
import java.util.List;

/**
 * Reads committed records in offset order, like a Kafka consumer on one partition.
 *
 * <p>A reader never returns a record that is not committed, and skips the log's internal entries
 * (so offsets may have gaps). One reader is meant for one thread at a time.
 */
public interface LogReader extends AutoCloseable {
    /**
     * Returns up to {@code maxRecords} committed records from the current position, waiting up to
     * {@code timeout} for the first one; an empty list if none arrived in time. Advances the position
     * past what it returns.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @throws NodeClosedException  if the node shut down
     */
    List<CommittedRecord> poll(int maxRecords, Duration timeout) throws InterruptedException;

    /** The offset the next {@link #poll} starts from. */
    long position();

    @Override
    void close();
}
