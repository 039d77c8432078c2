package io.raftlog.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Scratch directories for benchmarks, under {@code -Draftlog.bench.dir} (default
 * {@code java.io.tmpdir}): put that on the disk you want to measure.
 */
final class BenchDirectories {
    private BenchDirectories() {}

    static Path create(String prefix) {
        try {
            Path parent = Path.of(System.getProperty("raftlog.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Like {@link #create}, and deleted when the JVM exits too: JMH skips the trial's tear-down
     * when a benchmark fails, and a data directory of gigabytes should not outlive the fork.
     */
    static Path createDeletedAtExit(String prefix) {
        Path directory = create(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(directory), "delete-" + directory));
        return directory;
    }

    /** Bytes of the files under {@code directory} (their lengths, as {@code ls -l} shows them). */
    static long sizeBytes(Path directory) {
        try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException gone) {
                            return 0; // deleted meanwhile (a snapshot thinned out)
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
