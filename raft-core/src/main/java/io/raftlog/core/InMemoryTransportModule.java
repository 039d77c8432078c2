package io.raftlog.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.transport.InMemoryNetwork;

/** Binds an {@link io.raftlog.core.transport.InMemoryTransport} on a shared {@link InMemoryNetwork}. */
public final class InMemoryTransportModule extends AbstractModule {
    private final InMemoryNetwork network;

    public InMemoryTransportModule(InMemoryNetwork network) {
        this.network = network;
    }

    @Provides
    Transport transport() {
        return network.newTransport();
    }
}
