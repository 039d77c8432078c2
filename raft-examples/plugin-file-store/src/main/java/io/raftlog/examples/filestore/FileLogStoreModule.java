package io.raftlog.examples.filestore;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.storage.files.FileSnapshotStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} to one {@link FileLogStore} in a directory, and {@link SnapshotStore} to a
 * {@link FileSnapshotStore} in its subdirectory {@value #SNAPSHOT_DIRECTORY}: the two stores
 * {@code RaftModule} needs.
 *
 * <pre>{@code
 * ReplicatedLog log = Guice.createInjector(
 *                 new RaftModule(config), new FileLogStoreModule(Path.of("data/n1")), transportModule)
 *         .getInstance(ReplicatedLog.class);
 * }</pre>
 *
 * <p><b>Why a durable snapshot store.</b> A durable log needs durable snapshots: once the log start
 * moves past a snapshot, the node truncates the log below it, and after a restart only the
 * snapshot holds what those entries built; a follower that installed a leader's snapshot holds
 * nothing else at all. With snapshots in memory such a node could not restart. raftlog's
 * {@link FileSnapshotStore} (raft-storage-files, the artifact this store's directory lock and file
 * helpers come from too) keeps each snapshot as one file: temporary file, force, rename, force of
 * the directory.
 *
 * <p><b>Lifecycle.</b> Like every raftlog module it only binds: configuring it opens nothing. The
 * stores are opened when the injector first provides them — the log store first, so that its
 * directory lock also keeps a second process away from the snapshots — and the node that receives
 * them closes them when it closes. If the snapshot store cannot be opened, no node will ever own
 * the log store, so the provider closes it before the failure reaches the caller. Both are
 * singletons: one injector, one node, one directory.
 */
public final class FileLogStoreModule extends AbstractModule {
    /** The subdirectory of the store's directory that holds the snapshots. */
    public static final String SNAPSHOT_DIRECTORY = "snapshots";

    private final Path directory;

    /** Stores in {@code directory} (created on first use if missing). */
    public FileLogStoreModule(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    @Provides
    @Singleton
    FileLogStore fileLogStore() {
        return FileLogStore.open(directory);
    }

    @Provides
    @Singleton
    LogStore logStore(FileLogStore store) {
        return store;
    }

    @Provides
    @Singleton
    SnapshotStore snapshotStore(FileLogStore lockHolder) {
        // The log store is a parameter so that it is opened, and its directory locked, first.
        try {
            return FileSnapshotStore.open(directory.resolve(SNAPSHOT_DIRECTORY));
        } catch (RuntimeException | Error e) {
            // No node will own the log store now: release its directory, or a retry in this JVM
            // would find it locked.
            try {
                lockHolder.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
