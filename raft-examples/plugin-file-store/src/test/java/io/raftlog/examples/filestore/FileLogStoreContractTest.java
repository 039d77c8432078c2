package io.raftlog.examples.filestore;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/**
 * The rules every {@link LogStore} must keep, run against {@link FileLogStore}: the whole of
 * raft-testkit's {@link LogStoreContract}, nothing excluded.
 */
class FileLogStoreContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return new FileLogStoreFactory().open(directory);
    }
}
