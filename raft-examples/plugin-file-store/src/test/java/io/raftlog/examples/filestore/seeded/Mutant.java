package io.raftlog.examples.filestore.seeded;

import io.raftlog.storage.files.FileIo;
import io.raftlog.testkit.LogStoreFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The example store's sources with one {@link SeededBug} applied, compiled into a directory and
 * loaded in a class loader of its own, so that the original classes on the test class path stay
 * untouched. The test's {@code FileLogStoreFactory} is compiled with it: the crash suite's child
 * JVM finds the variant's classes first because the directory is put before its class path.
 *
 * <p>The store is built on raft-storage-files ({@code FileIo}, {@code SharedReadChannel},
 * {@code HardStateFile}…), and some bugs are in those: so the variant holds that package's sources
 * too, compiled with the store's, and its classes take the place of the jar's in both the class
 * loader and the child JVM. They come from next to the classes the test runs with: the module's
 * {@code src/main/java} in the raftlog build, the {@code -sources.jar} beside the jar in a Maven
 * repository.
 */
final class Mutant {
    static final String PACKAGE_PATH = "io/raftlog/examples/filestore";
    static final String SHARED_PACKAGE_PATH = "io/raftlog/storage/files";
    static final String FACTORY = "io.raftlog.examples.filestore.FileLogStoreFactory";

    private static final Path MAIN_SOURCES = Path.of("src/main/java").resolve(PACKAGE_PATH);
    private static final Path FACTORY_SOURCE =
            Path.of("src/test/java").resolve(PACKAGE_PATH + "/FileLogStoreFactory.java");

    private final String name;
    private final Path classes;
    private final ClassLoader loader;

    private Mutant(String name, Path classes, ClassLoader loader) {
        this.name = name;
        this.classes = classes;
        this.loader = loader;
    }

    /** The store as it is, through the same copy and compile steps: what every catcher must pass. */
    static Mutant original(Path work) {
        return build("original", List.of(), work);
    }

    static Mutant of(SeededBug bug, Path work) {
        return build(bug.name(), bug.patches(), work);
    }

    private static Mutant build(String name, List<SeededBug.Patch> patches, Path work) {
        try {
            Path root = work.resolve(name).resolve("src");
            Path sources = Files.createDirectories(root.resolve(PACKAGE_PATH));
            Path shared = Files.createDirectories(root.resolve(SHARED_PACKAGE_PATH));
            Path classes = Files.createDirectories(work.resolve(name).resolve("classes"));
            List<Path> files = new ArrayList<>();
            copyJavaFiles(MAIN_SOURCES, sources, files);
            files.add(copy(FACTORY_SOURCE, sources));
            copySharedSources(shared, files);
            for (SeededBug.Patch patch : patches) {
                Path own = sources.resolve(patch.file());
                patch.applyTo(Files.exists(own) ? own : shared.resolve(patch.file()), name);
            }
            compile(name, files, classes);
            return new Mutant(name, classes, new ChildFirstLoader(classes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the variant " + name, e);
        }
    }

    String name() {
        return name;
    }

    /** The directory of the variant's classes, for the crash suite's child JVM. */
    Path classes() {
        return classes;
    }

    Class<? extends LogStoreFactory> factory() {
        try {
            return loader.loadClass(FACTORY).asSubclass(LogStoreFactory.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the variant " + name + " has no " + FACTORY, e);
        }
    }

    LogStoreFactory newFactory() {
        try {
            return factory().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + FACTORY + " of the variant " + name, e);
        }
    }

    private static void copyJavaFiles(Path from, Path to, List<Path> copied) throws IOException {
        try (Stream<Path> sources = Files.list(from)) {
            sources.filter(f -> f.toString().endsWith(".java")).forEach(f -> copied.add(copy(f, to)));
        }
    }

    /** Copies the sources of raft-storage-files (see the class comment) into {@code to}. */
    private static void copySharedSources(Path to, List<Path> copied) throws IOException {
        Path location;
        try {
            location = Path.of(
                    FileIo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where raft-storage-files was loaded from", e);
        }
        // target/classes or target/raft-storage-files-<version>.jar of the module, in the raftlog build
        Path module = location.getParent().getParent().resolve("src/main/java").resolve(SHARED_PACKAGE_PATH);
        if (Files.isRegularFile(module.resolve("FileIo.java"))) {
            copyJavaFiles(module, to, copied);
            return;
        }
        Path sourcesJar = location.resolveSibling(
                location.getFileName().toString().replaceFirst("\\.jar$", "-sources.jar"));
        if (!Files.isRegularFile(sourcesJar)) {
            throw new IllegalStateException("the seeded bugs patch raft-storage-files too, but its sources are"
                    + " neither at " + module + " nor in " + sourcesJar + " (install raftlog with its"
                    + " sources jars: ./mvnw -B install -DskipTests at its root)");
        }
        try (FileSystem jar = FileSystems.newFileSystem(sourcesJar)) {
            copyJavaFiles(jar.getPath(SHARED_PACKAGE_PATH), to, copied);
        }
    }

    private static Path copy(Path source, Path directory) {
        try {
            return Files.copy(source, directory.resolve(source.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void compile(String name, List<Path> files, Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager manager = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = manager.getJavaFileObjectsFromPaths(files);
            List<String> options = List.of(
                    "-d",
                    classes.toString(),
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "--release",
                    "17",
                    "-proc:none",
                    "-nowarn",
                    "-g");
            Boolean ok = compiler.getTask(output, manager, null, options, null, units)
                    .call();
            if (!Boolean.TRUE.equals(ok)) {
                throw new IllegalStateException("the variant " + name + " does not compile:\n" + output);
            }
        }
    }

    /** Loads the variant's classes from its directory before asking the parent, everything else as usual. */
    private static final class ChildFirstLoader extends URLClassLoader {
        private final Path classes;

        ChildFirstLoader(Path classes) throws MalformedURLException {
            super(new URL[] {classes.toUri().toURL()}, Mutant.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(className)) {
                Class<?> type = findLoadedClass(className);
                if (type == null) {
                    boolean ours = Files.isRegularFile(classes.resolve(className.replace('.', '/') + ".class"));
                    type = ours ? findClass(className) : super.loadClass(className, false);
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }
    }
}
