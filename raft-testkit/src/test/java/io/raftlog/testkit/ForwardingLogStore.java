package io.raftlog.testkit;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A store that hands every call to another one: the base of the deliberately broken stores. */
class ForwardingLogStore implements LogStore {
    final LogStore delegate;

    ForwardingLogStore(LogStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public HardState hardState() {
        return delegate.hardState();
    }

    @Override
    public void saveHardState(HardState state) {
        delegate.saveHardState(state);
    }

    @Override
    public void replace(LogEntry entry) {
        delegate.replace(entry);
    }

    @Override
    public Optional<Bytes> metadata(String name) {
        return delegate.metadata(name);
    }

    @Override
    public void saveMetadata(String name, Bytes value) {
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
        return delegate.term(index);
    }

    @Override
    public void append(List<LogEntry> entries) {
        delegate.append(entries);
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        delegate.truncateSuffix(fromIndex);
    }

    @Override
    public void truncatePrefix(long toIndex) {
        delegate.truncatePrefix(toIndex);
    }

    @Override
    public void reset(long index, long term) {
        delegate.reset(index, term);
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        return delegate.read(fromIndex, maxEntries, maxBytes);
    }

    @Override
    public int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
        return delegate.forEach(fromIndex, maxEntries, maxBytes, visitor);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
