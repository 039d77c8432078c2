package io.raftlog.examples.filestore;

import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;

/**
 * The example store through raft-testkit's crash suite: child JVMs killed with SIGKILL, and power
 * cuts simulated below {@code java.nio.file} (the store writes only through {@code FileChannel}s,
 * so the suite sees every write and every force). Nothing is excluded.
 */
class FileLogStoreCrashIT extends LogStoreCrashContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return FileLogStoreFactory.class;
    }
}
