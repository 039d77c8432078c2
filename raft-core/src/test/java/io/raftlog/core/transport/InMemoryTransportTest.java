package io.raftlog.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which thread calls a receiver's handler: the sender's for a queueing handler, a delivery thread otherwise. */
class InMemoryTransportTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final InMemoryTransport a = network.newTransport();
    private final InMemoryTransport b = network.newTransport();
    private final List<Thread> callers = new CopyOnWriteArrayList<>();
    private final List<RaftMessage> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void aQueueingHandlerIsCalledOnTheSendersThreadInOrder() {
        a.start(A, message -> {});
        b.start(B, (QueueingMessageHandler) this::record);

        for (int i = 0; i < 100; i++) {
            a.send(heartbeat(i));
        }

        assertThat(callers).hasSize(100).containsOnly(Thread.currentThread());
        assertThat(received)
                .extracting(m -> ((AppendEntriesRequest) m).leaderCommit())
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.range(0, 100).boxed().toList());
        assertThat(b.traffic().get(A).messagesReceived()).isEqualTo(100);
    }

    @Test
    void anyOtherHandlerIsCalledOnADeliveryThread() {
        a.start(A, message -> {});
        b.start(B, (MessageHandler) this::record);

        a.send(heartbeat(0));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(callers.get(0)).isNotEqualTo(Thread.currentThread());
        assertThat(callers.get(0).getName()).isEqualTo("raftlog-inmemory-b");
    }

    @Test
    void aQueueingHandlerThatThrowsDoesNotReachTheSender() {
        a.start(A, message -> {});
        b.start(B, (QueueingMessageHandler) message -> {
            record(message);
            throw new IllegalStateException("handler bug");
        });

        a.send(heartbeat(0));
        a.send(heartbeat(1));

        assertThat(received).hasSize(2);
        assertThat(network.dropped()).isZero();
    }

    @Test
    void nothingReachesAQueueingHandlerOnceItsTransportIsClosed() {
        a.start(A, message -> {});
        b.start(B, (QueueingMessageHandler) this::record);
        b.close();

        a.send(heartbeat(0));

        assertThat(received).isEmpty();
        assertThat(network.dropped()).isEqualTo(1);
    }

    private void record(RaftMessage message) {
        callers.add(Thread.currentThread());
        received.add(message);
    }

    private static AppendEntriesRequest heartbeat(long commit) {
        return new AppendEntriesRequest(A, B, 1, 0, 0, List.of(), commit);
    }
}
