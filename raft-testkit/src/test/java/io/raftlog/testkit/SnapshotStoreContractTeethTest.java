package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The snapshot contract's interrupted-reader rule has teeth: a store whose readers share one
 * channel, which an interrupted read closes for all of them, fails it with the rule named.
 */
class SnapshotStoreContractTeethTest {
    @Test
    void aStoreWhoseReadersShareOneChannelFailsTheInterruptedReaderRule() {
        List<String> failures = EngineTestKit.engine("junit-jupiter")
                .selectors(selectNestedMethod(
                        List.of(SharesOneChannelAmongReaders.class),
                        SnapshotStoreContract.Closing.class,
                        "aReadOnAnInterruptedThreadKeepsTheFlagAndBreaksNoOtherReader"))
                .execute()
                .testEvents()
                .failed()
                .stream()
                .map(event -> event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(String::valueOf)
                        .orElse(""))
                .toList();

        assertThat(failures)
                .as("why the interrupted-reader test failed for a store whose readers share a channel")
                .singleElement()
                .asString()
                .contains("rule: a read on an interrupted thread breaks no other reader, writer or the store] a"
                        + " reader opened before it threw");
    }

    /** Every reader reads through one shared "channel"; a read on an interrupted thread closes it. */
    static class SharesOneChannelAmongReaders extends SnapshotStoreContract {
        private final Map<Path, InMemoryLogStore.Volume> volumes = new HashMap<>();

        @Override
        protected SnapshotStore openStore(Path directory) {
            return new SharedChannelStore(new InMemorySnapshotStore(volume()));
        }

        @Override
        protected void crash() {
            store = new SharedChannelStore(new InMemorySnapshotStore(volume()));
        }

        private InMemoryLogStore.Volume volume() {
            return volumes.computeIfAbsent(directory, unused -> new InMemoryLogStore.Volume());
        }
    }

    private static final class SharedChannelStore implements SnapshotStore {
        private final SnapshotStore delegate;
        private volatile boolean channelClosed;

        SharedChannelStore(SnapshotStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<SnapshotInfo> list() {
            return delegate.list();
        }

        @Override
        public SnapshotWriter create(long index, long term) {
            return delegate.create(index, term);
        }

        @Override
        public SnapshotReader open(long index) {
            SnapshotReader reader = delegate.open(index);
            return new SnapshotReader() {
                @Override
                public SnapshotInfo info() {
                    return reader.info();
                }

                @Override
                public int read(long position, ByteBuffer target) {
                    if (Thread.currentThread().isInterrupted()) {
                        channelClosed = true;
                    }
                    if (channelClosed) {
                        throw new StorageException("ClosedChannelException: the snapshot file's shared channel");
                    }
                    return reader.read(position, target);
                }

                @Override
                public void close() {
                    reader.close();
                }
            };
        }

        @Override
        public void delete(long index) {
            delegate.delete(index);
        }

        @Override
        public String location() {
            return delegate.location();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
