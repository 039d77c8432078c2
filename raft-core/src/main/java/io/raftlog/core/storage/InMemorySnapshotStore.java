package io.raftlog.core.storage;

import io.raftlog.api.spi.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SnapshotStore} in memory, for tests, the simulator and embedded experiments. Committed
 * snapshots live on an {@link InMemoryLogStore.Volume}, the "disk" the node's log store lives on,
 * so they survive closing this store and opening another on the same volume — or dropping it
 * without closing, which is how a simulation crashes a node. A writer keeps its bytes to itself
 * until {@link SnapshotWriter#commit()}, so a crash (the store dropped) loses them.
 *
 * <p>Thread-safe: the committed snapshots are guarded by the volume's monitor and never change
 * once committed (a damaged or replaced one is a new copy), so a reader needs no lock. Unlike
 * {@link InMemoryLogStore}, several stores may be open on one volume at once.
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    private static final String LOCATION = "memory";

    /** A committed snapshot: its bytes, never modified, never handed out. */
    static final class SnapshotData {
        private final SnapshotInfo info;
        private final byte[] bytes;

        private SnapshotData(SnapshotInfo info, byte[] bytes) {
            this.info = info;
            this.bytes = bytes;
        }

        SnapshotInfo info() {
            return info;
        }

        /**
         * A copy with the byte in the middle inverted.
         *
         * @throws IllegalArgumentException if the snapshot is empty
         */
        SnapshotData withByteFlipped() {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("snapshot " + info.index() + " is empty: there is no byte to flip");
            }
            byte[] damaged = bytes.clone();
            damaged[damaged.length / 2] ^= (byte) 0xFF;
            return new SnapshotData(info, damaged);
        }
    }

    private final InMemoryLogStore.Volume volume;
    private volatile boolean closed;

    /** A store on a fresh volume. */
    public InMemorySnapshotStore() {
        this(new InMemoryLogStore.Volume());
    }

    /** Opens a store on {@code volume}, seeing every snapshot committed there before. */
    public InMemorySnapshotStore(InMemoryLogStore.Volume volume) {
        this.volume = Objects.requireNonNull(volume, "volume");
    }

    /** The volume this store lives on. */
    public InMemoryLogStore.Volume volume() {
        return volume;
    }

    @Override
    public List<SnapshotInfo> list() {
        checkOpen();
        return volume.snapshots();
    }

    @Override
    public SnapshotWriter create(long index, long term) {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException(
                    "a snapshot has index >= 1 and term >= 1, got index " + index + " and term " + term);
        }
        checkOpen();
        return new Writer(index, term);
    }

    @Override
    public SnapshotReader open(long index) {
        checkOpen();
        SnapshotData snapshot;
        synchronized (volume) {
            snapshot = volume.committedSnapshots.get(index);
        }
        if (snapshot == null) {
            throw new IllegalArgumentException("there is no snapshot at index " + index + " in " + LOCATION);
        }
        return new Reader(snapshot);
    }

    @Override
    public void delete(long index) {
        synchronized (volume) {
            checkOpen();
            volume.committedSnapshots.remove(index);
        }
    }

    @Override
    public String location() {
        return LOCATION;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "InMemorySnapshotStore" + volume.snapshots();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the snapshot store is closed");
        }
    }

    /** Collects the bytes privately; commit puts them on the volume in one step. */
    private final class Writer implements SnapshotWriter {
        private final long index;
        private final long term;
        private byte[] bytes = new byte[256];
        private int size;
        private boolean done;
        private boolean committed;

        Writer(long index, long term) {
            this.index = index;
            this.term = term;
        }

        @Override
        public synchronized void write(ByteBuffer data) {
            Objects.requireNonNull(data, "data");
            checkWritable();
            int length = data.remaining();
            if (length > bytes.length - size) {
                grow(length);
            }
            data.get(bytes, size, length);
            size += length;
        }

        private void grow(int length) {
            long needed = (long) size + length;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("an in-memory snapshot holds less than 2 GiB; snapshot " + index
                        + " would be " + needed + " bytes");
            }
            long doubled = Math.max(needed, 2L * bytes.length);
            bytes = Arrays.copyOf(bytes, (int) Math.min(doubled, Integer.MAX_VALUE - 8));
        }

        @Override
        public synchronized long size() {
            return size;
        }

        @Override
        public synchronized SnapshotInfo commit() {
            checkWritable();
            done = true;
            SnapshotInfo info = new SnapshotInfo(index, term, size);
            SnapshotData snapshot = new SnapshotData(info, Arrays.copyOf(bytes, size));
            bytes = null;
            synchronized (volume) {
                checkOpen();
                volume.committedSnapshots.put(index, snapshot);
            }
            committed = true;
            return info;
        }

        @Override
        public synchronized void abort() {
            done = true;
            bytes = null;
        }

        private void checkWritable() {
            if (done) {
                throw new IllegalStateException(
                        "the writer of snapshot " + index + " was already " + (committed ? "committed" : "aborted"));
            }
            if (closed) {
                abort();
                throw new IllegalStateException("the snapshot store is closed; snapshot " + index + " was abandoned");
            }
        }
    }

    /** Reads the bytes it opened, whatever happens to the snapshot afterwards. */
    private final class Reader implements SnapshotReader {
        private final SnapshotData snapshot;
        private volatile boolean readerClosed;

        Reader(SnapshotData snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public SnapshotInfo info() {
            return snapshot.info;
        }

        @Override
        public int read(long position, ByteBuffer target) {
            Objects.requireNonNull(target, "target");
            if (readerClosed || closed) {
                throw new IllegalStateException("the reader of snapshot " + snapshot.info.index() + " is closed");
            }
            int end = snapshot.bytes.length;
            if (position < 0 || position > end) {
                throw new IllegalArgumentException(
                        "position " + position + " is outside snapshot " + snapshot.info.index() + " (0.." + end + ")");
            }
            int count = (int) Math.min(target.remaining(), end - position);
            target.put(snapshot.bytes, (int) position, count);
            return count;
        }

        @Override
        public void close() {
            readerClosed = true;
        }
    }
}
