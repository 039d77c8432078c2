package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;

/**
 * Opens a plugin's {@link LogStore} on a directory: how the crash and corruption suites reach a
 * store they do not know. The crash suite names the factory by class and instantiates it in a child
 * JVM, so an implementation needs a public no-argument constructor and must not depend on state
 * of the test that names it.
 */
@FunctionalInterface
public interface LogStoreFactory {
    /**
     * Opens a store on {@code directory}: a new empty store the first time, and afterwards (once
     * the previous store on it is closed, or its process died) a store that sees everything made
     * durable there before.
     */
    LogStore open(Path directory);
}
