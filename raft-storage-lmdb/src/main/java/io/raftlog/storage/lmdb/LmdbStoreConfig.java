package io.raftlog.storage.lmdb;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how an {@link LmdbLogStore} keeps its data.
 *
 * @param directory           the data directory (created if missing); holds {@code data.mdb},
 *                            {@code lock.mdb} and the {@code raftlog.lock} that keeps a second
 *                            process out
 * @param syncMode            durability of each write; anything but {@link SyncMode#SYNC} can lose
 *                            acknowledged data
 * @param initialMapSizeBytes the LMDB map size to start with; the map grows automatically when it
 *                            fills (the file itself only grows as data is written)
 * @param maxMapSizeBytes     the size past which the map does not grow; a write that needs more
 *                            fails with a {@link io.raftlog.api.StorageException} saying so
 * @param maxReaders          how many read transactions may be open at once (one per concurrent
 *                            read call)
 */
public record LmdbStoreConfig(
        Path directory, SyncMode syncMode, long initialMapSizeBytes, long maxMapSizeBytes, int maxReaders) {
    /** The default initial map size, 64 MiB. */
    public static final long DEFAULT_INITIAL_MAP_SIZE_BYTES = 64L << 20;
    /** The default maximum map size, 1 TiB (address space only; disk is used as data is written). */
    public static final long DEFAULT_MAX_MAP_SIZE_BYTES = 1L << 40;
    /** The default number of concurrent readers. */
    public static final int DEFAULT_MAX_READERS = 126;

    private static final long PAGE_BYTES = 4096;

    public LmdbStoreConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(syncMode, "syncMode");
        if (initialMapSizeBytes < 16 * PAGE_BYTES || initialMapSizeBytes % PAGE_BYTES != 0) {
            throw new IllegalArgumentException("initialMapSizeBytes must be a multiple of " + PAGE_BYTES
                    + " and at least " + 16 * PAGE_BYTES + ", was " + initialMapSizeBytes);
        }
        if (maxMapSizeBytes < initialMapSizeBytes || maxMapSizeBytes % PAGE_BYTES != 0) {
            throw new IllegalArgumentException("maxMapSizeBytes (" + maxMapSizeBytes + ") must be a multiple of "
                    + PAGE_BYTES + " and >= initialMapSizeBytes (" + initialMapSizeBytes + ")");
        }
        if (maxReaders < 1) {
            throw new IllegalArgumentException("maxReaders must be >= 1, was " + maxReaders);
        }
    }

    /** Durable defaults for {@code directory}. */
    public static LmdbStoreConfig of(Path directory) {
        return new LmdbStoreConfig(
                directory,
                SyncMode.SYNC,
                DEFAULT_INITIAL_MAP_SIZE_BYTES,
                DEFAULT_MAX_MAP_SIZE_BYTES,
                DEFAULT_MAX_READERS);
    }

    /** A copy with {@code mode}. */
    public LmdbStoreConfig withSyncMode(SyncMode mode) {
        return new LmdbStoreConfig(directory, mode, initialMapSizeBytes, maxMapSizeBytes, maxReaders);
    }

    /** A copy with the given map sizes. */
    public LmdbStoreConfig withMapSize(long initialBytes, long maxBytes) {
        return new LmdbStoreConfig(directory, syncMode, initialBytes, maxBytes, maxReaders);
    }

    /** A copy with {@code readers} concurrent readers. */
    public LmdbStoreConfig withMaxReaders(int readers) {
        return new LmdbStoreConfig(directory, syncMode, initialMapSizeBytes, maxMapSizeBytes, readers);
    }
}
