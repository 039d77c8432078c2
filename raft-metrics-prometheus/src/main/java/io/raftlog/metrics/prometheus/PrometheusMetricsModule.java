package io.raftlog.metrics.prometheus;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.NodeConfig;
import java.util.Objects;

/**
 * Reports a node's metrics, and its transport's traffic, to Prometheus: install it next to
 * {@code RaftModule} and the storage and transport modules.
 *
 * <pre>{@code
 * PrometheusNodeMetrics.Collectors collectors = new PrometheusNodeMetrics.Collectors(CollectorRegistry.defaultRegistry);
 * ReplicatedLog log = Guice.createInjector(
 *         new RaftModule(config), new LmdbStorageModule(dir), new NettyTransportModule(transportConfig),
 *         new PrometheusMetricsModule(collectors))
 *     .getInstance(ReplicatedLog.class);
 * }</pre>
 *
 * <p>Several nodes in one JVM pass the same {@code collectors}; their series differ by the label
 * {@code node}. The module only binds; it serves nothing over HTTP.
 */
public final class PrometheusMetricsModule extends AbstractModule {
    private final PrometheusNodeMetrics.Collectors collectors;

    public PrometheusMetricsModule(PrometheusNodeMetrics.Collectors collectors) {
        this.collectors = Objects.requireNonNull(collectors, "collectors");
    }

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), NodeMetrics.class)
                .setBinding()
                .to(PrometheusNodeMetrics.class);
    }

    @Provides
    @Singleton
    PrometheusNodeMetrics metrics(NodeConfig config, Transport transport) {
        collectors.watch(config.id(), transport);
        return new PrometheusNodeMetrics(collectors, config.id());
    }
}
