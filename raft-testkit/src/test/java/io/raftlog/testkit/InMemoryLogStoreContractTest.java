package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** raft-core's in-memory store passes the storage contract; a directory stands for its volume. */
class InMemoryLogStoreContractTest extends LogStoreContract {
    private final Map<Path, InMemoryLogStore.Volume> volumes = new HashMap<>();

    @Override
    protected LogStore openStore(Path directory) {
        return new InMemoryLogStore(volumes.computeIfAbsent(directory, unused -> new InMemoryLogStore.Volume()));
    }
}
