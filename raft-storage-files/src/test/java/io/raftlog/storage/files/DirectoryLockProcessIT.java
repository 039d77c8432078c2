package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.StorageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock across processes: a directory a child JVM holds is refused with the child's pid, a
 * SIGKILL of the child leaves no stale lock, and a refused attempt in the holder's own JVM does not
 * let another process in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectoryLockProcessIT {
    @TempDir
    Path temp;

    @Test
    void aDirectoryHeldByAnotherProcessIsInUseUntilThatProcessDies() throws Exception {
        Path directory = temp.resolve("data");
        Process holder = child("hold", directory, temp.resolve("holder.err"));
        try {
            assertThat(firstLine(holder)).isEqualTo("LOCKED .");

            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + directory + " is in use by another process (pid " + holder.pid()
                            + "); a data directory can be opened by only one store at a time");
        } finally {
            holder.destroyForcibly(); // SIGKILL: no chance to release anything itself
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            assertThat(Files.readString(directory.resolve(DirectoryLock.FILE_NAME)))
                    .as("the new owner's pid replaced the dead one's")
                    .isEqualTo(ProcessHandle.current().pid() + "\n");
        }
    }

    /**
     * Closing any channel on a file releases the process's POSIX lock on it: a refused second
     * attempt in the holder's JVM must not open (and close) the lock file.
     */
    @Test
    void aSecondAttemptInTheHoldersJvmLeavesOtherProcessesLockedOut() throws Exception {
        Path directory = temp.resolve("data");
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            assertThatThrownBy(() -> DirectoryLock.acquire(directory))
                    .hasMessageContaining("in use by another store in this JVM");

            Process probe = child("probe", directory, temp.resolve("probe.err"));
            try {
                assertThat(firstLine(probe))
                        .isEqualTo("REFUSED data directory " + directory + " is in use by another process (pid "
                                + ProcessHandle.current().pid()
                                + "); a data directory can be opened by only one store at a time .");
                assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                probe.destroyForcibly();
            }
        }
    }

    private static Process child(String mode, Path directory, Path stderr) throws IOException {
        return new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolder.class.getName(),
                        mode,
                        directory.toString()))
                .redirectError(stderr.toFile())
                .start();
    }

    private static String firstLine(Process child) throws Exception {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        return CompletableFuture.supplyAsync(() -> readLine(out)).get(30, TimeUnit.SECONDS);
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The child. {@code hold DIR}: locks the directory, prints {@code LOCKED}, and holds the lock
     * until killed or its stdin closes. {@code probe DIR}: tries to lock it and prints
     * {@code LOCKED} or {@code REFUSED} and the error. Lines end in " .", so a cut one shows.
     */
    public static final class LockHolder {
        private LockHolder() {}

        public static void main(String[] args) throws IOException {
            try (DirectoryLock lock = DirectoryLock.acquire(Path.of(args[1]))) {
                say("LOCKED");
                while (args[0].equals("hold") && System.in.read() != -1) {
                    // hold the lock until the parent closes our stdin or kills us
                }
            } catch (StorageException e) {
                say("REFUSED " + e.getMessage());
            }
        }

        private static void say(String line) {
            System.out.println(line + " .");
            System.out.flush();
        }
    }
}
