package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.transport.InMemoryNetwork;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A metrics plugin that throws must not keep an append's caller waiting for its answer. */
class ThrowingMetricsTest {
    @Test
    void anAppendIsAnsweredEvenWhenRecordingItsLatencyThrows() throws Exception {
        NodeMetrics throwing = new NodeMetrics() {
            @Override
            public void appendLatency(long nanos) {
                throw new IllegalStateException("a broken metrics plugin");
            }
        };
        NodeId id = NodeId.of("solo");
        RaftNode node = Guice.createInjector(
                        new RaftModule(NodeConfig.of(id, List.of(id))),
                        new InMemoryStorageModule(),
                        new InMemoryTransportModule(new InMemoryNetwork()),
                        new AbstractModule() {
                            @Override
                            protected void configure() {
                                OptionalBinder.newOptionalBinder(binder(), NodeMetrics.class)
                                        .setBinding()
                                        .toInstance(throwing);
                            }
                        })
                .getInstance(RaftNode.class);
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> node.status().role() == Role.LEADER);
            // The append timeout is 30 s: an unanswered caller would wait that long, not 5 s.
            assertThat(node.append(Bytes.ofUtf8("x")).get(5, TimeUnit.SECONDS)).isPositive();
            assertThat(node.appendAll(List.of(Bytes.ofUtf8("y"), Bytes.ofUtf8("z")))
                            .get(5, TimeUnit.SECONDS))
                    .hasSize(2);
        } finally {
            node.close();
        }
    }
}
