package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.Role;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.InMemoryStorageModule;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import io.raftlog.transport.netty.internal.ErrorResponse;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloAccepted;
import io.raftlog.transport.netty.internal.StatusRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** NettyTransportModule binds the transport, starts nothing, and serves clients from the bound log. */
class NettyTransportModuleTest {
    private static final NodeId SOLO = NodeId.of("solo");

    private final Map<NodeId, InetSocketAddress> addresses = Loopback.addresses(List.of(SOLO));
    private final NettyTransportConfig config = Loopback.config(SOLO, addresses);

    @Test
    void bindsOneNettyTransportAndStartsNothing() {
        Injector injector = Guice.createInjector(new NettyTransportModule(config));

        Transport transport = injector.getInstance(Transport.class);
        assertThat(transport).isInstanceOf(NettyTransport.class).isSameAs(injector.getInstance(NettyTransport.class));
        try (RawConnection ignored = new RawConnection(addresses.get(SOLO))) {
            throw new AssertionError("something listens before start");
        } catch (java.io.UncheckedIOException expected) {
            assertThat(expected.getCause()).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void withoutAReplicatedLogClientsAreToldToGoElsewhere() {
        NettyTransport transport =
                Guice.createInjector(new NettyTransportModule(config)).getInstance(NettyTransport.class);
        transport.start(SOLO, message -> {});
        try (transport;
                RawConnection client = new RawConnection(addresses.get(SOLO))) {
            client.send(Hello.client(Loopback.CLUSTER));
            assertThat(client.read()).isEqualTo(new HelloAccepted(SOLO));
            client.send(new StatusRequest(7));
            ErrorResponse error = (ErrorResponse) client.read();
            assertThat(error.requestId()).isEqualTo(7);
            assertThat(error.code()).isEqualTo(ErrorResponse.Code.UNAVAILABLE);
        }
    }

    @Test
    void withRaftModuleANodeServesClientsFromItsLog() throws Exception {
        Injector injector = Guice.createInjector(
                new RaftModule(NodeConfig.of(SOLO, List.of(SOLO))),
                new InMemoryStorageModule(),
                new NettyTransportModule(config));
        ReplicatedLog node = injector.getInstance(ReplicatedLog.class); // created and started
        try (node;
                RaftClient client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.of(addresses.get(SOLO)))
                        .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(100)))) {
            long offset = client.append(Bytes.ofUtf8("via guice")).get(20, TimeUnit.SECONDS);

            assertThat(node.read(offset, 1, Duration.ZERO)
                            .get(5, TimeUnit.SECONDS)
                            .get(0)
                            .payload())
                    .isEqualTo(Bytes.ofUtf8("via guice"));
            assertThat(client.status().get(5, TimeUnit.SECONDS).role()).isEqualTo(Role.LEADER);
        }
    }
}
