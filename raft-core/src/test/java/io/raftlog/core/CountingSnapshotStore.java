package io.raftlog.core;

import io.raftlog.api.spi.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A snapshot store that counts the bytes read from it, to see how often snapshots are read. */
final class CountingSnapshotStore implements SnapshotStore {
    private final SnapshotStore store;
    final AtomicLong bytesRead = new AtomicLong();
    /** While not counted down, snapshots being taken wait before they start writing (a slow disk). */
    volatile java.util.concurrent.CountDownLatch writesWait = new java.util.concurrent.CountDownLatch(0);

    CountingSnapshotStore(SnapshotStore store) {
        this.store = store;
    }

    @Override
    public List<SnapshotInfo> list() {
        return store.list();
    }

    @Override
    public SnapshotWriter create(long index, long term) {
        try {
            writesWait.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return store.create(index, term);
    }

    @Override
    public SnapshotReader open(long index) {
        SnapshotReader reader = store.open(index);
        return new SnapshotReader() {
            @Override
            public SnapshotInfo info() {
                return reader.info();
            }

            @Override
            public int read(long position, ByteBuffer target) {
                int read = reader.read(position, target);
                bytesRead.addAndGet(read);
                return read;
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    @Override
    public void delete(long index) {
        store.delete(index);
    }

    @Override
    public String location() {
        return store.location();
    }

    @Override
    public void close() {
        store.close();
    }
}
