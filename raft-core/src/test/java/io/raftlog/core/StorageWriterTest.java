package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.ReadIndexRequest;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.Ready;
import io.raftlog.core.storage.InMemoryLogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The storage writer, on its I/O thread and inline: writes in order, sends what waited for the
 * write only after it, reports what is durable, and stops for good at a failure.
 */
class StorageWriterTest {
    private static final NodeId SELF = NodeId.of("n1");
    private static final NodeId PEER = NodeId.of("n2");

    private final InMemoryLogStore memory = new InMemoryLogStore();
    private final FaultyLogStore store = new FaultyLogStore(memory);
    private final RecordingTransport transport = new RecordingTransport();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void inlineEachWriteIsDoneOnTheCallersThreadBeforeTheCallReturns() {
        StorageWriter writer = StorageWriter.inline(store, transport, listener, nanos -> {});
        writer.start();
        RaftMessage ack = new ReadIndexRequest(SELF, PEER, 2, 7);
        transport.onSend = () -> assertThat(memory.lastIndex())
                .as("what waited for the write is sent after it")
                .isEqualTo(3);

        writer.submit(ready(Optional.of(new HardState(2, Optional.of(SELF))), entries(1, 3, 2), List.of(ack), 5));

        assertThat(memory.lastIndex()).isEqualTo(3);
        assertThat(memory.hardState()).isEqualTo(new HardState(2, Optional.of(SELF)));
        assertThat(transport.sent).containsExactly(ack);
        assertThat(listener.durable).containsExactly(List.of(3L, 2L, 5L));
        assertThat(listener.threads).containsOnly(Thread.currentThread());
        writer.stop();
    }

    @Test
    void inlineAResetAndAPrefixRemovalComeInOrderWithTheReadys() {
        StorageWriter writer = StorageWriter.inline(store, transport, listener, nanos -> {});
        writer.start();
        writer.submit(ready(Optional.empty(), entries(1, 5, 1), List.of(), 1));
        writer.truncatePrefix(3);
        assertThat(memory.firstIndex()).isEqualTo(3);
        writer.reset(10, 2);
        writer.submit(ready(Optional.empty(), entries(11, 12, 2), List.of(), 2));
        assertThat(memory.firstIndex()).isEqualTo(11);
        assertThat(memory.lastIndex()).isEqualTo(12);
        assertThat(listener.durable).containsExactly(List.of(5L, 1L, 1L), List.of(12L, 2L, 2L));
    }

    @Test
    void inlineAFailureForGoodIsReportedOnceAndNothingIsWrittenAfterIt() {
        StorageWriter writer = StorageWriter.inline(store, transport, listener, nanos -> {});
        writer.start();
        writer.submit(ready(Optional.empty(), entries(1, 2, 1), List.of(), 1));
        store.writeError = new IllegalStateException("a bug in the store");

        writer.submit(ready(Optional.empty(), entries(3, 4, 1), List.of(new ReadIndexRequest(SELF, PEER, 1, 1)), 1));
        store.writeError = null;
        writer.submit(ready(Optional.empty(), entries(3, 4, 1), List.of(), 1));

        assertThat(listener.failures)
                .singleElement()
                .satisfies(error -> assertThat(error).hasMessage("a bug in the store"));
        assertThat(memory.lastIndex()).isEqualTo(2);
        assertThat(transport.sent).isEmpty();
        assertThat(listener.durable).containsExactly(List.of(2L, 1L, 1L));
    }

    @Test
    void onItsThreadTheWriterReportsFromThatThreadAndMergesWhatQueued() {
        StorageWriter writer = new StorageWriter("raftlog-io-test", store, transport, listener, nanos -> {});
        store.stall(); // the first write waits, so the next two queue behind it
        writer.start();
        writer.submit(ready(Optional.empty(), entries(1, 1, 1), List.of(), 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> store.stalledWrites() > 0);
        writer.submit(ready(Optional.empty(), entries(2, 2, 1), List.of(), 1));
        writer.submit(ready(Optional.empty(), entries(3, 3, 1), List.of(), 1));
        store.resume();

        await().atMost(Duration.ofSeconds(5)).until(() -> memory.lastIndex() == 3 && listener.durable.size() == 2);
        assertThat(listener.durable).containsExactly(List.of(1L, 1L, 1L), List.of(3L, 1L, 1L));
        assertThat(listener.threads).extracting(Thread::getName).containsOnly("raftlog-io-test");
        writer.stop();
    }

    private static Ready ready(
            Optional<HardState> hardState, List<LogEntry> entries, List<RaftMessage> afterPersist, long epoch) {
        return new Ready(hardState, entries, List.of(), afterPersist, 0, epoch, List.of());
    }

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            entries.add(new LogEntry(i, term, EntryType.DATA, Bytes.ofUtf8("e" + i)));
        }
        return entries;
    }

    private static final class RecordingListener implements LogWriter.Listener {
        final List<List<Long>> durable = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<RuntimeException> failures = new CopyOnWriteArrayList<>();

        @Override
        public void durable(long index, long term, long logEpoch) {
            durable.add(List.of(index, term, logEpoch));
            threads.add(Thread.currentThread());
        }

        @Override
        public void writeFailing(RuntimeException error) {}

        @Override
        public void writeRecovered() {}

        @Override
        public void failed(RuntimeException error) {
            failures.add(error);
        }
    }

    private static final class RecordingTransport implements Transport {
        final List<RaftMessage> sent = new CopyOnWriteArrayList<>();
        volatile Runnable onSend = () -> {};

        @Override
        public void start(NodeId self, MessageHandler handler) {}

        @Override
        public void send(RaftMessage message) {
            onSend.run();
            sent.add(message);
        }

        @Override
        public void close() {}
    }
}
