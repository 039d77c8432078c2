package io.raftlog.testkit.tiny;

import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;

/** The correct tiny store passes the crash suite in both modes: the suite fails no store that keeps its rules. */
class TinyFileLogStoreCrashIT extends LogStoreCrashContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return TinyStores.Correct.class;
    }
}
