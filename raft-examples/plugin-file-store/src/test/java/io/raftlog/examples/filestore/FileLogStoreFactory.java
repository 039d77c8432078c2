package io.raftlog.examples.filestore;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;

/**
 * Opens a {@link FileLogStore} on a directory, for raft-testkit's suites that need to reach a store
 * they do not know. The crash suite instantiates it by class name in a child JVM, hence the
 * no-argument constructor and no state (public here for clarity; the suites accept a non-public
 * class and constructor too, but not an inner class): adding {@code class FileLogStoreCrashIT
 * extends LogStoreCrashContract} that names this class is all the crash suite needs.
 */
public final class FileLogStoreFactory implements LogStoreFactory {
    /** A factory of default stores. */
    public FileLogStoreFactory() {}

    @Override
    public LogStore open(Path directory) {
        return FileLogStore.open(directory);
    }
}
