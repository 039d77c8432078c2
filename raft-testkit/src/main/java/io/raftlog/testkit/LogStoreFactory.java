package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;

/**
 * Opens a plugin's {@link LogStore} on a directory: how the crash and corruption suites reach a
 * store they do not know. The suites are given the factory's class and instantiate it themselves
 * by reflection — the crash suite by name, in a child JVM that knows nothing of the test — so an
 * implementation:
 *
 * <ul>
 *   <li>has a no-argument constructor; neither it nor the class need be public (the suites make the
 *       constructor accessible), but a nested class must be {@code static} (an inner class's
 *       constructor takes the enclosing instance);</li>
 *   <li>is loadable by its name from the test class path;</li>
 *   <li>does not depend on state of the test that names it.</li>
 * </ul>
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
