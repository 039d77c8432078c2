package io.raftlog.transport.netty;

import io.raftlog.api.NodeId;
import io.raftlog.api.RaftException;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.testkit.LoopbackPorts;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Loopback addresses and node configs for tests: free ports on 127.0.0.1, fast back-off. */
public final class Loopback {
    public static final String CLUSTER = "test-cluster";

    private Loopback() {}

    /** A loopback port that is free now, below the ephemeral range (see {@link LoopbackPorts}). */
    public static int freePort() {
        return LoopbackPorts.next();
    }

    public static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Free addresses for {@code members}, in their order. */
    public static Map<NodeId, InetSocketAddress> addresses(List<NodeId> members) {
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (NodeId member : members) {
            addresses.put(member, address(freePort()));
        }
        return addresses;
    }

    /** The config of {@code self} in a cluster at {@code peers}, tuned for tests: quick reconnects. */
    public static NettyTransportConfig config(NodeId self, Map<NodeId, InetSocketAddress> peers) {
        return NettyTransportConfig.of(CLUSTER, peers.get(self), peers)
                .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
                .withConnectTimeout(Duration.ofSeconds(1))
                .withIoThreads(2);
    }

    /**
     * Starts a transport for {@code self}. If its port was taken in the meantime (another process
     * grabbed the "free" port), the whole address map would be stale, so this reports that clearly.
     */
    public static NettyTransport start(
            NodeId self,
            Map<NodeId, InetSocketAddress> peers,
            MessageHandler handler,
            UnaryOperator<NettyTransportConfig> tweak) {
        NettyTransport transport = new NettyTransport(tweak.apply(config(self, peers)));
        try {
            transport.start(self, handler);
        } catch (RaftException e) {
            if (e.getCause() instanceof BindException) {
                throw new IllegalStateException("port of " + self + " was taken by someone else; rerun", e);
            }
            throw e;
        }
        return transport;
    }

    public static NettyTransport start(NodeId self, Map<NodeId, InetSocketAddress> peers, MessageHandler handler) {
        return start(self, peers, handler, UnaryOperator.identity());
    }

    public static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
