package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import io.raftlog.testkit.SnapshotStoreContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file snapshot store passes the snapshot contract; a crash opens a second store on the same
 * directory while the first one, its writers' temporary files still open, is dropped. The tests
 * after the contract's check the files themselves.
 */
class FileSnapshotStoreContractTest extends SnapshotStoreContract {
    @Override
    protected SnapshotStore openStore(Path directory) {
        return FileSnapshotStore.open(directory);
    }

    @Override
    protected void crash() {
        store = FileSnapshotStore.open(directory);
    }

    @Test
    void snapshotsAreFilesNamedForIndexAndTermAndTemporaryFilesUntilCommitted() throws IOException {
        SnapshotWriter writer = store.create(12, 3);
        writer.write(ByteBuffer.wrap(randomBytes(100)));
        assertThat(files())
                .singleElement()
                .asString()
                .startsWith("snapshot-00000000000000000012-3-")
                .endsWith(".tmp");

        writer.commit();
        assertThat(files()).containsExactly("snapshot-00000000000000000012-3.snap");
        assertThat(Files.size(directory.resolve("snapshot-00000000000000000012-3.snap")))
                .isEqualTo(100);

        write(12, 5, randomBytes(10));
        assertThat(files()).as("the replaced file is gone").containsExactly("snapshot-00000000000000000012-5.snap");
        store.delete(12);
        assertThat(files()).isEmpty();
        assertThat(store.location()).isEqualTo(directory.toAbsolutePath().toString());
    }

    @Test
    void openingDeletesLeftoverTemporaryFilesAndIgnoresUnrelatedOnes() throws IOException {
        SnapshotInfo info = write(2, 1, randomBytes(64));
        store.create(3, 1).write(ByteBuffer.wrap(randomBytes(5000)));
        Files.writeString(directory.resolve("README"), "not a snapshot");
        Files.writeString(directory.resolve("snapshot-1-1.snap"), "not a name the store writes");
        Files.createDirectory(directory.resolve("snapshot-00000000000000000009-1.snap"));
        Files.write(directory.resolve("snapshot-00000000000000000004-1-leftover.tmp"), new byte[10]);

        crashAndReopen();
        assertThat(store.list()).containsExactly(info);
        assertThat(files())
                .containsExactlyInAnyOrder(
                        "README",
                        "snapshot-1-1.snap",
                        "snapshot-00000000000000000002-1.snap",
                        "snapshot-00000000000000000009-1.snap");
    }

    @Test
    void aCrashBetweenTheRenameAndTheDeleteOfAReplacedSnapshotKeepsTheHigherTerm() throws IOException {
        write(8, 2, randomBytes(20));
        store.close();
        Files.write(directory.resolve("snapshot-00000000000000000008-4.snap"), new byte[30]);

        assertThat(reopen().list()).containsExactly(new SnapshotInfo(8, 4, 30));
        assertThat(files()).containsExactly("snapshot-00000000000000000008-4.snap");
    }

    @Test
    void aDirectoryThatIsAFileFailsWithAMessageNamingIt(@TempDir Path other) throws IOException {
        Path file = Files.writeString(other.resolve("plain-file"), "x");
        assertThatThrownBy(() -> FileSnapshotStore.open(file))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(file.toAbsolutePath().toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void aMissingDirectoryIsCreated(@TempDir Path other) {
        Path nested = other.resolve("a/b/snapshots");
        try (FileSnapshotStore created = FileSnapshotStore.open(nested)) {
            assertThat(Files.isDirectory(nested)).isTrue();
            assertThat(created.list()).isEmpty();
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
