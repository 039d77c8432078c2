package io.raftlog.storage.lmdb;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.storage.files.FileSnapshotStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} to one {@link LmdbLogStore} for a data directory, and {@link SnapshotStore}
 * to one {@link FileSnapshotStore} in its subdirectory {@value #SNAPSHOT_DIRECTORY}. Like every
 * raftlog module it only binds: the stores are opened when the injector first provides them
 * (eagerly in {@code Stage.PRODUCTION}). The snapshot store is opened after the LMDB store, whose
 * directory lock keeps a second process from opening (and cleaning up) the same snapshots.
 *
 * <p><b>Who closes the stores:</b> the node they are given to. {@code RaftModule} hands both to its
 * {@code RaftNode}, which closes them in {@code close()} — and when it cannot be built or started,
 * so the directory lock is free for the next attempt. Close the node, not the stores. Only stores
 * taken from the injector for another use (a tool reading the log) are yours to close. If the
 * snapshot store cannot be opened, the LMDB store opened for it is closed again before the
 * provision fails, so a failed injector never leaves the directory locked.
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
    FileSnapshotStore fileSnapshotStore(LmdbStoreConfig storeConfig, LmdbLogStore lockHolder) {
        // The LMDB store is a parameter to be opened first: its directory lock guards the snapshots too.
        try {
            return FileSnapshotStore.open(storeConfig.directory().resolve(SNAPSHOT_DIRECTORY));
        } catch (RuntimeException e) {
            // No node will ever own the LMDB store now: release its directory lock here.
            try {
                lockHolder.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Provides
    @Singleton
    SnapshotStore snapshotStore(FileSnapshotStore store) {
        return store;
    }
}
