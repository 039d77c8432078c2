package io.raftlog.storage.lmdb;

import static io.raftlog.testkit.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.storage.files.FileSnapshotStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbStorageModuleTest {
    @TempDir
    Path temp;

    @Test
    void bindsOneLmdbStoreForTheDirectoryAndOpensItOnlyWhenAsked() {
        Path directory = temp.resolve("node-1");
        Injector injector = Guice.createInjector(new LmdbStorageModule(directory));
        assertThat(directory).as("configure() has no side effects").doesNotExist();

        LogStore store = injector.getInstance(LogStore.class);
        try {
            assertThat(store)
                    .isInstanceOf(LmdbLogStore.class)
                    .isSameAs(injector.getInstance(LogStore.class))
                    .isSameAs(injector.getInstance(LmdbLogStore.class));
            assertThat(((LmdbLogStore) store).location())
                    .isEqualTo(directory.toAbsolutePath().toString());
            store.append(range(1, 3, 1));
            assertThat(Files.exists(directory.resolve("data.mdb"))).isTrue();
        } finally {
            store.close();
        }
    }

    @Test
    void bindsOneFileSnapshotStoreInTheSnapshotsSubdirectoryNextToTheLog() {
        Path directory = temp.resolve("node-3");
        Injector injector = Guice.createInjector(new LmdbStorageModule(directory));
        assertThat(directory).as("configure() has no side effects").doesNotExist();

        SnapshotStore snapshots = injector.getInstance(SnapshotStore.class);
        try (LmdbLogStore log = injector.getInstance(LmdbLogStore.class)) {
            assertThat(snapshots)
                    .isInstanceOf(FileSnapshotStore.class)
                    .isSameAs(injector.getInstance(SnapshotStore.class))
                    .isSameAs(injector.getInstance(FileSnapshotStore.class));
            Path expected =
                    directory.resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY).toAbsolutePath();
            assertThat(snapshots.location()).isEqualTo(expected.toString());
            assertThat(Path.of(snapshots.location()).getParent().toString()).isEqualTo(log.location());
            assertThat(Files.exists(directory.resolve("data.mdb")))
                    .as("the log store is opened first: its lock guards the snapshots too")
                    .isTrue();

            SnapshotStore.SnapshotWriter writer = snapshots.create(5, 1);
            writer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            writer.commit();
            assertThat(snapshots.list()).containsExactly(new SnapshotStore.SnapshotInfo(5, 1, 3));
            assertThat(expected.resolve("snapshot-00000000000000000005-1.snap")).exists();
        } finally {
            snapshots.close();
        }
    }

    /**
     * No node will own the stores of an injector whose snapshot store cannot open: the LMDB store
     * opened first must not keep the directory locked (a retry in the same JVM would be refused).
     */
    @Test
    void aSnapshotStoreThatCannotOpenLeavesTheDirectoryUnlocked() throws Exception {
        Path directory = temp.resolve("node-4");
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(LmdbStorageModule.SNAPSHOT_DIRECTORY), "a file, not a directory");
        Injector injector = Guice.createInjector(new LmdbStorageModule(directory));

        assertThatThrownBy(() -> injector.getInstance(SnapshotStore.class))
                .isInstanceOf(ProvisionException.class)
                .hasStackTraceContaining("StorageException: snapshot directory")
                .hasStackTraceContaining("exists but is not a directory");

        try (LmdbLogStore reopened = LmdbLogStore.open(directory)) {
            assertThat(reopened.lastIndex())
                    .as("the directory opens again at once: the module released the lock")
                    .isZero();
        }
    }

    @Test
    void takesAFullConfiguration() {
        LmdbStoreConfig config = LmdbStoreConfig.of(temp.resolve("node-2"))
                .withSyncMode(SyncMode.NO_SYNC)
                .withMapSize(1 << 20, 1 << 30)
                .withMaxReaders(8);
        Injector injector = Guice.createInjector(new LmdbStorageModule(config));
        assertThat(injector.getInstance(LmdbStoreConfig.class)).isEqualTo(config);
        try (LmdbLogStore store = injector.getInstance(LmdbLogStore.class)) {
            assertThat(store.mapSizeBytes()).isEqualTo(1 << 20);
        }
    }
}
