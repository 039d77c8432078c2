package io.raftlog.transport.netty;

import io.raftlog.api.NodeId;
import io.raftlog.transport.netty.internal.ConfigChecks;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of one node's {@link NettyTransport}.
 *
 * @param clusterId                 names the cluster; connections from another cluster are refused.
 *                                  1 to 255 UTF-8 bytes
 * @param listenAddress             where this node listens, for peers and clients alike; port 0 picks
 *                                  a free port (see {@link NettyTransport#localAddress()})
 * @param peers                     every member's address, the one peers and clients connect to. It may
 *                                  include this node itself (its entry is then not dialled); the same
 *                                  map can be given to every member. These addresses are also what a
 *                                  node tells clients when it redirects them to the leader
 * @param maxFrameBytes             the largest frame this node sends or accepts (value of the length
 *                                  field); bigger inbound frames close the connection, bigger outbound
 *                                  messages are dropped and counted
 * @param peerQueueCapacity         messages queued per peer while its connection is being opened or
 *                                  the peer is slow; more are dropped and counted, and so are those
 *                                  waiting when a connection attempt fails or a connection closes
 * @param reconnectBackoffMin       delay before the first reconnection attempt after a failure
 * @param reconnectBackoffMax       cap of the exponential back-off between attempts (with jitter)
 * @param connectTimeout            bound on a TCP connect and on the handshake that follows it, in both
 *                                  directions
 * @param useEpoll                  use Netty's native epoll transport when it is available (Linux);
 *                                  NIO otherwise
 * @param ioThreads                 event-loop threads serving all connections
 * @param maxClientRequestsInFlight requests one client connection may have outstanding; more are
 *                                  answered {@code OVERLOADED}
 * @param unacknowledgedDataTimeout how long sent data may stay unacknowledged by the other side's
 *                                  kernel before the connection is dropped ({@code TCP_USER_TIMEOUT},
 *                                  epoll only). A peer whose machine died or that a partition cut
 *                                  off is then reconnected with back-off, so the link resumes within
 *                                  {@code reconnectBackoffMax} of the network healing rather than at
 *                                  TCP's next retransmission, which backs off to two minutes
 * @param tls                       TLS for the port (peers and clients) and the connections to peers,
 *                                  with the node's certificate, key and the CAs it trusts; null for
 *                                  plain TCP (the default; a node listening beyond loopback without
 *                                  TLS logs a warning at start)
 * @param clientAccess              what each client may do (produce, consume, administer), by the
 *                                  principal its TLS certificate names; {@link ClientAccess#OPEN}
 *                                  (everyone everything) by default
 * @param maxConnections            connections this node accepts at once, peers' and clients'
 *                                  together; one more is closed at once, logged and counted
 * @param clientIdleTimeout         a client connection on which nothing arrives for this long is
 *                                  closed (the client reconnects when it next has a call); peer
 *                                  connections are not timed out here
 */
public record NettyTransportConfig(
        String clusterId,
        InetSocketAddress listenAddress,
        Map<NodeId, InetSocketAddress> peers,
        int maxFrameBytes,
        int peerQueueCapacity,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        Duration connectTimeout,
        boolean useEpoll,
        int ioThreads,
        int maxClientRequestsInFlight,
        Duration unacknowledgedDataTimeout,
        TlsConfig tls,
        ClientAccess clientAccess,
        int maxConnections,
        Duration clientIdleTimeout) {
    /** Default maximum frame: 16 MiB, comfortably above the core's default AppendEntries size (1 MiB). */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

    public NettyTransportConfig {
        ConfigChecks.requireClusterId(clusterId);
        Objects.requireNonNull(listenAddress, "listenAddress");
        peers = Map.copyOf(peers);
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 1024, was " + maxFrameBytes);
        }
        ConfigChecks.requirePositive("peerQueueCapacity", peerQueueCapacity);
        ConfigChecks.requirePositive("reconnectBackoffMin", reconnectBackoffMin);
        ConfigChecks.requirePositive("reconnectBackoffMax", reconnectBackoffMax);
        if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnectBackoffMax " + reconnectBackoffMax
                    + " is below reconnectBackoffMin " + reconnectBackoffMin);
        }
        ConfigChecks.requirePositive("connectTimeout", connectTimeout);
        ConfigChecks.requirePositive("ioThreads", ioThreads);
        ConfigChecks.requirePositive("maxClientRequestsInFlight", maxClientRequestsInFlight);
        ConfigChecks.requirePositive("unacknowledgedDataTimeout", unacknowledgedDataTimeout);
        if (unacknowledgedDataTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("unacknowledgedDataTimeout is too long: " + unacknowledgedDataTimeout);
        }
        Objects.requireNonNull(clientAccess, "clientAccess (ClientAccess.OPEN for no rules)");
        ConfigChecks.requirePositive("maxConnections", maxConnections);
        ConfigChecks.requirePositive("clientIdleTimeout", clientIdleTimeout);
        if (tls != null && !tls.hasCertificate()) {
            throw new IllegalArgumentException("a node's TLS needs its own certificate and private key: peers"
                    + " authenticate each other (TlsConfig.of(certificate, key, trustedCAs))");
        }
    }

    /**
     * Defaults: 16 MiB frames, 4096 queued messages per peer, back-off from 50 ms to 2 s, a 2 s
     * connect timeout, epoll when available, up to 4 I/O threads, 1024 requests per client connection,
     * connections dropped after 15 s of unacknowledged data, plain TCP, every client allowed
     * everything, at most 1024 connections, client connections closed after 5 idle minutes.
     */
    public static NettyTransportConfig of(
            String clusterId, InetSocketAddress listenAddress, Map<NodeId, InetSocketAddress> peers) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                DEFAULT_MAX_FRAME_BYTES,
                4096,
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                true,
                Math.min(4, Runtime.getRuntime().availableProcessors()),
                1024,
                Duration.ofSeconds(15),
                null,
                ClientAccess.OPEN,
                1024,
                Duration.ofMinutes(5));
    }

    public NettyTransportConfig withMaxFrameBytes(int bytes) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                bytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withPeerQueueCapacity(int messages) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                messages,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withReconnectBackoff(Duration min, Duration max) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                min,
                max,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withConnectTimeout(Duration timeout) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                timeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withUseEpoll(boolean enabled) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                enabled,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withIoThreads(int threads) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                threads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withMaxClientRequestsInFlight(int requests) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                requests,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    public NettyTransportConfig withUnacknowledgedDataTimeout(Duration timeout) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                timeout,
                tls,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    /** TLS on the port and to the peers ({@code null}: plain TCP); see {@link TlsConfig}. */
    public NettyTransportConfig withTls(TlsConfig config) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                config,
                clientAccess,
                maxConnections,
                clientIdleTimeout);
    }

    /** Whether connections use TLS. */
    public boolean tlsEnabled() {
        return tls != null;
    }

    /** What each client may do; see {@link ClientAccess}. */
    public NettyTransportConfig withClientAccess(ClientAccess access) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                access,
                maxConnections,
                clientIdleTimeout);
    }

    /** At most {@code connections} accepted at once; see {@link #maxConnections()}. */
    public NettyTransportConfig withMaxConnections(int connections) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                connections,
                clientIdleTimeout);
    }

    /** Client connections idle this long are closed; see {@link #clientIdleTimeout()}. */
    public NettyTransportConfig withClientIdleTimeout(Duration timeout) {
        return new NettyTransportConfig(
                clusterId,
                listenAddress,
                peers,
                maxFrameBytes,
                peerQueueCapacity,
                reconnectBackoffMin,
                reconnectBackoffMax,
                connectTimeout,
                useEpoll,
                ioThreads,
                maxClientRequestsInFlight,
                unacknowledgedDataTimeout,
                tls,
                clientAccess,
                maxConnections,
                timeout);
    }
}
