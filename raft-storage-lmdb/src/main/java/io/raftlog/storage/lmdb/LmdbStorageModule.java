package io.raftlog.storage.lmdb;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} to one {@link LmdbLogStore} for a data directory, and {@link SnapshotStore}
 * to one {@link FileSnapshotStore} in its subdirectory {@value #SNAPSHOT_DIRECTORY}. Like every
 * raftlog module it only binds: the stores are opened when the injector first provides them
 * (eagerly in {@code Stage.PRODUCTION}), and whoever owns the injector closes them. The snapshot
 * store is opened after the LMDB store, whose directory lock keeps a second process from opening
 * (and cleaning up) the same snapshots.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new RaftModule(config), new LmdbStorageModule(dataDir), ...);
 * }</pre>
 *
 * <p>The JVM needs lmdbjava's flags: {@code --add-opens java.base/java.nio=ALL-UNNAMED
 * --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
 */
public final class LmdbStorageModule extends AbstractModule {
    /** The subdirectory of the data directory that holds the snapshots. */
    public static final String SNAPSHOT_DIRECTORY = "snapshots";

    private final LmdbStoreConfig config;

    /** A durable store ({@link SyncMode#SYNC}) with default sizes in {@code directory}. */
    public LmdbStorageModule(Path directory) {
        this(LmdbStoreConfig.of(directory));
    }

    /** A store as {@code config} describes. */
    public LmdbStorageModule(LmdbStoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(LmdbStoreConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    LmdbLogStore lmdbLogStore(LmdbStoreConfig storeConfig) {
        return LmdbLogStore.open(storeConfig);
    }

    @Provides
    @Singleton
    LogStore logStore(LmdbLogStore store) {
        return store;
    }

    @Provides
    @Singleton
    FileSnapshotStore fileSnapshotStore(LmdbStoreConfig storeConfig, LmdbLogStore unusedLockHolder) {
        // The LMDB store is a parameter to be opened first: its directory lock guards the snapshots too.
        return FileSnapshotStore.open(storeConfig.directory().resolve(SNAPSHOT_DIRECTORY));
    }

    @Provides
    @Singleton
    SnapshotStore snapshotStore(FileSnapshotStore store) {
        return store;
    }
}
