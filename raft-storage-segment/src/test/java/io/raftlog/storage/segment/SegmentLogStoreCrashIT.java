package io.raftlog.storage.segment;

import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;

/**
 * raft-testkit's crash suite, nothing excluded: child JVMs killed with SIGKILL, and power cuts
 * simulated below {@code java.nio.file} (the store writes only through {@code FileChannel}s and
 * {@code Files}, so the suite sees every write and every force). The power-loss test is the proof
 * that one {@code force} per append suffices.
 */
class SegmentLogStoreCrashIT extends LogStoreCrashContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return SegmentLogStoreFactory.class;
    }
}
