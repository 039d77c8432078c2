package io.raftlog.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.raftlog.api.NodeId;
import io.raftlog.api.RaftException;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.transport.netty.internal.NettyIo;
import io.raftlog.transport.netty.internal.Pipelines;
import io.raftlog.transport.netty.internal.Tls;
import io.raftlog.transport.netty.internal.TlsContexts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} over TCP with Netty: one listen address per node, for peers and clients.
 *
 * <h2>Peers</h2>
 * Each node opens one connection to each peer it sends to, lazily, and re-opens it with capped
 * exponential back-off and jitter after a failure; messages travel one way on it, length-prefixed
 * and versioned ({@code internal.Frame}), encoded with raft-api's {@code MessageCodec}. The
 * connection starts with a handshake naming the cluster, the sender and the node it expects:
 * a node refuses (and logs) a connection from another cluster, from an id that is not a member,
 * or meant for another member. Per peer, at most {@code peerQueueCapacity} messages wait while
 * the peer is unreachable or slow; beyond that {@link #send} drops and counts
 * ({@link #droppedMessages()}), so it never blocks and one black-holed peer never delays the others.
 *
 * <h2>Clients</h2>
 * A connection whose handshake says "client" is served the client protocol (append, read,
 * status; see {@link io.raftlog.transport.netty.client.RaftClient}) from the {@link ReplicatedLog} handed to
 * {@link #serveClients(ReplicatedLog)}. Until then client requests are answered
 * {@code UNAVAILABLE}, and clients try another node. Wiring by hand:
 *
 * <pre>{@code
 * NettyTransport transport = new NettyTransport(NettyTransportConfig.of(clusterId, listen, members));
 * RaftNode node = new RaftNode(NodeConfig.of(id, ids), store, transport);
 * transport.serveClients(node);
 * node.start(); // starts the transport too
 * }</pre>
 *
 * With Guice, {@link NettyTransportModule} hands over whatever {@code ReplicatedLog} is bound.
 *
 * <h2>Bad input</h2>
 * An oversize frame, a wrong version byte, garbage, or a frame that does not belong in the
 * connection's state closes that connection only, with the reason logged
 * ({@link #protocolErrors()} counts them).
 *
 * <h2>Threading</h2>
 * All methods are thread-safe. The {@link MessageHandler} is called on Netty event-loop threads —
 * concurrently for messages from different peers, in order for each peer — and must not block.
 * {@link #close()} releases every connection, buffer and thread.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final NettyTransportConfig config;
    private final ClientService clientService;
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder rejectedConnections = new LongAdder();
    private final LongAdder tlsRefusals = new LongAdder();
    private final LongAdder unauthorizedRequests = new LongAdder();
    /** Connections accepted and still open. */
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    private final LongAdder refusedOverLimit = new LongAdder();
    private final LongAdder idleClientsClosed = new LongAdder();
    /** TLS of the listener and of the peer links (null: plain TCP); loaded at construction, so bad files fail fast. */
    private final TlsContexts tls;

    private final java.util.concurrent.ConcurrentHashMap<NodeId, String> refusals =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<NodeId, LongAdder[]> received =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final LongAdder misroutedMessages = new LongAdder();
    private final LongAdder unroutableMessages = new LongAdder();
    private final WarningLimiter warnings = new WarningLimiter(LOG, 20);

    private volatile State state = State.NEW;
    private volatile NodeId self;
    private volatile MessageHandler handler;
    private volatile Map<NodeId, PeerLink> links = Map.of();
    /** The members of the cluster's latest membership, besides the configured peers. */
    private volatile java.util.Set<NodeId> members = java.util.Set.of();
    /** A membership told before start, applied at start. */
    private io.raftlog.api.Membership pendingMembership;

    private NettyIo io;
    private ChannelGroup channels;
    private Channel serverChannel;

    /** A transport that does nothing until {@link #start}. */
    public NettyTransport(NettyTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.clientService = new ClientService(config);
        this.tls = config.tlsEnabled()
                ? new TlsContexts(
                        config.tls(), "node at " + config.listenAddress(), java.time.Clock.systemUTC(), true, LOG)
                : null;
    }

    /**
     * Binds the listen address and starts serving peers and clients.
     *
     * @throws IllegalStateException if already started or closed
     * @throws RaftException         if the address cannot be bound (the cause says why, e.g. a
     *                               {@link java.net.BindException})
     */
    @Override
    public synchronized void start(NodeId self, MessageHandler handler) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(handler, "handler");
        if (state != State.NEW) {
            throw new IllegalStateException("transport already started or closed");
        }
        this.self = self;
        this.handler = handler;
        io = NettyIo.create(config.useEpoll(), config.ioThreads(), "raftlog-netty-" + self);
        channels = new DefaultChannelGroup("raftlog-" + self, GlobalEventExecutor.INSTANCE);
        try {
            serverChannel = serverBootstrap()
                    .bind(config.listenAddress())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            io.shutdown(Duration.ofSeconds(1));
            throw new RaftException("node " + self + " cannot listen on " + config.listenAddress() + ": " + e, e);
        }
        channels.add(serverChannel);
        Map<NodeId, PeerLink> created = new HashMap<>();
        Bootstrap template = clientBootstrap();
        config.peers().forEach((peer, address) -> {
            if (!peer.equals(self)) {
                created.put(peer, new PeerLink(this, peer, address, io.group().next(), template));
            }
        });
        links = Map.copyOf(created);
        if (tls != null) {
            long every = config.tls().reloadInterval().toMillis();
            io.group().next().scheduleWithFixedDelay(this::checkTls, every, every, TimeUnit.MILLISECONDS);
        }
        state = State.STARTED;
        if (pendingMembership != null) {
            membershipChanged(pendingMembership);
            pendingMembership = null;
        }
        LOG.info(
                "node {} of cluster '{}' listening on {} ({}, {})",
                self,
                config.clusterId(),
                localAddress(),
                io.epoll() ? "epoll" : "nio",
                config.tlsEnabled()
                        ? "TLS " + String.join("/", config.tls().protocols())
                                + (config.tls().provider() == TlsConfig.Provider.OPENSSL ? " on OpenSSL" : "")
                                + ", peers mutually authenticated"
                                + (config.tls().requireClientCertificates() ? ", clients too" : "")
                        : "plain TCP");
        if (!config.tlsEnabled() && !config.listenAddress().getAddress().isLoopbackAddress()) {
            LOG.warn(
                    "node {} listens on {} without TLS: anything that reaches this port can join as a peer, or"
                            + " produce and consume; configure TLS (NettyTransportConfig.withTls, or raftlog node"
                            + " --tls-cert/--tls-key/--tls-ca) unless the network itself is trusted",
                    self,
                    config.listenAddress());
        }
    }

    /**
     * Connects to every member of {@code membership} at the address it records (a member with no
     * recorded address keeps the configured one; one with neither is unreachable, with a warning),
     * accepts peer connections from every member, and closes the links to nodes no longer members.
     * An address is {@code host:port} (an IPv6 host in brackets).
     */
    @Override
    public synchronized void membershipChanged(io.raftlog.api.Membership membership) {
        if (state == State.NEW) {
            pendingMembership = membership;
            return;
        }
        if (state != State.STARTED) {
            return;
        }
        Map<NodeId, PeerLink> next = new HashMap<>(links);
        Bootstrap template = null;
        for (Map.Entry<NodeId, String> member : membership.members().entrySet()) {
            NodeId peer = member.getKey();
            if (peer.equals(self)) {
                continue;
            }
            InetSocketAddress address;
            try {
                address = member.getValue().isEmpty() ? config.peers().get(peer) : parseAddress(member.getValue());
            } catch (IllegalArgumentException e) {
                LOG.warn("node {}: member {} has an address it cannot use: {}", self, peer, e.getMessage());
                continue;
            }
            if (address == null) {
                LOG.warn("node {}: member {} has no address: neither the membership nor --peers gives one", self, peer);
                continue;
            }
            PeerLink existing = next.get(peer);
            if (existing == null
                    || existing.address().getPort() != address.getPort()
                    || !existing.address().getHostString().equals(address.getHostString())) {
                if (existing != null) {
                    existing.close();
                }
                if (template == null) {
                    template = clientBootstrap();
                }
                next.put(peer, new PeerLink(this, peer, address, io.group().next(), template));
                LOG.info("node {}: reaching member {} at {}", self, peer, address);
            }
        }
        for (java.util.Iterator<Map.Entry<NodeId, PeerLink>> it =
                        next.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<NodeId, PeerLink> link = it.next();
            if (!membership.contains(link.getKey())) {
                link.getValue().close(); // removed from the cluster: nothing more to send it
                it.remove();
            }
        }
        links = Map.copyOf(next);
        members = java.util.Set.copyOf(membership.ids());
    }

    /** {@code host:port}, or {@code [ipv6]:port}; resolved when connecting. */
    static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has a port outside 1..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Whether {@code node} may connect as a peer: configured, or a member of the latest membership. */
    boolean knowsPeer(NodeId node) {
        return config.peers().containsKey(node) || members.contains(node);
    }

    /** The bound listen address (with the real port when the configured port was 0). */
    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("transport not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Queues {@code message} for its addressee and returns at once. A message to a node that is
     * not a peer, or sent after {@link #close()}, is dropped and counted.
     *
     * @throws IllegalStateException    if the transport was never started
     * @throws IllegalArgumentException if the message is not from this node
     */
    @Override
    public void send(RaftMessage message) {
        State current = state;
        if (current == State.NEW) {
            throw new IllegalStateException("transport not started");
        }
        if (!message.from().equals(self)) {
            throw new IllegalArgumentException(
                    "message from " + message.from() + " sent through the transport of " + self);
        }
        PeerLink link = links.get(message.to());
        if (link == null || current == State.CLOSED) {
            unroutableMessages.increment();
            return;
        }
        link.send(message);
    }

    /**
     * Serves the client protocol from {@code log}: appends, reads and status requests that arrive
     * on this node's listen address go to it. Call once the node exists; may be called before or
     * after {@link #start}.
     */
    public void serveClients(ReplicatedLog log) {
        Objects.requireNonNull(log, "log");
        clientService.serve(() -> log);
    }

    /** Like {@link #serveClients(ReplicatedLog)}, resolving the log on the first client request. */
    void serveClientsLazily(Supplier<ReplicatedLog> log) {
        clientService.serve(log);
    }

    /**
     * Peers that refused this node's handshake, with their reason (wrong cluster id, an id they do
     * not know, or another node at the address this node's peer list gives). Such a refusal means
     * this node is misconfigured and can never join; an operator should hear about it.
     */
    public Map<NodeId, String> refusals() {
        return Map.copyOf(refusals);
    }

    /**
     * Traffic with each peer so far: messages and bytes (frames with their length prefix) sent and
     * received, and messages dropped on the way out.
     */
    /** A peer frame holds a message and its version and kind bytes: {@code maxFrameBytes - 2}. */
    @Override
    public int maxMessageBytes() {
        return config.maxFrameBytes() - 2;
    }

    @Override
    public Map<NodeId, PeerTraffic> traffic() {
        Map<NodeId, PeerTraffic> traffic = new HashMap<>();
        for (PeerLink link : links.values()) {
            LongAdder[] in = received.get(link.peer());
            traffic.put(
                    link.peer(),
                    new PeerTraffic(
                            link.sentMessages(),
                            link.sentBytes(),
                            in == null ? 0 : in[0].sum(),
                            in == null ? 0 : in[1].sum(),
                            link.dropped()));
        }
        return traffic;
    }

    LongAdder[] receivedCounters(NodeId peer) {
        return received.computeIfAbsent(peer, id -> new LongAdder[] {new LongAdder(), new LongAdder()});
    }

    void recordRefusal(NodeId peer, String reason) {
        refusals.put(peer, reason);
    }

    /** Messages dropped so far: queues full, peers unknown, frames too large, or sent after close. */
    public long droppedMessages() {
        long sum = unroutableMessages.sum();
        for (PeerLink link : links.values()) {
            sum += link.dropped();
        }
        return sum;
    }

    /** Messages dropped so far on the link to {@code peer} (queue full, frame too large). */
    public long droppedMessages(NodeId peer) {
        PeerLink link = links.get(peer);
        return link == null ? 0 : link.dropped();
    }

    /** Connections closed so far because they broke the protocol (bad frames, no hello in time). */
    public long protocolErrors() {
        return protocolErrors.sum();
    }

    /** Handshakes refused so far (wrong cluster, unknown node, wrong target, unauthenticated). */
    public long rejectedConnections() {
        return rejectedConnections.sum();
    }

    /**
     * Connections refused so far for TLS reasons, in either direction: a failed TLS handshake (no
     * TLS at all, a certificate no trusted CA signed, an expired one, a host name it does not
     * name) or a certificate that does not name the node the other side claims or was dialled as.
     */
    public long tlsRefusals() {
        return tlsRefusals.sum();
    }

    LongAdder tlsRefusalCounter() {
        return tlsRefusals;
    }

    /** Client requests refused so far because the client's access rules did not allow them. */
    public long unauthorizedRequests() {
        return unauthorizedRequests.sum();
    }

    LongAdder unauthorizedCounter() {
        return unauthorizedRequests;
    }

    LongAdder idleClientsClosedCounter() {
        return idleClientsClosed;
    }

    /** Connections accepted and open now (peers' and clients'). */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** The TLS context of new peer links, or null for plain TCP. */
    SslContext peerTls() {
        return tls == null ? null : tls.client();
    }

    /**
     * {@code protocol_errors}, {@code rejected_connections} and {@code tls_refusals} (see their
     * accessors), and {@code tls_certificate_expiry_seconds}: when this node's certificate expires,
     * in seconds since the epoch (TLS only; not a counter, but read the same way).
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new java.util.LinkedHashMap<>();
        counters.put("protocol_errors", protocolErrors());
        counters.put("rejected_connections", rejectedConnections());
        counters.put("tls_refusals", tlsRefusals());
        counters.put("unauthorized_requests", unauthorizedRequests());
        counters.put("connections_refused_over_limit", refusedOverLimit.sum());
        counters.put("idle_client_connections_closed", idleClientsClosed.sum());
        tlsCertificateExpiry()
                .ifPresent(expiry -> counters.put("tls_certificate_expiry_seconds", expiry.getEpochSecond()));
        return counters;
    }

    /**
     * Checks the TLS files now rather than at the next {@code reloadInterval}, and loads them if
     * they changed (as on {@code SIGHUP} to {@code raftlog node}); returns at once, the check runs
     * on the transport's timer thread. Does nothing on plain TCP or before the transport starts.
     */
    public void reloadTls() {
        if (tls != null && state == State.STARTED) {
            io.group().next().execute(this::checkTls);
        }
    }

    /** When this node's TLS certificate (the one in use) expires; empty for plain TCP. */
    public java.util.Optional<java.time.Instant> tlsCertificateExpiry() {
        return tls == null ? java.util.Optional.empty() : tls.expiryIfKnown();
    }

    /** Stops listening, closes every connection and releases every buffer and thread; idempotent. */
    @Override
    public void close() {
        State previous;
        synchronized (this) {
            previous = state;
            state = State.CLOSED;
        }
        if (previous != State.STARTED) {
            return;
        }
        links.values().forEach(PeerLink::close);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        io.shutdown(Duration.ofSeconds(2));
        LOG.info("node {} transport closed", self);
    }

    // ---- for the package's handlers ----

    NettyTransportConfig config() {
        return config;
    }

    NodeId self() {
        return self;
    }

    ClientService clientService() {
        return clientService;
    }

    LongAdder protocolErrorCounter() {
        return protocolErrors;
    }

    LongAdder rejectedConnectionCounter() {
        return rejectedConnections;
    }

    WarningLimiter warnings() {
        return warnings;
    }

    LongAdder misroutedMessages() {
        return misroutedMessages;
    }

    /** Hands an inbound message to the node; a failing handler never breaks the connection. */
    void deliver(RaftMessage message) {
        if (state != State.STARTED) {
            return;
        }
        try {
            handler.onMessage(message);
        } catch (RuntimeException e) {
            LOG.warn(
                    "message handler of node {} failed on a {}",
                    self,
                    message.getClass().getSimpleName(),
                    e);
        }
    }

    private ServerBootstrap serverBootstrap() {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(io.group())
                .channel(io.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (accepted.incrementAndGet() > config.maxConnections()) {
                            accepted.decrementAndGet();
                            refusedOverLimit.increment();
                            warnings.warn(
                                    "node {}: refusing the connection from {}: it already has {} connections"
                                            + " (maxConnections)",
                                    self,
                                    ch.remoteAddress(),
                                    config.maxConnections());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(closed -> accepted.decrementAndGet());
                        channels.add(ch);
                        Pipelines.framing(ch.pipeline(), config.maxFrameBytes())
                                .addLast("handshake", new ServerHandshakeHandler(NettyTransport.this));
                        if (tls != null) {
                            Tls.acceptWith(tls.server(), ch);
                        }
                    }
                });
        if (io.epoll()) {
            bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT, unacknowledgedDataMillis());
        }
        return bootstrap;
    }

    private Bootstrap clientBootstrap() {
        Bootstrap bootstrap = new Bootstrap()
                .channel(io.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (io.epoll()) {
            bootstrap.option(EpollChannelOption.TCP_USER_TIMEOUT, unacknowledgedDataMillis());
        }
        return bootstrap;
    }

    private int unacknowledgedDataMillis() {
        return (int) config.unacknowledgedDataTimeout().toMillis();
    }

    /** The outbound link to {@code peer}, for tests; null for an unknown peer or before start. */
    PeerLink link(NodeId peer) {
        return links.get(peer);
    }

    ChannelGroup channels() {
        return channels;
    }

    /** Reloads changed TLS files, warns of a coming expiry; never throws into the timer. */
    private void checkTls() {
        try {
            tls.check();
        } catch (RuntimeException e) {
            LOG.warn("node {}: checking the TLS files failed", self, e);
        }
    }
}
