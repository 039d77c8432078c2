package io.raftlog.storage.lmdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test, to get real ENOSPC and EROFS errors from the kernel. Needs
 * root (or CAP_SYS_ADMIN); where mounting is not permitted the test is skipped with the reason.
 */
final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code sizeBytes} at {@code mountPoint}, or skips the calling test. */
    static Tmpfs mount(Path mountPoint, long sizeBytes) throws IOException, InterruptedException {
        return mount(mountPoint, sizeBytes, "");
    }

    /** Like {@link #mount(Path, long)}, with more mount options ({@code ",noexec"}). */
    static Tmpfs mount(Path mountPoint, long sizeBytes, String options) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        String result =
                run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes + options, "tmpfs", mountPoint.toString());
        Assumptions.assumeTrue(
                result.isEmpty(),
                () -> "cannot mount a tmpfs here (" + result.strip() + "); this test needs root or CAP_SYS_ADMIN");
        return new Tmpfs(mountPoint);
    }

    /** Makes the file system read-only. */
    void remountReadOnly() throws IOException, InterruptedException {
        String result = run("mount", "-o", "remount,ro", mountPoint.toString());
        if (!result.isEmpty()) {
            throw new IllegalStateException("cannot remount " + mountPoint + " read-only: " + result);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!run("umount", mountPoint.toString()).isEmpty()) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    /** Runs a command; returns "" on success, else its exit status and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timed out";
        }
        return process.exitValue() == 0 ? "" : "exit " + process.exitValue() + ": " + output;
    }
}
