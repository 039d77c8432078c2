package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.powerloss.PowerLossFileSystemProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The power-loss half of the crash suite. Each child runs with {@link PowerLossFileSystemProvider}
 * following the store's directory; at its crash points the provider copies the directory and cuts
 * the power on the copy (an {@code IMAGE} line, checked here while the child runs on), and at the
 * last one cuts it on the directory itself and halts the JVM ({@code TOUCHED} lines, then
 * {@code HALT}), after which the next child continues on what is left.
 *
 * <p>A store that changes its files around {@code java.nio.file} would make this test pass for the
 * wrong reason, so after each halt every file the provider was not told about must be unchanged.
 */
final class PowerLossCrashes {
    static final String SEES_EVERY_CHANGE = "power-loss mode sees every change the store makes to its files";
    private static final String EXCLUDE_HINT = "; a store that writes through java.io streams, RandomAccessFile, a"
            + " MappedByteBuffer or native code cannot run this test: exclude everyCompletedCallSurvivesPowerLoss with"
            + " @ContractExclusion and that reason";
    private static final int IMAGES_PER_CHILD = 15;
    /** A child that makes this many calls without a crash point changes its files where the provider cannot see. */
    private static final int MAX_CALLS_PER_CHILD = 1000;

    private static final int[] MEAN_GAPS = {4, 16, 48};

    private final CrashSession session;
    private final Path temp;

    PowerLossCrashes(CrashSession session, Path temp) {
        this.session = session;
        this.temp = temp;
    }

    void run(int powerLosses) throws InterruptedException {
        Random random = session.random();
        int done = 0;
        for (int child = 1; done < powerLosses; child++) {
            int images = Math.min(IMAGES_PER_CHILD, powerLosses - done - 1);
            String context = "power loss child " + child + " (power cuts " + (done + 1) + ".." + (done + images + 1)
                    + " of " + powerLosses + ")";
            Path work = temp.resolve("power-loss-" + child);
            Map<String, String> before = fileStates(session.directory());
            List<String> flags = List.of(
                    "-Djava.nio.file.spi.DefaultFileSystemProvider=" + PowerLossFileSystemProvider.class.getName(),
                    "-D" + PowerLossFileSystemProvider.ROOT_PROPERTY + "=" + session.directory(),
                    "-D" + PowerLossFileSystemProvider.WORK_PROPERTY + "=" + work,
                    "-D" + PowerLossFileSystemProvider.SEED_PROPERTY + "=" + random.nextLong(),
                    "-D" + PowerLossFileSystemProvider.IMAGES_PROPERTY + "=" + images,
                    "-D" + PowerLossFileSystemProvider.MEAN_GAP_PROPERTY + "="
                            + MEAN_GAPS[random.nextInt(MEAN_GAPS.length)]);
            runChild(flags, context, before);
            session.verifyAndContinue(context + ", the cut that halted it");
            done += images + 1;
        }
    }

    /** Runs one child until its last power cut (or too many calls without one) and checks what it left unseen. */
    private void runChild(List<String> flags, String context, Map<String, String> before) throws InterruptedException {
        Set<String> touched = new HashSet<>();
        long lastSeq = session.nextSeq() + MAX_CALLS_PER_CHILD;
        boolean[] halted = {false};
        Consumer<String> handler = line -> halted[0] |= handle(line, context, touched);
        try (ChildJvmProcess process = session.startChild(flags)) {
            // The HALT line may be lost from the pipe (see ChildJvmProcess): the end of the output counts too.
            boolean stopped = session.readUntil(process, context, line -> {
                handler.accept(line);
                return halted[0] || isCall(line, lastSeq);
            });
            boolean tooManyCalls = stopped && !halted[0];
            int status = tooManyCalls ? process.kill() : process.waitForExit(Duration.ofSeconds(30));
            session.drain(process, context, handler);
            checkNothingChangedUnseen(before, fileStates(session.directory()), touched, context);
            assertThat(tooManyCalls)
                    .as(
                            "%s: the child made %d calls without reaching a crash point%s; %s",
                            SEES_EVERY_CHANGE, MAX_CALLS_PER_CHILD, EXCLUDE_HINT, context)
                    .isFalse();
            assertThat(halted[0] ? status : -1)
                    .as(
                            "%s: the child halts after the last power cut (exit status %d); %s; stderr:%n%s",
                            CrashSession.CALLS_SUCCEED, status, context, process.stderr())
                    .isEqualTo(PowerLossFileSystemProvider.HALT_STATUS);
        }
    }

    private static boolean isCall(String line, long seq) {
        return line.equals("E " + seq);
    }

    /** Handles a line of the provider's; true once the child halted. */
    private boolean handle(String line, String context, Set<String> touched) {
        String[] words = line.split(" ", 3);
        switch (words[0]) {
            case "IMAGE" -> {
                Path image = Path.of(words[2]);
                session.verify(image, context + ", power cut " + words[1] + " (on a copy)");
                FileTrees.delete(image);
            }
            case "TOUCHED" -> touched.add(words.length > 1 ? line.substring("TOUCHED ".length()) : "");
            case "BYPASS" ->
                throw new AssertionError(
                        SEES_EVERY_CHANGE + ": " + line.substring("BYPASS ".length()) + EXCLUDE_HINT + "; " + context);
            default -> {
                return line.equals("HALT");
            }
        }
        return false;
    }

    private static void checkNothingChangedUnseen(
            Map<String, String> before, Map<String, String> after, Set<String> touched, String context) {
        Set<String> paths = new HashSet<>(before.keySet());
        paths.addAll(after.keySet());
        for (String path : paths) {
            if (touched.contains(path)) {
                continue;
            }
            assertThat(after.get(path))
                    .as(
                            "%s: %s changed, but not through java.nio.file (before: %s)%s; %s",
                            SEES_EVERY_CHANGE, path, before.get(path), EXCLUDE_HINT, context)
                    .isEqualTo(before.get(path));
        }
    }

    /** Size and modification time of each file under {@code directory}, by relative path. */
    private static Map<String, String> fileStates(Path directory) {
        Map<String, String> states = new TreeMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attributes =
                        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String state = attributes.isDirectory()
                        ? "a directory"
                        : attributes.size() + " bytes, modified " + attributes.lastModifiedTime();
                states.put(directory.relativize(file).toString(), state);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return states;
    }
}
