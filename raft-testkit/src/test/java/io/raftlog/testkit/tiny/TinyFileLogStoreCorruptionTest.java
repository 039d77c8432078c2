package io.raftlog.testkit.tiny;

import io.raftlog.testkit.LogStoreCorruptionContract;
import io.raftlog.testkit.LogStoreFactory;

/** The correct tiny store passes the corruption suite, both tests: damage fails its open or its reads, loudly. */
class TinyFileLogStoreCorruptionTest extends LogStoreCorruptionContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return TinyStores.Correct.class;
    }
}
