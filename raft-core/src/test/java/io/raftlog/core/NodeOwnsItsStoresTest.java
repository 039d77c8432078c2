package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.ProvisionException;
import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.api.StateMachine;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;
import io.raftlog.core.transport.InMemoryNetwork;
import io.raftlog.core.transport.InMemoryTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One rule for who closes a node's stores: the node that was given them, in {@code close()} and
 * also when it cannot be built or started, so a node that never ran leaves its data directory free
 * for the next attempt. (Until this rule a failing constructor left the store open: with LMDB, its
 * directory stayed locked for the rest of the JVM.)
 */
class NodeOwnsItsStoresTest {
    private static final NodeId ID = NodeId.of("solo");

    @Test
    void aNodeWhoseConstructorFailsClosesTheStoresAndTheTransportItWasGiven() {
        InMemoryLogStore.Volume volume = compactedWithoutASnapshot();
        InMemoryLogStore store = new InMemoryLogStore(volume);
        InMemorySnapshotStore snapshots = new InMemorySnapshotStore(volume);
        InMemoryTransport transport = new InMemoryNetwork().newTransport();

        assertThatThrownBy(() -> new RaftNode(
                        NodeConfig.of(ID, List.of(ID)),
                        store,
                        snapshots,
                        StateMachine.NONE,
                        transport,
                        NodeMetrics.NONE,
                        1))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("no intact snapshot");

        assertThatThrownBy(store::lastIndex)
                .as("the log store the failed node was given is closed")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(snapshots::list)
                .as("the snapshot store the failed node was given is closed")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> transport.start(ID, message -> {}))
                .as("the transport the failed node was given is closed")
                .isInstanceOf(IllegalStateException.class);
        try (InMemoryLogStore reopened = new InMemoryLogStore(volume)) {
            assertThat(reopened.firstIndex())
                    .as("the volume opens again at once")
                    .isEqualTo(5);
        }
    }

    @Test
    void aNodeThatGuiceCannotBuildLeavesTheStoreItsModuleOpenedClosed() {
        InMemoryLogStore.Volume volume = compactedWithoutASnapshot();
        var injector = Guice.createInjector(
                new RaftModule(NodeConfig.of(ID, List.of(ID))),
                new InMemoryStorageModule(volume),
                new InMemoryTransportModule(new InMemoryNetwork()));

        assertThatThrownBy(() -> injector.getInstance(ReplicatedLog.class))
                .isInstanceOf(ProvisionException.class)
                .hasRootCauseInstanceOf(StorageException.class);

        try (InMemoryLogStore reopened = new InMemoryLogStore(volume)) {
            assertThat(reopened.firstIndex())
                    .as("the volume the module's store held is free again: the failed node closed it")
                    .isEqualTo(5);
        }
    }

    /** A log whose first four entries were removed, with no snapshot covering them: a node refuses it. */
    private static InMemoryLogStore.Volume compactedWithoutASnapshot() {
        InMemoryLogStore.Volume volume = new InMemoryLogStore.Volume();
        try (InMemoryLogStore store = new InMemoryLogStore(volume)) {
            List<LogEntry> entries = new ArrayList<>();
            for (long index = 1; index <= 10; index++) {
                entries.add(LogEntry.data(index, 1, Bytes.ofUtf8("record " + index)));
            }
            store.append(entries);
            store.truncatePrefix(5);
        }
        return volume;
    }
}
