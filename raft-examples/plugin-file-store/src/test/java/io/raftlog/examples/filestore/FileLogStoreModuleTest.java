package io.raftlog.examples.filestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link FileLogStoreModule} binds, and that a failed provision leaves no directory locked. */
class FileLogStoreModuleTest {
    @TempDir
    Path directory;

    @Test
    void bindsTheLogStoreAndTheSnapshotStoreInItsSubdirectoryAndOpensNothingUntilAsked() {
        Injector injector = Guice.createInjector(new FileLogStoreModule(directory));
        assertThat(directory.resolve(FileLogStoreModule.SNAPSHOT_DIRECTORY))
                .as("configuring the module opens nothing")
                .doesNotExist();

        SnapshotStore snapshots = injector.getInstance(SnapshotStore.class);
        LogStore store = injector.getInstance(LogStore.class);
        try {
            assertThat(store).as("one store per injector").isSameAs(injector.getInstance(FileLogStore.class));
            assertThat(Path.of(snapshots.location()))
                    .as("the snapshots live in the store's subdirectory")
                    .isEqualTo(directory
                            .resolve(FileLogStoreModule.SNAPSHOT_DIRECTORY)
                            .toAbsolutePath());
        } finally {
            snapshots.close();
            store.close();
        }
    }

    /**
     * No node will own the stores of an injector whose snapshot store cannot open: the log store,
     * opened first, must not keep the directory locked (a retry in the same JVM would be refused).
     */
    @Test
    void aSnapshotStoreThatCannotOpenLeavesTheDirectoryUnlocked() throws Exception {
        Files.writeString(directory.resolve(FileLogStoreModule.SNAPSHOT_DIRECTORY), "a file, not a directory");
        Injector injector = Guice.createInjector(new FileLogStoreModule(directory));

        assertThatThrownBy(() -> injector.getInstance(SnapshotStore.class))
                .isInstanceOf(ProvisionException.class)
                .hasStackTraceContaining("not a directory");

        try (FileLogStore reopened = FileLogStore.open(directory)) {
            assertThat(reopened.lastIndex())
                    .as("the directory opens again at once: the module closed the log store")
                    .isZero();
        }
    }
}
