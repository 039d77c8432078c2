package io.raftlog.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.StateMachine;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.transport.Transport;
import java.util.Objects;

/**
 * Binds a {@link RaftNode} (and {@link ReplicatedLog}) for one node's {@link NodeConfig}. A storage
 * module must bind {@link LogStore} and {@link SnapshotStore} (the storage modules of raftlog bind
 * both), and a transport module {@link Transport}:
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(
 *         new RaftModule(NodeConfig.of(id, members)),
 *         new LmdbStorageModule(dataDir),
 *         new NettyTransportModule(transportConfig));
 * ReplicatedLog log = injector.getInstance(ReplicatedLog.class); // a started node
 * }</pre>
 *
 * <p>{@link NodeMetrics} defaults to none; override it with
 * {@code OptionalBinder.newOptionalBinder(binder(), NodeMetrics.class).setBinding()...}. The same
 * goes for the application's {@link StateMachine}, which defaults to {@link StateMachine#NONE}. Configuring
 * the module starts nothing: the node is created and started when first requested, and the
 * caller closes it.
 */
public final class RaftModule extends AbstractModule {
    private final NodeConfig config;

    public RaftModule(NodeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(NodeConfig.class).toInstance(config);
        OptionalBinder.newOptionalBinder(binder(), NodeMetrics.class)
                .setDefault()
                .toInstance(NodeMetrics.NONE);
        OptionalBinder.newOptionalBinder(binder(), StateMachine.class)
                .setDefault()
                .toInstance(StateMachine.NONE);
        bind(ReplicatedLog.class).to(RaftNode.class);
    }

    @Provides
    @Singleton
    RaftNode node(
            NodeConfig nodeConfig,
            LogStore store,
            SnapshotStore snapshots,
            StateMachine application,
            Transport transport,
            NodeMetrics metrics) {
        return new RaftNode(
                        nodeConfig,
                        store,
                        snapshots,
                        application,
                        transport,
                        metrics,
                        new java.util.SplittableRandom().nextLong())
                .start();
    }
}
