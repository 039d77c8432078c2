package io.raftlog.storage.segment;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;

/**
 * Opens a {@link SegmentLogStore} with small (4 KiB) segments, so the suites' workloads roll over,
 * truncate across and delete segments all the time. The crash suite instantiates it by name in a
 * child JVM: a no-argument constructor and no state.
 */
public final class SegmentLogStoreFactory implements LogStoreFactory {
    @Override
    public LogStore open(Path directory) {
        return SegmentLogStore.open(
                SegmentStoreConfig.of(directory).withSegmentBytes(SegmentStoreConfig.MIN_SEGMENT_BYTES));
    }
}
