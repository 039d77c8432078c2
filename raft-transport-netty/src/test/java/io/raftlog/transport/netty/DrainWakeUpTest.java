package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.TimeoutNow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A message queued while a drain is finishing is never stranded. The case: a drain stops because
 * the channel went unwritable; its own flush makes the channel writable again, and Netty's
 * writability event, fired inside that flush, drains the rest of the queue re-entrantly; a message
 * sent just then sees the drain still scheduled and schedules none. The drain must notice it, since
 * no further writability change will come. The test sends that message at exactly that point,
 * from a handler it adds to the link's channel that runs after each flush of a drain which stopped
 * with messages still queued on an unwritable channel.
 */
class DrainWakeUpTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    /** 1.5 times the 2 MiB high water mark in 16 KiB frames: the tail fits one re-entrant drain. */
    private static final int BURST = 192;

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    @Test
    void aMessageSentWhileAReentrantDrainEmptiedTheQueueIsStillDelivered() {
        Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B));
        AtomicInteger bulk = new AtomicInteger();
        AtomicBoolean markerArrived = new AtomicBoolean();
        NettyTransport b = Loopback.start(B, peers, message -> {
            if (message instanceof TimeoutNow) {
                markerArrived.set(true);
            } else {
                bulk.incrementAndGet();
            }
        });
        NettyTransport a = Loopback.start(A, peers, message -> {});
        transports.add(a);
        transports.add(b);
        Bytes payload = Bytes.copyOf(new byte[16 * 1024]);
        a.send(new AppendEntriesRequest(A, B, 1, 0, 0, List.of(LogEntry.data(1, 1, payload)), 0));
        await().atMost(Duration.ofSeconds(10)).until(() -> bulk.get() == 1); // the link is up
        PeerLink link = a.link(B);
        AtomicBoolean sentInTheWindow = new AtomicBoolean();
        Channel outbound = a.channels().stream()
                .filter(ch -> ch.pipeline().get(OutboundPeerHandler.class) != null)
                .findFirst()
                .orElseThrow();
        outbound.pipeline().addLast("window", new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                // A drain flushes what it wrote. If it stopped on an unwritable channel with messages
                // left, this flush can make the channel writable and drain the rest re-entrantly.
                boolean stoppedWithMessagesLeft = !ctx.channel().isWritable() && link.hasQueued();
                ctx.flush();
                // The window: the queue is now empty, yet the drain still counts as scheduled, so a
                // sender schedules nothing.
                if (stoppedWithMessagesLeft
                        && !link.hasQueued()
                        && link.drainPending()
                        && sentInTheWindow.compareAndSet(false, true)) {
                    a.send(new TimeoutNow(A, B, 1));
                }
            }
        });

        int sent = 1;
        for (int round = 0; round < 300 && !sentInTheWindow.get(); round++) {
            for (int i = 0; i < BURST; i++) {
                a.send(new AppendEntriesRequest(A, B, 1, 0, 0, List.of(LogEntry.data(1, 1, payload)), 0));
            }
            sent += BURST;
            int expected = sent;
            await().atMost(Duration.ofSeconds(10)).until(() -> bulk.get() >= expected || sentInTheWindow.get());
        }
        assertThat(sentInTheWindow).as("the re-entrant drain window occurred").isTrue();

        // Nothing else is sent: only the link itself can deliver the marker now.
        await().atMost(Duration.ofSeconds(5)).untilTrue(markerArrived);
    }
}
