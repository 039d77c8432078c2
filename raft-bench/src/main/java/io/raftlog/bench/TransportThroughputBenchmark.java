package io.raftlog.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.transport.netty.NettyTransport;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.TlsConfig;
import io.raftlog.transport.netty.internal.FrameEncoder;
import io.raftlog.transport.netty.internal.NettyIo;
import io.raftlog.transport.netty.internal.RaftFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-way frames over loopback: {@link NettyTransport} (encode a Raft message, queue, frame,
 * write, decode it back into a message on the receiver) against a plain Netty baseline that writes
 * the very same frame bytes, pre-encoded, from the event loop and only counts them on the
 * receiving side ({@code LengthFieldBasedFrameDecoder}). Both run in the same JVM and the same run.
 *
 * <p>Each invocation sends {@value #BATCH} frames and waits until all arrived, so the score is
 * frames per second; a run in which the transport drops a frame fails instead of flattering it.
 * Frame sizes are whole frames on the wire (length prefix included): 256 B and 16 KiB.
 *
 * <pre>
 * java -jar raft-bench/target/benchmarks.jar TransportThroughputBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dio.netty.leakDetectionLevel=disabled"})
public class TransportThroughputBenchmark {
    static final int BATCH = 10_000;
    private static final Duration STALL = Duration.ofSeconds(20);
    private static final NodeId SENDER = NodeId.of("sender");
    private static final NodeId RECEIVER = NodeId.of("receiver");

    @Param({"256", "16384"})
    int frameBytes;

    /**
     * {@code plain} TCP, or mutual TLS 1.3 between the two transports: {@code tls} with the JDK's
     * provider, {@code tls-openssl} with OpenSSL (BoringSSL, netty-tcnative).
     */
    @Param({"plain", "tls", "tls-openssl"})
    String security;

    private BenchTls tls;

    private AppendEntriesRequest message;
    private final AtomicLong received = new AtomicLong();
    private volatile long expected;
    private volatile Thread waiter;

    private NettyTransport sender;
    private NettyTransport receiver;

    private NettyIo baselineIo;
    private Channel baselineServer;
    private Channel baselineClient;
    private ByteBuf baselineFrame;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        message = messageOfFrameSize(frameBytes);
        Map<NodeId, InetSocketAddress> peers = Map.of(SENDER, Loopback.freeAddress(), RECEIVER, Loopback.freeAddress());
        receiver = new NettyTransport(config(RECEIVER, peers));
        receiver.start(RECEIVER, m -> countReceived());
        sender = new NettyTransport(config(SENDER, peers));
        sender.start(SENDER, m -> {});

        baselineIo = NettyIo.create(true, 2, "baseline");
        baselineServer = new ServerBootstrap()
                .group(baselineIo.group())
                .channel(baselineIo.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(1 << 24, 0, 4, 0, 4))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object frame) {
                                        ReferenceCountUtil.release(frame);
                                        countReceived();
                                    }
                                });
                    }
                })
                .bind(loopback(0))
                .sync()
                .channel();
        baselineClient = new Bootstrap()
                .group(baselineIo.group())
                .channel(baselineIo.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(baselineServer.localAddress())
                .sync()
                .channel();
        RaftFrame frame = RaftFrame.of(message);
        baselineFrame = PooledByteBufAllocator.DEFAULT.directBuffer(4 + frame.frameLength());
        FrameEncoder.write(frame, baselineFrame);
        if (baselineFrame.readableBytes() != frameBytes) {
            throw new IllegalStateException(
                    "frame of " + baselineFrame.readableBytes() + " bytes, wanted " + frameBytes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sender.close();
        receiver.close();
        baselineClient.close().syncUninterruptibly();
        baselineServer.close().syncUninterruptibly();
        baselineFrame.release();
        baselineIo.shutdown(Duration.ofSeconds(2));
    }

    /** raftlog's transport: messages encoded, queued per peer, framed and decoded back. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void raftlogTransport() {
        expected += BATCH;
        for (int i = 0; i < BATCH; i++) {
            sender.send(message);
        }
        awaitReceived();
        if (sender.droppedMessages() > 0) {
            throw new IllegalStateException("the transport dropped " + sender.droppedMessages() + " frames");
        }
    }

    /** Plain Netty: the same frame bytes written from the event loop, one flush per batch, only counted. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void plainNettyBaseline() {
        expected += BATCH;
        baselineClient.eventLoop().execute(() -> {
            for (int i = 0; i < BATCH; i++) {
                baselineClient.write(baselineFrame.retainedDuplicate(), baselineClient.voidPromise());
            }
            baselineClient.flush();
        });
        awaitReceived();
    }

    /**
     * Parks rather than spins, so the waiting thread leaves the cores to the event loops. A batch
     * that stops arriving fails the run with what each side counted, rather than hanging it.
     */
    private void awaitReceived() {
        waiter = Thread.currentThread();
        long last = received.get();
        long lastProgress = System.nanoTime();
        while (last < expected) {
            LockSupport.parkNanos(100_000);
            long now = received.get();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw new IllegalStateException("no frame arrived for " + STALL.toSeconds() + " s: received " + now
                        + " of " + expected + "; sender dropped " + sender.droppedMessages() + ", sender traffic "
                        + sender.traffic() + ", receiver traffic " + receiver.traffic() + ", protocol errors "
                        + sender.protocolErrors() + " / " + receiver.protocolErrors());
            }
        }
    }

    private void countReceived() {
        if (received.incrementAndGet() >= expected) {
            Thread thread = waiter;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** An AppendEntries with one entry whose frame on the wire is exactly {@code bytes} long. */
    static AppendEntriesRequest messageOfFrameSize(int bytes) {
        AppendEntriesRequest empty = request(Bytes.EMPTY);
        int overhead = 4 + 2 + MessageCodec.encodedSize(empty);
        return request(Bytes.copyOf(new byte[bytes - overhead]));
    }

    private static AppendEntriesRequest request(Bytes payload) {
        return new AppendEntriesRequest(SENDER, RECEIVER, 1, 0, 0, List.of(LogEntry.data(1, 1, payload)), 0);
    }

    private NettyTransportConfig config(NodeId self, Map<NodeId, InetSocketAddress> peers) {
        boolean secured = security.startsWith("tls");
        if (secured && tls == null) {
            tls = new BenchTls();
        }
        // Queue room for a whole batch: the benchmark measures throughput, not the drop policy.
        return NettyTransportConfig.of("bench", peers.get(self), peers)
                .withPeerQueueCapacity(4 * BATCH)
                .withIoThreads(2)
                .withTls(
                        secured
                                ? tls.node(self)
                                        .withProvider(
                                                security.equals("tls-openssl")
                                                        ? TlsConfig.Provider.OPENSSL
                                                        : TlsConfig.Provider.JDK)
                                : null);
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }
}
