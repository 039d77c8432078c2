package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.raftlog.api.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock keeps a second store out of a data directory, says why in words an operator can act
 * on, and frees the directory at once when closed. (Another process holding it: see
 * {@link DirectoryLockProcessIT}.)
 */
class DirectoryLockTest {
    @TempDir
    Path temp;

    @Test
    void aMissingDirectoryIsCreatedAndTheLockFileNamesThisProcess() throws IOException {
        Path directory = temp.resolve("a/b/data");
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            assertThat(directory).isDirectory();
            assertThat(Files.readString(directory.resolve(DirectoryLock.FILE_NAME)))
                    .isEqualTo(ProcessHandle.current().pid() + "\n");
            assertThat(lock).hasToString("DirectoryLock[" + directory.resolve(DirectoryLock.FILE_NAME) + "]");
        }
    }

    @Test
    void aSecondLockInThisJvmIsRefusedUntilTheFirstIsClosed() {
        Path directory = temp.resolve("data");
        DirectoryLock first = DirectoryLock.acquire(directory);
        try {
            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + directory + " is in use by another store in this JVM;"
                            + " a data directory can be opened by only one store at a time");
            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .as("a refused attempt leaves nothing behind that blocks the holder or the next attempt")
                    .hasMessageContaining("in use by another store in this JVM");
        } finally {
            first.close();
        }
        try (DirectoryLock again = DirectoryLock.acquire(directory)) {
            assertThat(directory.resolve(DirectoryLock.FILE_NAME)).isRegularFile();
        }
    }

    @Test
    void closingTwiceIsHarmlessEvenAfterAnotherStoreTookTheDirectory() {
        Path directory = temp.resolve("data");
        DirectoryLock old = DirectoryLock.acquire(directory);
        old.close();
        try (DirectoryLock current = DirectoryLock.acquire(directory)) {
            old.close();
            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .as("the old lock's second close released nothing of the new one")
                    .hasMessageContaining("in use by another store in this JVM");
        }
    }

    @Test
    void anotherNameOfTheSameDirectoryIsTheSameDirectory() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("data"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), directory);
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            assertThatThrownBy(() -> DirectoryLock.acquire(link))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + link + " is in use by another store in this JVM;"
                            + " a data directory can be opened by only one store at a time");
        }
    }

    @Test
    void aDirectoryThatIsAFileIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-directory"), "x");
        assertThatThrownBy(() -> DirectoryLock.acquire(file))
                .isInstanceOf(StorageException.class)
                .hasMessage("data directory " + file + " exists but is not a directory");
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");
        Path directory = file.resolve("data");
        assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("cannot create data directory " + directory + ": ");
    }

    @Test
    void aDirectoryWithoutWritePermissionIsReportedAsNotWritable() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("read-only"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(
                    Files.isWritable(directory),
                    "permissions do not stop this user (root); LmdbErrorPathsTest covers a read-only mount");
            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith(
                            "data directory " + directory + " is not writable: cannot create raftlog.lock (");
        } finally {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
