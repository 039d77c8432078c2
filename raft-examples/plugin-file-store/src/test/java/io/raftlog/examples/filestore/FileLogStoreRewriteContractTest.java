package io.raftlog.examples.filestore;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/**
 * {@link LogStoreContract} again, with a store that rewrites its log file as soon as dead bytes
 * outweigh live ones (instead of after 64 MiB): every truncation in the contract, the concurrent
 * readers' tests included, then also runs through the rewrite and the switch to the new file.
 */
class FileLogStoreRewriteContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return FileLogStore.open(directory, 0);
    }
}
