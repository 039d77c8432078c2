package io.raftlog.transport.netty.client;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.TlsConfig;
import io.raftlog.transport.netty.internal.AppendRequest;
import io.raftlog.transport.netty.internal.ConfigChecks;
import io.raftlog.transport.netty.internal.Frame;
import io.raftlog.transport.netty.internal.ReadResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a {@link RaftClient}.
 *
 * @param clusterId           the cluster to talk to; nodes of another cluster refuse the client
 * @param seeds               listen addresses of some (ideally all) members; the client starts at any
 *                            of them and follows redirects to the leader
 * @param requestTimeout      how long one call may take, retries included (a read adds its
 *                            {@code maxWait}); then it fails
 * @param attemptTimeout      how long one attempt waits for its answer on one connection (a read adds
 *                            its {@code maxWait}); if nothing else arrived on the connection for as
 *                            long, the node is presumed dead or hung, the connection is closed and
 *                            its calls are retried (appends with the same producer sequence, so
 *                            never twice) — like Kafka's {@code request.timeout.ms} within
 *                            {@code delivery.timeout.ms}
 * @param maxInFlightRequests requests (append batches, reads, status) outstanding at once, at most
 *                            {@link #MAX_IN_FLIGHT_REQUESTS}; calls
 *                            beyond it fail with {@code OverloadedException}
 * @param linger              how long an append waits for others to share its batch; zero sends at once
 *                            (appends still share a batch while no request slot is free)
 * @param maxBatchRecords     records in one append batch
 * @param maxBatchBytes       payload bytes (plus 4 per record) in one append batch
 * @param retryBackoffMin     delay before the first retry of a call
 * @param retryBackoffMax     cap of the exponential back-off between retries (with jitter)
 * @param connectTimeout      bound on a TCP connect plus the handshake
 * @param maxFrameBytes       the largest frame the client sends or accepts; must not exceed the nodes'.
 *                            It bounds the largest record too: {@link #maxRecordBytes()}
 * @param useEpoll            use Netty's native epoll transport when available
 * @param tls                 TLS to the nodes: the CA certificates that sign theirs, and this client's
 *                            own certificate where the nodes require one; null for plain TCP (the
 *                            default)
 */
public record RaftClientConfig(
        String clusterId,
        List<InetSocketAddress> seeds,
        Duration requestTimeout,
        Duration attemptTimeout,
        int maxInFlightRequests,
        Duration linger,
        int maxBatchRecords,
        int maxBatchBytes,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration connectTimeout,
        int maxFrameBytes,
        boolean useEpoll,
        TlsConfig tls) {
    /**
     * The most requests in flight: a node remembers the last 64 batches of each producer, so a
     * retry of any batch still in flight is answered with its offsets, never left unknown.
     */
    public static final int MAX_IN_FLIGHT_REQUESTS = 64;

    /** The most bytes besides its payload that one record takes in a frame, on any hop (see maxRecordBytes). */
    private static final int RECORD_FRAMING_BYTES;

    static {
        int kindAndVersion = Frame.HEADER_BYTES - Integer.BYTES; // counted by a frame's length field
        NodeId longest = NodeId.of("x".repeat(NodeId.MAX_LENGTH));
        int append = kindAndVersion + (int) AppendRequest.bodySize(List.of(Bytes.EMPTY));
        int replicate = kindAndVersion
                + MessageCodec.encodedSize(new AppendEntriesRequest(
                        longest, longest, 1, 0, 0, List.of(LogEntry.data(1, 1, Bytes.EMPTY)), 0));
        int read = kindAndVersion
                + ReadResponse.EMPTY_BODY_BYTES
                + ReadResponse.recordSize(new CommittedRecord(1, Bytes.EMPTY));
        RECORD_FRAMING_BYTES = Math.max(append, Math.max(replicate, read));
    }

    public RaftClientConfig {
        ConfigChecks.requireClusterId(clusterId);
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one seed address");
        }
        ConfigChecks.requirePositive("requestTimeout", requestTimeout);
        ConfigChecks.requirePositive("attemptTimeout", attemptTimeout);
        ConfigChecks.requirePositive("maxInFlightRequests", maxInFlightRequests);
        if (maxInFlightRequests > MAX_IN_FLIGHT_REQUESTS) {
            throw new IllegalArgumentException("maxInFlightRequests must be at most " + MAX_IN_FLIGHT_REQUESTS
                    + ", the batches a leader remembers per producer: with more in flight, a retry of the oldest"
                    + " could no longer be answered with its offsets; was " + maxInFlightRequests);
        }
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative, was " + linger);
        }
        ConfigChecks.requirePositive("maxBatchRecords", maxBatchRecords);
        ConfigChecks.requirePositive("maxBatchBytes", maxBatchBytes);
        ConfigChecks.requirePositive("retryBackoffMin", retryBackoffMin);
        ConfigChecks.requirePositive("retryBackoffMax", retryBackoffMax);
        if (retryBackoffMax.compareTo(retryBackoffMin) < 0) {
            throw new IllegalArgumentException("retryBackoffMax is below retryBackoffMin");
        }
        ConfigChecks.requirePositive("connectTimeout", connectTimeout);
        if (maxBatchBytes > maxAppendBodyBytes(maxFrameBytes)) {
            throw new IllegalArgumentException(
                    "maxBatchBytes " + maxBatchBytes + " does not fit a frame of " + maxFrameBytes + " bytes");
        }
    }

    /**
     * Defaults: 10 s request timeout, 5 s per attempt, 64 requests in flight, 1 ms linger, batches of up to 1000
     * records and 1 MiB, retries backing off from 20 ms to 1 s, a 2 s connect timeout, 16 MiB frames,
     * epoll when available.
     */
    public static RaftClientConfig of(String clusterId, List<InetSocketAddress> seeds) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                64,
                Duration.ofMillis(1),
                1000,
                1 << 20,
                Duration.ofMillis(20),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                NettyTransportConfig.DEFAULT_MAX_FRAME_BYTES,
                true,
                null);
    }

    public RaftClientConfig withRequestTimeout(Duration timeout) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                timeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withAttemptTimeout(Duration timeout) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                timeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withMaxInFlightRequests(int requests) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                requests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withBatching(Duration linger, int maxRecords, int maxBytes) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxRecords,
                maxBytes,
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withRetryBackoff(Duration min, Duration max) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                min,
                max,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withConnectTimeout(Duration timeout) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                retryBackoffMin,
                retryBackoffMax,
                timeout,
                maxFrameBytes,
                useEpoll,
                tls);
    }

    public RaftClientConfig withMaxFrameBytes(int bytes) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                Math.min(maxBatchBytes, maxAppendBodyBytes(bytes)),
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                bytes,
                useEpoll,
                tls);
    }

    /**
     * The largest record, in payload bytes, this client sends: {@code maxFrameBytes} less the
     * framing one record needs on each hop it takes — the client's append request, the leader's
     * AppendEntries to each follower (the costliest: two node ids, counted at their longest of 64
     * bytes, and a header per entry) and the read response that returns it. A record one byte
     * larger could be appended by a leader but never replicated. It assumes the nodes'
     * {@code maxFrameBytes} is at least the client's. With the default 16 MiB frames it is
     * 16,777,017 bytes. {@link RaftClient} refuses a larger record at once, before sending
     * anything, with an {@link IllegalArgumentException}.
     */
    public int maxRecordBytes() {
        return (int) Math.max(0, maxFrameBytes - RECORD_FRAMING_BYTES);
    }

    /** {@code bytes} for a message: in MiB or KiB when it is a whole number of them. */
    static String describeBytes(long bytes) {
        if (bytes > 0 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes > 0 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** Record bytes (payload plus 4 per record) an append frame of {@code maxFrameBytes} can carry. */
    static int maxAppendBodyBytes(int maxFrameBytes) {
        return (int) Math.max(0, maxFrameBytes - 2L - AppendRequest.bodySize(List.of()));
    }

    /** TLS to the nodes ({@code null}: plain TCP); see {@link TlsConfig}. */
    public RaftClientConfig withTls(TlsConfig config) {
        return new RaftClientConfig(
                clusterId,
                seeds,
                requestTimeout,
                attemptTimeout,
                maxInFlightRequests,
                linger,
                maxBatchRecords,
                maxBatchBytes,
                retryBackoffMin,
                retryBackoffMax,
                connectTimeout,
                maxFrameBytes,
                useEpoll,
                config);
    }
}
