package io.raftlog.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;

/**
 * Binds an {@link InMemoryLogStore} and an {@link InMemorySnapshotStore} on one volume: nothing
 * survives the JVM. For tests and experiments.
 */
public final class InMemoryStorageModule extends AbstractModule {
    private final InMemoryLogStore.Volume volume;

    /** Stores on a fresh volume. */
    public InMemoryStorageModule() {
        this(new InMemoryLogStore.Volume());
    }

    /** Stores on {@code volume}, so a test can restart a node on what it wrote. */
    public InMemoryStorageModule(InMemoryLogStore.Volume volume) {
        this.volume = volume;
    }

    @Provides
    LogStore store() {
        return new InMemoryLogStore(volume);
    }

    @Provides
    SnapshotStore snapshotStore() {
        return new InMemorySnapshotStore(volume);
    }
}
