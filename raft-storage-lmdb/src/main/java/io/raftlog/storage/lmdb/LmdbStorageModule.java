package io.raftlog.storage.lmdb;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} to one {@link LmdbLogStore} for a data directory. Like every raftlog
 * module it only binds: the store is opened when the injector first provides it (eagerly in
 * {@code Stage.PRODUCTION}), and whoever owns the injector closes it.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new RaftModule(config), new LmdbStorageModule(dataDir), ...);
 * }</pre>
 *
 * <p>The JVM needs lmdbjava's flags: {@code --add-opens java.base/java.nio=ALL-UNNAMED
 * --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
 */
public final class LmdbStorageModule extends AbstractModule {
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
}
