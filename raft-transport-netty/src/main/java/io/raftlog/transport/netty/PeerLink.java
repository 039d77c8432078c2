package io.raftlog.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.transport.netty.internal.Backoff;
import io.raftlog.transport.netty.internal.Pipelines;
import io.raftlog.transport.netty.internal.RaftFrame;
import io.raftlog.transport.netty.internal.Tls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of the link to one peer: a bounded queue and one connection, opened lazily on
 * the first message and re-opened with capped exponential back-off after a failure.
 *
 * <p>{@link #send} may be called from any thread and never blocks: it drops (and counts) the
 * message when {@code peerQueueCapacity} messages are already waiting (the queue is a
 * preallocated multi-producer, single-consumer ring: no allocation and no lock per message).
 * Everything else runs on the link's own event loop: the queue is drained into the channel only
 * while the channel is writable (below its high water mark), with one flush per burst, so a slow
 * or black-holed peer fills its own queue and loses its own messages while other peers' links are
 * untouched. When a connection fails or closes, the messages waiting for it are dropped (and
 * counted): a peer that is down holds at most what was sent since the last attempt, never a
 * backlog of stale appends.
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    /** Writes per drain before yielding the loop to other channels. */
    private static final int MAX_WRITES_PER_DRAIN = 1024;
    /** Frames smaller than this share buffers when written in one burst. */
    private static final int COALESCE_BYTES = 64 * 1024;

    private final NettyTransport transport;
    private final NodeId peer;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Backoff backoff;
    private final int capacity;
    private final int maxFrameBytes;

    /** Senders offer, only the loop polls. Its ring is a power of two at least {@link #capacity} long. */
    private final MpscArrayQueue<RaftMessage> queue;

    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sentMessages = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private volatile boolean closed;

    // Confined to the loop.
    private Channel channel;
    private boolean ready;
    private int failures;
    private String lastFailure = "connection closed";
    private ScheduledFuture<?> reconnect;

    /** A link whose connections run on {@code loop}, made from the options of {@code template}. */
    PeerLink(NettyTransport transport, NodeId peer, InetSocketAddress address, EventLoop loop, Bootstrap template) {
        NettyTransportConfig config = transport.config();
        this.transport = transport;
        this.peer = peer;
        this.address = address;
        this.loop = loop;
        this.maxFrameBytes = config.maxFrameBytes();
        this.bootstrap = template.clone(loop).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                transport.channels().add(ch);
                Pipelines.framingOnly(ch.pipeline(), maxFrameBytes)
                        .addLast("peer", new OutboundPeerHandler(PeerLink.this));
                if (transport.peerTls() != null) {
                    Tls.dialWith(transport.peerTls(), ch, address);
                }
            }
        });
        this.backoff = new Backoff(config.reconnectBackoffMin(), config.reconnectBackoffMax());
        this.capacity = config.peerQueueCapacity();
        this.queue = new MpscArrayQueue<>(Math.max(2, capacity));
    }

    NodeId peer() {
        return peer;
    }

    InetSocketAddress address() {
        return address;
    }

    /** Whether messages wait in the queue. Any thread. */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** Whether a drain is scheduled or running. Any thread. */
    boolean drainPending() {
        return drainScheduled.get();
    }

    NodeId self() {
        return transport.self();
    }

    String clusterId() {
        return transport.config().clusterId();
    }

    Duration connectTimeout() {
        return transport.config().connectTimeout();
    }

    LongAdder protocolErrors() {
        return transport.protocolErrorCounter();
    }

    LongAdder tlsRefusals() {
        return transport.tlsRefusalCounter();
    }

    boolean tlsEnabled() {
        return transport.peerTls() != null;
    }

    WarningLimiter warnings() {
        return transport.warnings();
    }

    long sentMessages() {
        return sentMessages.sum();
    }

    long sentBytes() {
        return sentBytes.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    /** Queues {@code message}, or drops it if the queue is full or the link closed. Any thread. */
    void send(RaftMessage message) {
        if (closed) {
            dropped.increment();
            return;
        }
        // False when capacity messages wait already: the exact configured bound, not the ring's size.
        if (!queue.offerIfBelowThreshold(message, capacity)) {
            dropped.increment();
            return;
        }
        // Read before CAS: while a drain is pending, senders touch the flag's cache line only to read it.
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drainTask);
            } catch (RejectedExecutionException e) {
                dropped.increment(); // shutting down
            }
        }
    }

    private void drainTask() {
        if (closed) {
            drainScheduled.set(false);
            return;
        }
        if (!ready) {
            drainScheduled.set(false);
            if (channel == null && reconnect == null) {
                connect();
            }
            return;
        }
        // Clear the flag only once the queue looks empty, and look again after clearing it: senders
        // that queue meanwhile need not schedule another task, and none is ever left behind.
        while (true) {
            if (!drain()) {
                return; // channel unwritable (resumes on writability) or burst cap (rescheduled)
            }
            drainScheduled.set(false);
            if (queue.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /**
     * Writes queued messages while the channel is writable, then flushes once. Small frames are
     * encoded back to back into shared buffers of up to {@value #COALESCE_BYTES} bytes, so a burst
     * of heartbeats costs a few buffers and one gathering write, not one of each per message.
     * Returns true if it stopped because the queue was empty. On the loop.
     */
    private boolean drain() {
        Channel ch = channel;
        int written = 0;
        int taken = 0;
        long bytes = 0;
        boolean emptied = false;
        ByteBuf batch = null;
        while (written < MAX_WRITES_PER_DRAIN && ch.isWritable()) {
            RaftMessage message = queue.poll();
            if (message == null) {
                emptied = true;
                break;
            }
            taken++;
            int bodySize = MessageCodec.encodedSize(message); // sized once, here
            int frameLength = 2 + bodySize;
            if (frameLength > maxFrameBytes || frameLength < 0) {
                dropped.increment();
                LOG.warn(
                        "dropping a {} to {}: its {} bytes exceed the maximum frame of {} bytes",
                        message.getClass().getSimpleName(),
                        peer,
                        (long) bodySize + 2,
                        maxFrameBytes);
                continue;
            }
            int size = Integer.BYTES + frameLength;
            if (batch != null && batch.writableBytes() < size) {
                ch.write(batch, ch.voidPromise());
                batch = null;
            }
            if (batch == null) {
                long wanted = (long) size * Math.min(queue.size() + 1, MAX_WRITES_PER_DRAIN - written);
                batch = ch.alloc().ioBuffer((int) Math.max(size, Math.min(wanted, COALESCE_BYTES)));
            }
            if (encode(message, bodySize, batch)) {
                written++;
                bytes += size;
            }
        }
        if (taken > 0) {
            sentMessages.add(written); // once per burst, not once per message
            sentBytes.add(bytes);
        }
        if (batch != null) {
            if (batch.isReadable()) {
                ch.write(batch, ch.voidPromise());
            } else {
                batch.release(); // its only message failed to encode
            }
        }
        if (written > 0) {
            ch.flush();
        }
        if (written == MAX_WRITES_PER_DRAIN && ch.isWritable()) {
            // Yield to the loop's other channels, then go on: the flag stays set, so one task runs next.
            loop.execute(this::drainTask);
            return false;
        }
        if (!emptied) {
            // Stopped because the channel was unwritable: onWritable() drains again once it is. Let
            // senders schedule meanwhile (harmlessly). But the flush above may already have made it
            // writable and drained re-entrantly through onWritable(), while senders that saw the flag
            // still set scheduled nothing: with no writability change left to come, look again now.
            drainScheduled.set(false);
            if (ch.isWritable() && !queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
                loop.execute(this::drainTask);
            }
        }
        return emptied;
    }

    /** Appends {@code message}'s frame to {@code batch}; false (dropped, counted, logged) if it fails. */
    private boolean encode(RaftMessage message, int bodySize, ByteBuf batch) {
        int mark = batch.writerIndex();
        try {
            RaftFrame.write(message, bodySize, batch);
            return true;
        } catch (RuntimeException e) {
            batch.writerIndex(mark);
            dropped.increment();
            LOG.warn(
                    "dropping a {} to {}: it failed to encode",
                    message.getClass().getSimpleName(),
                    peer,
                    e);
            return false;
        }
    }

    private void connect() {
        ChannelFuture future = bootstrap.connect(address);
        Channel ch = future.channel();
        channel = ch;
        future.addListener(done -> {
            if (!done.isSuccess()) {
                failure(String.valueOf(done.cause()));
            }
        });
        ch.closeFuture().addListener(done -> onClosed(ch));
    }

    /** Remembers why the current connection is failing, for the log line when it closes. On the loop. */
    void failure(String reason) {
        lastFailure = reason;
    }

    /** The peer refused this node's handshake: a configuration error, reported by {@link NettyTransport#refusals()}. */
    void refused(String reason) {
        transport.recordRefusal(peer, reason);
    }

    /** The peer accepted our hello on {@code ch}. On the loop. */
    void onAccepted(Channel ch, NodeId node) {
        if (ch != channel) {
            return;
        }
        if (!node.equals(peer)) {
            LOG.warn("the node at {} is '{}', not peer '{}': check the peers map", address, node, peer);
            failure("reached node '" + node + "' instead");
            refused("the node at " + address + " is '" + node + "', not '" + peer + "'");
            ch.close();
            return;
        }
        if (failures > 0) {
            LOG.info("connected to peer {} at {} after {} failed attempt(s)", peer, address, failures);
        } else {
            LOG.debug("connected to peer {} at {}", peer, address);
        }
        ready = true;
        failures = 0;
        drain();
    }

    /** The channel drained below its low water mark. On the loop. */
    void onWritable(Channel ch) {
        if (ch == channel && ready && !closed) {
            drain();
        }
    }

    private void onClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        boolean wasReady = ready;
        channel = null;
        ready = false;
        if (closed) {
            return;
        }
        failures++;
        // What waited for this connection is stale by the next one: Raft sends again what is still
        // needed (heartbeats, probes, snapshot chunks). Delivered late, old appends would bring a
        // returning peer a burst of outdated work, and a peer down for minutes would hold a queue
        // of the leader's appends (up to peerQueueCapacity of maxAppendBytes each) in memory.
        int stale = discardQueued();
        if (stale > 0) {
            LOG.debug("dropped {} message(s) queued for peer {} when its connection failed", stale, peer);
        }
        long delay = backoff.delayNanos(failures);
        if (wasReady) {
            LOG.info("lost connection to peer {} at {}: {}; reconnecting", peer, address, lastFailure);
        } else if (failures == 1) {
            LOG.info("cannot connect to peer {} at {}: {}; retrying with back-off", peer, address, lastFailure);
        } else {
            LOG.debug(
                    "cannot connect to peer {} at {} (attempt {}): {}; retrying in {} ms",
                    peer,
                    address,
                    failures,
                    lastFailure,
                    TimeUnit.NANOSECONDS.toMillis(delay));
        }
        lastFailure = "connection closed";
        reconnect = loop.schedule(this::reconnectNow, delay, TimeUnit.NANOSECONDS);
    }

    private void reconnectNow() {
        reconnect = null;
        // An idle link stays down until the next message: connections are opened lazily.
        if (!closed && channel == null && !queue.isEmpty()) {
            connect();
        }
    }

    /** Stops the link: no more connections; queued messages are dropped. Any thread. */
    void close() {
        closed = true;
        try {
            loop.execute(() -> {
                if (reconnect != null) {
                    reconnect.cancel(false);
                    reconnect = null;
                }
                if (channel != null) {
                    channel.close();
                }
                discardQueued();
            });
        } catch (RejectedExecutionException e) {
            discardQueued(); // the loop is gone: no other consumer is left
        }
    }

    private int discardQueued() {
        int discarded = 0;
        while (queue.poll() != null) {
            discarded++;
        }
        dropped.add(discarded);
        return discarded;
    }
}
