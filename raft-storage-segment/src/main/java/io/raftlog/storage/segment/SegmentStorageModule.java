package io.raftlog.storage.segment;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.storage.files.FileSnapshotStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} to one {@link SegmentLogStore} for a data directory, and
 * {@link SnapshotStore} to a {@link FileSnapshotStore} (raft-storage-files) in its subdirectory
 * {@value #SNAPSHOT_DIRECTORY}: each snapshot one file (temporary file, force, rename, force of the
 * directory). Like every raftlog module it only binds: the stores are opened when the injector first provides them
 * (eagerly in {@code Stage.PRODUCTION}). The snapshot store is opened after the log store, whose
 * directory lock keeps a second process from opening (and cleaning up) the same snapshots.
 *
 * <p><b>Who closes the stores:</b> the node they are given to. {@code RaftModule} hands both to its
 * {@code RaftNode}, which closes them in {@code close()} — and when it cannot be built or started,
 * so the directory lock is free for the next attempt. Close the node, not the stores. If the
 * snapshot store cannot be opened, the log store opened for it is closed again before the
 * provision fails, so a failed injector never leaves the directory locked.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new RaftModule(config), new SegmentStorageModule(dataDir), ...);
 * }</pre>
 */
public final class SegmentStorageModule extends AbstractModule {
    /** The subdirectory of the data directory that holds the snapshots. */
    public static final String SNAPSHOT_DIRECTORY = "snapshots";

    private final SegmentStoreConfig config;

    /** A store with default settings in {@code directory}. */
    public SegmentStorageModule(Path directory) {
        this(SegmentStoreConfig.of(directory));
    }

    /** A store as {@code config} describes. */
    public SegmentStorageModule(SegmentStoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(SegmentStoreConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    SegmentLogStore segmentLogStore(SegmentStoreConfig storeConfig) {
        return SegmentLogStore.open(storeConfig);
    }

    @Provides
    @Singleton
    LogStore logStore(SegmentLogStore store) {
        return store;
    }

    @Provides
    @Singleton
    SnapshotStore snapshotStore(SegmentStoreConfig storeConfig, SegmentLogStore lockHolder) {
        // The log store is a parameter to be opened first: its directory lock guards the snapshots too.
        try {
            return FileSnapshotStore.open(storeConfig.directory().resolve(SNAPSHOT_DIRECTORY));
        } catch (RuntimeException e) {
            // No node will ever own the log store now: release its directory lock here.
            try {
                lockHolder.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
