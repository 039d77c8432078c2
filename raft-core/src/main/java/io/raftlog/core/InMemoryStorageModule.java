package io.raftlog.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;

/** Binds an {@link InMemoryLogStore}: nothing survives the JVM. For tests and experiments. */
public final class InMemoryStorageModule extends AbstractModule {
    private final InMemoryLogStore.Volume volume;

    /** A store on a fresh volume. */
    public InMemoryStorageModule() {
        this(new InMemoryLogStore.Volume());
    }

    /** A store on {@code volume}, so a test can restart a node on what it wrote. */
    public InMemoryStorageModule(InMemoryLogStore.Volume volume) {
        this.volume = volume;
    }

    @Provides
    LogStore store() {
        return new InMemoryLogStore(volume);
    }
}
