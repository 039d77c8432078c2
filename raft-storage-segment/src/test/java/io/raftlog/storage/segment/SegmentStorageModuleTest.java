package io.raftlog.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.storage.files.FileSnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentStorageModuleTest {
    @TempDir
    Path temp;

    @Test
    void bindsOneStoreOfEachKindOpenedOnlyWhenAsked() {
        Path directory = temp.resolve("node-1");
        Injector injector = Guice.createInjector(new SegmentStorageModule(directory));
        assertThat(directory).as("configure() has no side effects").doesNotExist();

        LogStore log = injector.getInstance(LogStore.class);
        SnapshotStore snapshots = injector.getInstance(SnapshotStore.class);
        try {
            assertThat(log)
                    .isInstanceOf(SegmentLogStore.class)
                    .isSameAs(injector.getInstance(LogStore.class))
                    .isSameAs(injector.getInstance(SegmentLogStore.class));
            assertThat(snapshots)
                    .isInstanceOf(FileSnapshotStore.class)
                    .isSameAs(injector.getInstance(SnapshotStore.class));
            assertThat(snapshots.location())
                    .isEqualTo(directory
                            .resolve(SegmentStorageModule.SNAPSHOT_DIRECTORY)
                            .toAbsolutePath()
                            .toString());
        } finally {
            snapshots.close();
            log.close();
        }
    }

    @Test
    void aSnapshotStoreThatCannotOpenReleasesTheLogStoresDirectory() throws IOException {
        Path directory = temp.resolve("node-2");
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(SegmentStorageModule.SNAPSHOT_DIRECTORY), "not a directory");
        Injector injector = Guice.createInjector(new SegmentStorageModule(directory));
        assertThatThrownBy(() -> injector.getInstance(SnapshotStore.class)).isInstanceOf(ProvisionException.class);
        try (SegmentLogStore again = SegmentLogStore.open(directory)) {
            assertThat(again.lastIndex()).isZero();
        }
    }
}
