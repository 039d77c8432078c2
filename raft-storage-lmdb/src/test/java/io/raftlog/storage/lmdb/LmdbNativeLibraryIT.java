package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store processes that die by SIGKILL leave no copy of LMDB's native library behind: it is copied
 * once to a per-user cache and reused, a damaged copy is replaced, and a library the user names is
 * left alone. Each child JVM gets its own java.io.tmpdir and XDG_CACHE_HOME.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LmdbNativeLibraryIT {
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(15);
    /** What lmdbjava's own extraction names its copies ({@code File.createTempFile} in its Library). */
    private static final String LMDBJAVA_COPY = "lmdbjava-native-library-";

    private static final String BUNDLED = "org/lmdbjava/native/x86_64-linux-gnu.so";

    @TempDir
    Path temp;

    private Path tmp() throws IOException {
        return Files.createDirectories(temp.resolve("tmp"));
    }

    private Path cacheHome() {
        return temp.resolve("cache");
    }

    @Test
    void killedStoresLeaveNoCopyInTmpAndShareOneCachedCopy() throws Exception {
        holdAndKill("first", List.of(), cacheHome());

        assertThat(lmdbjavaCopies(tmp())).isEmpty();
        Path cached = onlyCachedLibrary(cacheHome().resolve("raftlog"));
        assertThat(cached.getFileName()).hasToString("liblmdb.so");
        assertThat(cached.getParent().getFileName().toString()).matches("lmdb-0\\.9\\.3-[0-9a-f]{16}");
        assertThat(Files.readAllBytes(cached)).isEqualTo(bundledLibrary());
        FileTime written = Files.getLastModifiedTime(cached);
        Object inode = Files.readAttributes(cached, "unix:ino").get("ino");

        holdAndKill("second", List.of(), cacheHome());

        assertThat(lmdbjavaCopies(tmp())).isEmpty();
        assertThat(onlyCachedLibrary(cacheHome().resolve("raftlog"))).isEqualTo(cached);
        assertThat(Files.getLastModifiedTime(cached))
                .as("reused, not rewritten")
                .isEqualTo(written);
        assertThat(Files.readAttributes(cached, "unix:ino").get("ino")).isEqualTo(inode);
    }

    @Test
    void aDamagedCachedCopyIsReplaced() throws Exception {
        holdAndKill("first", List.of(), cacheHome());
        Path cached = onlyCachedLibrary(cacheHome().resolve("raftlog"));
        byte[] library = Files.readAllBytes(cached);
        library[library.length / 2] ^= 1; // one flipped bit: same size, same name
        Files.write(cached, library);

        holdAndKill("second", List.of(), cacheHome());

        assertThat(onlyCachedLibrary(cacheHome().resolve("raftlog"))).isEqualTo(cached);
        assertThat(Files.readAllBytes(cached)).isEqualTo(bundledLibrary());
        assertThat(lmdbjavaCopies(tmp())).isEmpty();
    }

    @Test
    void storesStartingAtOnceShareOneCopyAndLeaveNoTemporaryFiles() throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(hold("child-" + i, List.of(), cacheHome()));
            }
            for (ChildJvm child : children) {
                assertThat(child.nextLine(LINE_TIMEOUT)).isEqualTo("OPEN " + child.pid() + " .");
            }
        } finally {
            for (ChildJvm child : children) {
                child.kill();
            }
        }

        Path cached = onlyCachedLibrary(cacheHome().resolve("raftlog"));
        try (Stream<Path> files = Files.list(cached.getParent())) {
            assertThat(files).containsExactly(cached);
        }
        assertThat(Files.readAllBytes(cached)).isEqualTo(bundledLibrary());
        assertThat(lmdbjavaCopies(tmp())).isEmpty();
    }

    @Test
    void anUnwritableCacheHomeFallsBackToAPerUserDirectoryInTmp() throws Exception {
        Path notADirectory = Files.writeString(temp.resolve("cache-is-a-file"), "");

        holdAndKill("first", List.of(), notADirectory);

        Path cached = onlyCachedLibrary(tmp().resolve("raftlog-" + System.getProperty("user.name")));
        assertThat(Files.readAllBytes(cached)).isEqualTo(bundledLibrary());
        assertThat(lmdbjavaCopies(tmp())).isEmpty();
    }

    @Test
    void aCacheHomeThatCannotRunNativeCodeFallsBackToTmp() throws Exception {
        try (Tmpfs noexec = Tmpfs.mount(temp.resolve("noexec"), 4 << 20, ",noexec")) {
            holdAndKill("first", List.of(), temp.resolve("noexec"));

            Path cached = onlyCachedLibrary(tmp().resolve("raftlog-" + System.getProperty("user.name")));
            assertThat(Files.readAllBytes(cached)).isEqualTo(bundledLibrary());
            assertThat(lmdbjavaCopies(tmp())).isEmpty();
        }
    }

    @Test
    void aNativeLibraryTheUserNamesIsLoadedAsIsAndNothingIsCached() throws Exception {
        Path own = Files.write(temp.resolve("my-liblmdb.so"), bundledLibrary());

        holdAndKill("own", List.of("-Dlmdbjava.native.lib=" + own), cacheHome());

        assertThat(cacheHome()).doesNotExist();
        assertThat(lmdbjavaCopies(tmp())).isEmpty();
    }

    /** Starts a child that opens a store and holds it, waits until it has, and SIGKILLs it. */
    private void holdAndKill(String name, List<String> flags, Path cacheHome) throws Exception {
        try (ChildJvm child = hold(name, flags, cacheHome)) {
            assertThat(child.nextLine(LINE_TIMEOUT)).isEqualTo("OPEN " + child.pid() + " .");
            child.kill();
        }
    }

    private ChildJvm hold(String name, List<String> flags, Path cacheHome) throws IOException {
        List<String> jvmFlags = new ArrayList<>(ChildJvm.ADD_OPENS);
        jvmFlags.add("-Djava.io.tmpdir=" + tmp());
        jvmFlags.addAll(flags);
        return ChildJvm.start(
                temp.resolve(name + ".err"),
                jvmFlags,
                Map.of("XDG_CACHE_HOME", cacheHome.toString()),
                StoreProcess.class,
                "hold",
                temp.resolve("data-" + name).toString());
    }

    private static List<Path> lmdbjavaCopies(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith(LMDBJAVA_COPY))
                    .toList();
        }
    }

    /** The one library file under {@code root}, which must exist. */
    private static Path onlyCachedLibrary(Path root) throws IOException {
        assertThat(root).isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> libraries = files.filter(Files::isRegularFile).toList();
            assertThat(libraries).hasSize(1);
            return libraries.get(0);
        }
    }

    private static byte[] bundledLibrary() {
        try (InputStream in = LmdbNativeLibraryIT.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            assertThat(in).as(BUNDLED + " on the class path").isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
