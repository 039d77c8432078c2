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
 * The lock across processes: a directory a child JVM holds is refused with the child's pid, and
 * a SIGKILL of the child leaves no stale lock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectoryLockProcessIT {
    @TempDir
    Path temp;

    @Test
    void aDirectoryHeldByAnotherProcessIsInUseUntilThatProcessDies() throws Exception {
        Path directory = temp.resolve("data");
        Path stderr = temp.resolve("holder.err");
        Process holder = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolder.class.getName(),
                        directory.toString()))
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII));
            String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(30, TimeUnit.SECONDS);
            assertThat(line)
                    .as("the holder's first line (its stderr: %s)", stderr)
                    .isEqualTo("LOCKED .");

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

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The child: locks the directory given, says so, and holds the lock until killed or its stdin closes. */
    public static final class LockHolder {
        private LockHolder() {}

        public static void main(String[] args) throws IOException {
            try (DirectoryLock lock = DirectoryLock.acquire(Path.of(args[0]))) {
                System.out.println("LOCKED .");
                System.out.flush();
                while (System.in.read() != -1) {
                    // hold the lock until the parent closes our stdin or kills us
                }
            }
        }
    }
}
