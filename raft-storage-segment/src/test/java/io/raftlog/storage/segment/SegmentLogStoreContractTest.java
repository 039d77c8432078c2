package io.raftlog.storage.segment;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/** The whole of raft-testkit's {@link LogStoreContract}, nothing excluded, with small segments. */
class SegmentLogStoreContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return new SegmentLogStoreFactory().open(directory);
    }
}
