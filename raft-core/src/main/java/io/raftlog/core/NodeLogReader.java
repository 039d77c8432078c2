package io.raftlog.core;

import io.raftlog.api.CommittedRecord;
import io.raftlog.api.LogReader;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.RaftException;
import io.raftlog.api.ReplicatedLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** A {@link LogReader} over {@link ReplicatedLog#read}: blocking polls that advance a position. */
final class NodeLogReader implements LogReader {
    private final ReplicatedLog log;
    private long position;
    private boolean closed;

    NodeLogReader(ReplicatedLog log, long fromOffset) {
        if (fromOffset < 1) {
            throw new IllegalArgumentException("fromOffset must be >= 1, was " + fromOffset);
        }
        this.log = log;
        this.position = fromOffset;
    }

    @Override
    public List<CommittedRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        try {
            List<CommittedRecord> records =
                    log.read(position, maxRecords, timeout).get();
            if (!records.isEmpty()) {
                position = records.get(records.size() - 1).offset() + 1;
            }
            return records;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RaftException raftError) {
                throw raftError;
            }
            throw new NodeClosedException("read failed: " + e.getCause());
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        closed = true;
    }
}
