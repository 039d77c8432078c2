package io.raftlog.storage.segment;

import io.raftlog.testkit.LogStoreCorruptionContract;
import io.raftlog.testkit.LogStoreFactory;

/**
 * raft-testkit's corruption suite, nothing excluded: every byte of a record is under a checksum
 * (the header's or an entry's), and the CLOSE record written by close() tells a damaged last batch
 * from a torn one.
 */
class SegmentLogStoreCorruptionTest extends LogStoreCorruptionContract {
    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return SegmentLogStoreFactory.class;
    }
}
