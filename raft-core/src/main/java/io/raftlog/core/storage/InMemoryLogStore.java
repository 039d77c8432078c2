package io.raftlog.core.storage;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link LogStore} in memory, for tests, the simulator and embedded experiments. Nothing survives
 * the JVM; what is written does survive {@link #close()} and re-opening on the same {@link Volume},
 * which plays the part of a disk.
 *
 * <p>Thread-safe: every method holds the volume's monitor, so readers on other threads see each
 * mutation whole.
 */
public final class InMemoryLogStore implements LogStore {
    /** The "disk" an in-memory store lives on; outlives the stores opened on it. */
    public static final class Volume {
        private final ArrayList<LogEntry> entries = new ArrayList<>();
        private long firstIndex = 1;
        private long termBeforeFirst;
        private HardState hardState = HardState.INITIAL;
        private final java.util.Map<String, io.raftlog.api.Bytes> metadata = new java.util.HashMap<>();
        /** Entries whose stored copy fails its check, as a flipped bit caught by a checksum would. */
        private final java.util.Set<Long> damaged = new java.util.HashSet<>();
        /** The committed snapshots of {@link InMemorySnapshotStore}s on this volume, by index. */
        final java.util.TreeMap<Long, InMemorySnapshotStore.SnapshotData> committedSnapshots =
                new java.util.TreeMap<>();

        private boolean open;

        /**
         * Damages the stored entry at {@code index} (a flipped bit, for simulations): reading it
         * fails with {@link io.raftlog.api.CorruptLogException} until it is replaced or truncated.
         */
        public synchronized void damage(long index) {
            damaged.add(index);
        }

        /**
         * Makes the stored entry at {@code index} hold {@code payload} instead, with nothing to
         * tell: a misdirected or phantom write that a checksum cannot catch (the simulator's
         * checker must). Its index, term and type stay.
         */
        public synchronized void forge(long index, io.raftlog.api.Bytes payload) {
            int at = (int) (index - firstIndex);
            if (at < 0 || at >= entries.size()) {
                throw new IllegalArgumentException("no stored entry " + index);
            }
            LogEntry entry = entries.get(at);
            entries.set(at, new LogEntry(entry.index(), entry.term(), entry.type(), payload));
        }

        /**
         * Up to {@code max} entries from {@code from}, damaged or not: what the bytes were before a
         * simulated flip (for a simulation's own checks, never for a node).
         */
        public synchronized List<LogEntry> rawEntries(long from, int max) {
            int start = (int) (from - firstIndex);
            if (start < 0 || start >= entries.size()) {
                return List.of();
            }
            return List.copyOf(entries.subList(start, Math.min(entries.size(), start + max)));
        }

        /** The lowest damaged index, or -1. */
        public synchronized long someDamaged() {
            return damaged.isEmpty() ? -1 : java.util.Collections.min(damaged);
        }

        /** Whether any entry is damaged. */
        public synchronized boolean hasDamage() {
            return !damaged.isEmpty();
        }

        /** Whether the entry at {@code index} is damaged. */
        public synchronized boolean isDamaged(long index) {
            return damaged.contains(index);
        }

        /** The metadata record {@code name} on this volume (for a simulation's own checks). */
        public synchronized java.util.Optional<io.raftlog.api.Bytes> metadata(String name) {
            return java.util.Optional.ofNullable(metadata.get(name));
        }

        /** Removes the metadata record {@code name}, as a partial restore of a data directory would (for tests). */
        public synchronized void removeMetadata(String name) {
            metadata.remove(name);
        }

        /** The hard state on this volume (for a simulation's own checks). */
        public synchronized HardState hardState() {
            return hardState;
        }

        /** The index of the first entry held (what a simulation checks against the log start). */
        public synchronized long firstIndex() {
            return firstIndex;
        }

        /** Number of entries held. */
        public synchronized int size() {
            return entries.size();
        }

        /**
         * Damages the committed snapshot at {@code index} (a flipped bit, for simulations): one byte
         * in its middle is inverted, so a reader gets wrong bytes that only the node's checksum can
         * catch. Readers opened before keep the intact bytes.
         *
         * @throws IllegalArgumentException if there is no snapshot at {@code index}, or it is empty
         */
        public synchronized void damageSnapshot(long index) {
            InMemorySnapshotStore.SnapshotData snapshot = committedSnapshots.get(index);
            if (snapshot == null) {
                throw new IllegalArgumentException("there is no snapshot at index " + index + " on this volume");
            }
            committedSnapshots.put(index, snapshot.withByteFlipped());
        }

        /** The committed snapshots on this volume, lowest index first (for a simulation's own checks). */
        public synchronized List<io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo> snapshots() {
            List<io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo> infos =
                    new ArrayList<>(committedSnapshots.size());
            for (InMemorySnapshotStore.SnapshotData snapshot : committedSnapshots.values()) {
                infos.add(snapshot.info());
            }
            return List.copyOf(infos);
        }

        /** A copy of everything on this volume now, as a backup of a data directory would be. */
        public synchronized Volume copy() {
            Volume copy = new Volume();
            copy.committedSnapshots.putAll(committedSnapshots);
            copy.entries.addAll(entries);
            copy.firstIndex = firstIndex;
            copy.termBeforeFirst = termBeforeFirst;
            copy.hardState = hardState;
            copy.metadata.putAll(metadata);
            copy.damaged.addAll(damaged);
            return copy;
        }
    }

    private final Volume volume;
    private boolean closed;

    /** A store on a fresh volume. */
    public InMemoryLogStore() {
        this(new Volume());
    }

    /**
     * Opens a store on {@code volume}, seeing everything earlier stores on it wrote.
     *
     * @throws IllegalStateException if another store on the volume is still open
     */
    public InMemoryLogStore(Volume volume) {
        this.volume = Objects.requireNonNull(volume, "volume");
        synchronized (volume) {
            if (volume.open) {
                throw new IllegalStateException("the volume is in use by another open store");
            }
            volume.open = true;
        }
    }

    /** The volume this store lives on. */
    public Volume volume() {
        return volume;
    }

    @Override
    public HardState hardState() {
        synchronized (volume) {
            checkOpen();
            return volume.hardState;
        }
    }

    @Override
    public void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        synchronized (volume) {
            checkOpen();
            volume.hardState = state;
        }
    }

    @Override
    public java.util.Optional<io.raftlog.api.Bytes> metadata(String name) {
        LogStore.checkMetadata(name, null);
        synchronized (volume) {
            checkOpen();
            return java.util.Optional.ofNullable(volume.metadata.get(name));
        }
    }

    @Override
    public void saveMetadata(String name, io.raftlog.api.Bytes value) {
        Objects.requireNonNull(value, "value");
        LogStore.checkMetadata(name, value);
        synchronized (volume) {
            checkOpen();
            volume.metadata.put(name, value);
        }
    }

    @Override
    public long firstIndex() {
        synchronized (volume) {
            checkOpen();
            return volume.firstIndex;
        }
    }

    @Override
    public long lastIndex() {
        synchronized (volume) {
            checkOpen();
            return lastIndexLocked();
        }
    }

    @Override
    public long term(long index) {
        synchronized (volume) {
            checkOpen();
            if (index == volume.firstIndex - 1) {
                return volume.termBeforeFirst;
            }
            if (index < volume.firstIndex || index > lastIndexLocked()) {
                throw new IllegalArgumentException(
                        "index " + index + " is outside the log " + (volume.firstIndex - 1) + ".." + lastIndexLocked());
            }
            checkIntact(index);
            return volume.entries.get(offset(index)).term();
        }
    }

    private void checkIntact(long index) {
        if (!volume.damaged.isEmpty() && volume.damaged.contains(index)) {
            throw new io.raftlog.api.CorruptLogException(index, "in-memory volume", "damaged (a simulated bit flip)");
        }
    }

    @Override
    public void append(List<LogEntry> entries) {
        synchronized (volume) {
            checkOpen();
            long expected = lastIndexLocked() + 1;
            long lastTerm = volume.entries.isEmpty()
                    ? volume.termBeforeFirst
                    : volume.entries.get(volume.entries.size() - 1).term();
            for (LogEntry entry : entries) {
                if (entry.index() != expected) {
                    throw new IllegalArgumentException(
                            "expected an entry at index " + expected + ", got " + entry.index());
                }
                if (entry.term() < lastTerm) {
                    throw new IllegalArgumentException("entry " + entry.index() + " has term " + entry.term()
                            + ", below the preceding term " + lastTerm);
                }
                lastTerm = entry.term();
                expected++;
            }
            volume.entries.addAll(entries);
        }
    }

    @Override
    public void replace(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        synchronized (volume) {
            checkOpen();
            long last = volume.firstIndex + volume.entries.size() - 1;
            if (entry.index() < volume.firstIndex || entry.index() > last) {
                throw new IllegalArgumentException("replace(" + entry.index() + ") is outside the stored entries "
                        + volume.firstIndex + ".." + last);
            }
            volume.entries.set(offset(entry.index()), entry);
            volume.damaged.remove(entry.index());
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        synchronized (volume) {
            checkOpen();
            checkBoundary("truncateSuffix", fromIndex);
            volume.entries.subList(offset(fromIndex), volume.entries.size()).clear();
            volume.damaged.removeIf(index -> index >= fromIndex);
        }
    }

    @Override
    public void truncatePrefix(long toIndex) {
        synchronized (volume) {
            checkOpen();
            checkBoundary("truncatePrefix", toIndex);
            if (toIndex == volume.firstIndex) {
                return;
            }
            volume.termBeforeFirst = volume.entries.get(offset(toIndex - 1)).term();
            volume.entries.subList(0, offset(toIndex)).clear();
            volume.damaged.removeIf(index -> index < toIndex);
            volume.entries.trimToSize();
            volume.firstIndex = toIndex;
        }
    }

    @Override
    public void reset(long index, long term) {
        LogStore.checkReset(index, term);
        synchronized (volume) {
            checkOpen();
            volume.entries.clear();
            volume.entries.trimToSize();
            volume.damaged.clear();
            volume.firstIndex = index + 1;
            volume.termBeforeFirst = term;
        }
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "maxEntries and maxBytes must be positive, were " + maxEntries + " and " + maxBytes);
        }
        synchronized (volume) {
            checkOpen();
            checkBoundary("read", fromIndex);
            int from = offset(fromIndex);
            int to = (int) Math.min(volume.entries.size(), (long) from + maxEntries);
            List<LogEntry> result = new ArrayList<>(Math.min(to - from, 1024));
            long bytes = 0;
            for (int i = from; i < to; i++) {
                LogEntry entry = volume.entries.get(i);
                checkIntact(entry.index());
                bytes += entry.sizeInBytes();
                if (bytes > maxBytes && !result.isEmpty()) {
                    break;
                }
                result.add(entry);
            }
            return result;
        }
    }

    @Override
    public void close() {
        synchronized (volume) {
            if (!closed) {
                closed = true;
                volume.open = false;
            }
        }
    }

    private long lastIndexLocked() {
        return volume.firstIndex + volume.entries.size() - 1;
    }

    private int offset(long index) {
        return (int) (index - volume.firstIndex);
    }

    private void checkBoundary(String operation, long index) {
        if (index < volume.firstIndex || index > lastIndexLocked() + 1) {
            throw new IllegalArgumentException(
                    operation + "(" + index + ") is outside " + volume.firstIndex + ".." + (lastIndexLocked() + 1));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
