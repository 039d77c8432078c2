package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.StorageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour that needs a second JVM: the directory lock across processes, and the JVM flags. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LmdbProcessIT {
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path temp;

    @Test
    void aDirectoryHeldByAnotherProcessIsInUseUntilThatProcessDies() throws Exception {
        Path directory = temp.resolve("data");
        try (ChildJvm holder =
                ChildJvm.start(temp.resolve("holder.err"), StoreProcess.class, "hold", directory.toString())) {
            assertThat(holder.nextLine(LINE_TIMEOUT)).isEqualTo("OPEN " + holder.pid() + " .");

            assertThatThrownBy(() -> LmdbLogStore.open(directory))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + directory + " is in use by another process (pid " + holder.pid()
                            + "); a data directory can be opened by only one store at a time");

            holder.kill();
        }
        // SIGKILL leaves no stale lock: the OS released it with the process.
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            assertThat(store.lastIndex()).isZero();
        }
    }

    @Test
    void withoutTheAddOpensFlagsOpeningSaysWhichFlagsToAdd() throws Exception {
        try (ChildJvm child = ChildJvm.start(
                temp.resolve("noflags.err"),
                List.of(),
                StoreProcess.class,
                "open",
                temp.resolve("data").toString())) {
            assertThat(child.nextLine(LINE_TIMEOUT))
                    .isEqualTo("ERROR java.lang.IllegalStateException: lmdbjava needs"
                            + " the JVM flags --add-opens java.base/java.nio=ALL-UNNAMED --add-opens"
                            + " java.base/sun.nio.ch=ALL-UNNAMED (add them to the java command line, or an Add-Opens line"
                            + " to the jar manifest) .");
            assertThat(child.waitForExit(LINE_TIMEOUT)).isZero();
        }
        try (ChildJvm child = ChildJvm.start(
                temp.resolve("flags.err"),
                StoreProcess.class,
                "open",
                temp.resolve("data").toString())) {
            assertThat(child.nextLine(LINE_TIMEOUT)).isEqualTo("OPENED 1 0 .");
        }
    }
}
