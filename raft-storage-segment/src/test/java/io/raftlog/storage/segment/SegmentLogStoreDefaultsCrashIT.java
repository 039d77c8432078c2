package io.raftlog.storage.segment;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;

/**
 * The crash suite again with the default settings: 64 MiB segments, so most power cuts land in a
 * segment with a megabyte of preallocated zeros after its last record.
 */
class SegmentLogStoreDefaultsCrashIT extends LogStoreCrashContract {
    /** Opens a store with the default settings. */
    static final class Factory implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return SegmentLogStore.open(directory);
        }
    }

    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return Factory.class;
    }
}
