package io.raftlog.transport.netty;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.spi.transport.Transport;
import java.util.Objects;
import java.util.Optional;

/**
 * Binds {@link Transport} to a singleton {@link NettyTransport} built from the given config.
 *
 * <p>If the injector also has a binding for {@link ReplicatedLog} (the node runtime's module
 * provides one), the transport serves the client protocol from it: the log is looked up lazily,
 * on the first client request, so the node may itself depend on {@code Transport} without a
 * dependency cycle. Without such a binding, clients are answered {@code UNAVAILABLE}.
 *
 * <p>Like every module here, {@link #configure()} only binds: nothing listens until the node
 * calls {@link Transport#start}.
 */
public final class NettyTransportModule extends AbstractModule {
    private final NettyTransportConfig config;

    public NettyTransportModule(NettyTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(NettyTransportConfig.class).toInstance(config);
        OptionalBinder.newOptionalBinder(binder(), ReplicatedLog.class);
        bind(Transport.class).to(NettyTransport.class);
    }

    @Provides
    @Singleton
    NettyTransport nettyTransport(NettyTransportConfig config, Optional<Provider<ReplicatedLog>> log) {
        NettyTransport transport = new NettyTransport(config);
        log.ifPresent(provider -> transport.serveClientsLazily(provider::get));
        return transport;
    }
}
