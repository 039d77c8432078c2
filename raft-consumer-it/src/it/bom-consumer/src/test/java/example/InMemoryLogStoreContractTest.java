package example;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/** What a plugin author writes: raft-testkit's contract, against a store (here raft-core's). */
class InMemoryLogStoreContractTest extends LogStoreContract {
    private final InMemoryLogStore.Volume volume = new InMemoryLogStore.Volume();

    @Override
    protected LogStore openStore(Path directory) {
        return new InMemoryLogStore(volume);
    }
}
