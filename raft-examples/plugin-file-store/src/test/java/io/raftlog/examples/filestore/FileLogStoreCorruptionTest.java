package io.raftlog.examples.filestore;

import io.raftlog.testkit.LogStoreCorruptionContract;
import io.raftlog.testkit.LogStoreFactory;

/**
 * The example store through raft-testkit's corruption suite: bytes flipped inside the stored
 * payloads and anywhere in its files; every read is exact or names the damaged entry. Nothing is
 * excluded: entries, frame headers and commit markers all carry checksums.
 */
class FileLogStoreCorruptionTest extends LogStoreCorruptionContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return FileLogStoreFactory.class;
    }
}
