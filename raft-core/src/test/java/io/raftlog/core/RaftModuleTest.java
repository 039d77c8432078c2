package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.transport.InMemoryNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RaftModuleTest {
    @Test
    void guiceWiresAStartedNodeFromModules() throws Exception {
        NodeId id = NodeId.of("solo");
        AtomicInteger batches = new AtomicInteger();
        Injector injector = Guice.createInjector(
                new RaftModule(NodeConfig.of(id, List.of(id))),
                new InMemoryStorageModule(),
                new InMemoryTransportModule(new InMemoryNetwork()),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        OptionalBinder.newOptionalBinder(binder(), NodeMetrics.class)
                                .setBinding()
                                .toInstance(new NodeMetrics() {
                                    @Override
                                    public void batch(int records) {
                                        batches.incrementAndGet();
                                    }
                                });
                    }
                });
        try (ReplicatedLog log = injector.getInstance(ReplicatedLog.class)) {
            assertThat(injector.getInstance(RaftNode.class)).isSameAs(log);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> log.status().role() == io.raftlog.api.Role.LEADER);
            long offset = log.append(Bytes.ofUtf8("hello")).get(10, TimeUnit.SECONDS);
            assertThat(offset).isPositive();
            assertThat(batches.get()).isPositive();
        }
    }

    @Test
    void aThreeNodeClusterFromThreeInjectors() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        List<NodeId> members = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
        List<RaftNode> nodes = new ArrayList<>();
        try {
            for (NodeId id : members) {
                nodes.add(Guice.createInjector(
                                new RaftModule(NodeConfig.of(id, members)),
                                new InMemoryStorageModule(),
                                new InMemoryTransportModule(network))
                        .getInstance(RaftNode.class));
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> nodes.stream().anyMatch(node -> node.status().role() == io.raftlog.api.Role.LEADER));
            RaftNode leader = nodes.stream()
                    .filter(node -> node.status().role() == io.raftlog.api.Role.LEADER)
                    .findFirst()
                    .orElseThrow();
            assertThat(leader.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                    .isPositive();
        } finally {
            nodes.forEach(RaftNode::close);
        }
    }

    @Test
    void invalidMembershipIsRefusedWithAMessageNamingTheProblem() {
        NodeId a = NodeId.of("a");
        assertThatThrownBy(() -> NodeConfig.of(a, List.of(NodeId.of("b"), NodeId.of("c"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(a) is not among the members");
        assertThatThrownBy(() -> NodeConfig.of(a, List.of(a, NodeId.of("b"), NodeId.of("b"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member b is listed twice");
        assertThatThrownBy(
                        () -> io.raftlog.core.protocol.ProtocolConfig.defaults().withHeartbeatTicks(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeatTicks (10) must be smaller than electionTicks (10)");
    }
}
