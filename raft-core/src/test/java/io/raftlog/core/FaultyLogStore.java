package io.raftlog.core;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.List;
import java.util.function.Consumer;

/**
 * A store that fails on demand: while {@link #writeError} is set, every write throws it and
 * changes nothing (as a full disk or an I/O error does to a transactional store).
 */
final class FaultyLogStore implements LogStore {
    private final LogStore delegate;
    /** Thrown by every write while set. */
    volatile RuntimeException writeError;
    /** Writes refused since the store was made. */
    volatile int refusedWrites;
    /** While set, every write blocks until it is cleared (a disk that stalls, as this machine's do). */
    private volatile java.util.concurrent.CountDownLatch stall;
    /** Writes that have waited on a stall. */
    private final java.util.concurrent.atomic.AtomicInteger stalled = new java.util.concurrent.atomic.AtomicInteger();

    /** How many writes have blocked on a stall so far. */
    int stalledWrites() {
        return stalled.get();
    }

    /** Makes writes block from now on, until {@link #resume()}. */
    void stall() {
        stall = new java.util.concurrent.CountDownLatch(1);
    }

    /** Lets blocked and later writes through. */
    void resume() {
        java.util.concurrent.CountDownLatch current = stall;
        stall = null;
        if (current != null) {
            current.countDown();
        }
    }

    FaultyLogStore(LogStore delegate) {
        this.delegate = delegate;
    }

    private void checkWrite() {
        java.util.concurrent.CountDownLatch current = stall;
        if (current != null) {
            stalled.incrementAndGet();
            try {
                current.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException error = writeError;
        if (error != null) {
            refusedWrites++;
            throw error;
        }
    }

    @Override
    public HardState hardState() {
        return delegate.hardState();
    }

    @Override
    public void saveHardState(HardState state) {
        checkWrite();
        delegate.saveHardState(state);
    }

    @Override
    public java.util.Optional<io.raftlog.api.Bytes> metadata(String name) {
        return delegate.metadata(name);
    }

    @Override
    public void saveMetadata(String name, io.raftlog.api.Bytes value) {
        checkWrite();
        delegate.saveMetadata(name, value);
    }

    @Override
    public long firstIndex() {
        return delegate.firstIndex();
    }

    @Override
    public long lastIndex() {
        return delegate.lastIndex();
    }

    @Override
    public long term(long index) {
        if (corrupt.contains(index)) {
            throw new io.raftlog.api.CorruptLogException(index, "test store", "CRC32C mismatch (a test's bit flip)");
        }
        return delegate.term(index);
    }

    @Override
    public void append(List<LogEntry> entries) {
        checkWrite();
        delegate.append(entries);
    }

    @Override
    public void replace(LogEntry entry) {
        checkWrite();
        delegate.replace(entry);
        corrupt.remove(entry.index());
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        checkWrite();
        delegate.truncateSuffix(fromIndex);
        corrupt.removeIf(index -> index >= fromIndex);
    }

    @Override
    public void truncatePrefix(long toIndex) {
        checkWrite();
        delegate.truncatePrefix(toIndex);
    }

    @Override
    public void reset(long index, long term) {
        checkWrite();
        delegate.reset(index, term);
        corrupt.clear();
    }

    /** Indexes whose stored copy fails its check, as a flipped bit would, until replaced or truncated. */
    final java.util.Set<Long> corrupt = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void checkRead(long fromIndex, int count) {
        for (long index : corrupt) {
            if (index >= fromIndex && index < fromIndex + count) {
                throw new io.raftlog.api.CorruptLogException(
                        index, "test store", "CRC32C mismatch (a test's bit flip)");
            }
        }
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        List<LogEntry> entries = delegate.read(fromIndex, maxEntries, maxBytes);
        checkRead(fromIndex, entries.size());
        return entries;
    }

    @Override
    public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
        List<LogEntry> entries = read(fromIndex, maxEntries, maxBytes);
        entries.forEach(visitor);
        return entries.size();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
