package io.raftlog.storage.lmdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * Installs LMDB's native library once per user and lmdbjava version, instead of once per JVM.
 *
 * <p>lmdbjava 0.9.3 ({@code org.lmdbjava.Library}) copies the library bundled in its jar to a new
 * randomly named {@code lmdbjava-native-library-*.so} in {@code lmdbjava.extract.dir} (default
 * {@code java.io.tmpdir}) each time a JVM first uses LMDB, and deletes it only at a normal exit: a
 * killed JVM leaves 361 KB behind. If {@code lmdbjava.native.lib} names a library, lmdbjava loads
 * that one instead and extracts nothing; it reads both properties once, when its classes
 * initialise.
 *
 * <p>So {@link #install()}, unless the user set {@code lmdbjava.native.lib} (their own or a system
 * LMDB, left alone), copies the bundled library to
 * {@code ${XDG_CACHE_HOME:-~/.cache}/raftlog/lmdb-<lmdbjava version>-<sha256 prefix>/liblmdb.so}
 * — or, where that cannot be written or loaded from, {@code java.io.tmpdir/raftlog-<user>/…};
 * under {@code lmdbjava.extract.dir/raftlog-<user>/…} only, if the user set that — and points
 * {@code lmdbjava.native.lib} at it. An existing copy is used only if its SHA-256 matches the
 * bundled library, else it is replaced. A copy is written to a temporary file in the same
 * directory and renamed into place, so JVMs starting at once never see half a library. If no
 * place works, lmdbjava extracts as before.
 */
final class LmdbNativeLibrary {
    static final String NATIVE_LIB_PROPERTY = "lmdbjava.native.lib";
    private static final String EMBEDDED_LIB_PROPERTY = "lmdbjava.embedded.lib";
    private static final String EXTRACT_DIR_PROPERTY = "lmdbjava.extract.dir";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private static boolean done;

    private LmdbNativeLibrary() {}

    /**
     * Points lmdbjava at the cached copy of its library, installing it first if needed; once per
     * JVM, and only before lmdbjava's classes initialise (later, it changes nothing). Never fails:
     * if no copy can be installed, lmdbjava's own extraction is left to work as before.
     */
    static synchronized void install() {
        if (done) {
            return;
        }
        done = true;
        if (isSet(System.getProperty(NATIVE_LIB_PROPERTY))) {
            return;
        }
        String resource = bundledResource();
        byte[] library = resource == null ? null : read(resource);
        if (library == null) {
            return; // an unsupported platform, or no bundled library: lmdbjava says what is missing
        }
        String hash = sha256(library);
        String directory = "lmdb-" + lmdbjavaVersion() + "-" + hash.substring(0, 16);
        String file = "liblmdb" + resource.substring(resource.lastIndexOf('.'));
        for (Path base : bases()) {
            Path target = base.resolve(directory).resolve(file);
            try {
                installAt(target, library, hash);
                System.load(target.toString()); // proves the file system lets native code load (not noexec)
            } catch (IOException | UnsatisfiedLinkError | SecurityException | UnsupportedOperationException e) {
                continue;
            }
            System.setProperty(NATIVE_LIB_PROPERTY, target.toString());
            return;
        }
    }

    /** Where copies may go, best first. */
    private static List<Path> bases() {
        String user = System.getProperty("user.name", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
        String extractDir = System.getProperty(EXTRACT_DIR_PROPERTY);
        if (isSet(extractDir)) {
            return List.of(Path.of(extractDir, "raftlog-" + user));
        }
        List<Path> bases = new ArrayList<>();
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        if (isSet(cacheHome) && Path.of(cacheHome).isAbsolute()) {
            bases.add(Path.of(cacheHome, "raftlog"));
        } else if (isSet(home)) {
            bases.add(Path.of(home, ".cache", "raftlog"));
        }
        bases.add(Path.of(System.getProperty("java.io.tmpdir"), "raftlog-" + user));
        return bases;
    }

    /** Makes {@code target} a verified copy of {@code library}. */
    private static void installAt(Path target, byte[] library, String hash) throws IOException {
        Path directory = target.getParent();
        createPrivateDirectories(directory);
        if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(hash)) {
            return;
        }
        Path partial = Files.createTempFile(directory, "liblmdb-", ".partial");
        try {
            Files.write(partial, library);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Creates {@code directory} and its missing parents, private to this user where the file system
     * has POSIX permissions; refuses an existing one that another user owns or may write to (in a
     * shared tmp, someone else could swap the library between its check and its loading).
     */
    private static void createPrivateDirectories(Path directory) throws IOException {
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(directory)) {
            Path parent = directory.getParent();
            if (parent != null) {
                createPrivateDirectories(parent);
            }
            try {
                FileAttribute<?>[] attributes = posix
                        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PRIVATE)}
                        : new FileAttribute<?>[0];
                Files.createDirectory(directory, attributes);
            } catch (FileAlreadyExistsException raced) {
                // another JVM made it meanwhile (checked below like any existing one), or it is a file
                if (!Files.isDirectory(directory)) {
                    throw raced;
                }
            }
        }
        if (posix
                && directory.getFileName() != null
                && isOurs(directory.getFileName().toString())) {
            PosixFileAttributes attributes = Files.getFileAttributeView(directory, PosixFileAttributeView.class)
                    .readAttributes();
            Set<PosixFilePermission> permissions = attributes.permissions();
            if (!attributes.owner().getName().equals(System.getProperty("user.name"))
                    || permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(directory + " is not private to this user");
            }
        }
    }

    /** Whether {@code name} is a directory this class creates (the others, like ~/.cache, are the user's). */
    private static boolean isOurs(String name) {
        return name.equals("raftlog") || name.startsWith("raftlog-") || name.startsWith("lmdb-");
    }

    /**
     * The resource lmdbjava would extract: {@code lmdbjava.embedded.lib} if set, else the one for
     * this platform, named as lmdbjava's {@code TargetName} does; null on a platform it lacks.
     */
    static String bundledResource() {
        String embedded = System.getProperty(EMBEDDED_LIB_PROPERTY);
        if (isSet(embedded)) {
            return embedded;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ENGLISH);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ENGLISH);
        String cpu = arch.startsWith("aarch64")
                ? "aarch64"
                : arch.startsWith("x86_64") || arch.startsWith("amd64") ? "x86_64" : null;
        String system = os.startsWith("linux")
                ? "linux-gnu.so"
                : os.startsWith("mac os") ? "macos-none.so" : os.startsWith("windows") ? "windows-gnu.dll" : null;
        return cpu == null || system == null ? null : "org/lmdbjava/native/" + cpu + "-" + system;
    }

    /** The resource's bytes, found as lmdbjava finds it (the context class loader), or null. */
    private static byte[] read(String resource) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = context != null ? context : LmdbNativeLibrary.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static String lmdbjavaVersion() {
        Properties pom = new Properties();
        try (InputStream in =
                org.lmdbjava.Env.class.getResourceAsStream("/META-INF/maven/org.lmdbjava/lmdbjava/pom.properties")) {
            if (in != null) {
                pom.load(in);
            }
        } catch (IOException e) {
            // fall back to the manifest
        }
        String version =
                pom.getProperty("version", org.lmdbjava.Env.class.getPackage().getImplementationVersion());
        return version == null ? "unknown" : version.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
