package io.raftlog.storage.lmdb;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.ContractExclusion;
import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * The LMDB store passes the crash suite's SIGKILL test: child JVMs writing to one directory are
 * killed at random moments, and every completed call is there afterwards, the interrupted one all
 * or nothing. The map starts small (256 KiB), so kills also land while it grows.
 *
 * <p>The power-loss test cannot follow LMDB: LMDB writes {@code data.mdb} from native code, past
 * the Java file system provider that simulates the power cut. Power-loss durability rests on
 * LMDB's two {@code fdatasync}s per commit (see {@link LmdbLogStore}).
 */
@ContractExclusion(
        test = "everyCompletedCallSurvivesPowerLoss",
        reason = "LMDB writes data.mdb from native code (liblmdb), which the power-loss file system provider cannot"
                + " follow; power-loss durability rests on LMDB's fdatasync of the data pages and then the meta page")
class LmdbLogStoreCrashIT extends LogStoreCrashContract {
    /** Opens a durable store with a small map, so the map grows during the test. */
    static final class Factory implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return LmdbLogStore.open(LmdbStoreConfig.of(directory).withMapSize(256 * 1024, 1L << 30));
        }
    }

    @Override
    protected Class<? extends LogStoreFactory> factory() {
        return Factory.class;
    }

    @Override
    protected List<String> childJvmArguments() {
        return ChildJvm.ADD_OPENS;
    }
}
