package io.raftlog.storage.lmdb;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/** The LMDB store passes the storage contract, with a small map so the contract also exercises growth. */
class LmdbLogStoreContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return LmdbLogStore.open(LmdbStoreConfig.of(directory).withMapSize(256 * 1024, 1L << 30));
    }
}
