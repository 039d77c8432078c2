package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Reads of committed records fail their future on a storage error; they never throw (the API's contract). */
class CommittedReadsTest {
    private final InMemoryLogStore disk = new InMemoryLogStore();
    private final AtomicBoolean broken = new AtomicBoolean();
    private final LogStore store = (LogStore) Proxy.newProxyInstance(
            LogStore.class.getClassLoader(), new Class<?>[] {LogStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("read") && broken.get()) {
                    throw new StorageException("the disk returned an I/O error");
                }
                try {
                    return method.invoke(disk, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    @Test
    void aReadThatHitsAStorageErrorFailsItsFutureInsteadOfThrowing() {
        disk.append(List.of(LogEntry.data(1, 1, io.raftlog.api.Bytes.ofUtf8("a"))));
        CommittedReads reads = new CommittedReads(store, NodeClock.system(), () -> 1L);
        reads.applied(1);
        broken.set(true);

        CompletableFuture<?> read = reads.read(1, 10, Duration.ZERO);

        assertThat(read).isCompletedExceptionally();
        assertThat(read.handle((value, error) -> error).join()).isInstanceOf(StorageException.class);
    }

    @Test
    void aWaitingReadWhoseStoreFailsWhenEntriesArriveFailsAloneAndTheLoopGoesOn() {
        CommittedReads reads = new CommittedReads(store, NodeClock.system(), () -> 1L);
        CompletableFuture<?> waiting = reads.read(1, 10, Duration.ofSeconds(30));
        assertThat(waiting).isNotDone();
        disk.append(List.of(LogEntry.data(1, 1, io.raftlog.api.Bytes.ofUtf8("a"))));
        broken.set(true);

        reads.applied(1); // on the event loop: must not throw

        assertThat(waiting.handle((value, error) -> error).join()).isInstanceOf(StorageException.class);
    }
}
