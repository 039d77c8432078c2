package io.raftlog.storage.segment;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/** The whole of raft-testkit's {@link LogStoreContract} again, with the default (64 MiB) segments. */
class SegmentLogStoreDefaultsContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return SegmentLogStore.open(directory);
    }
}
