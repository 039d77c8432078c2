package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.spi.storage.LogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One crash suite test: a directory, the expected state of the store on it, and the child JVMs
 * that write to it one after another. Each child continues where the last one was stopped, so
 * every crash lands on a store that already survived the ones before.
 *
 * <p>The parent learns what the child did only from its lines (see {@link CrashChild}); a call it
 * saw start but not end was in flight at the crash.
 */
final class CrashSession {
    static final String CALLS_SUCCEED = "every valid call succeeds on a store reopened after a crash";
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);
    private static final int TRANSCRIPT_LINES = 40;

    private final Path temp;
    private final Path directory;
    private final Class<? extends LogStoreFactory> factoryClass;
    private final LogStoreFactory factory;
    private final List<String> jvmArguments;
    private final List<Path> classPath;
    private final Random random;
    private final String seedText;
    private final Deque<String> transcript = new ArrayDeque<>();

    private ExpectedLog expected = new ExpectedLog();
    private CrashOp inFlight;
    private long inFlightSeq;
    private long nextSeq = 1;
    private long nextTerm = 1;
    private int childNumber;

    private int completedCalls;
    private int checks;
    private int checksInACall;
    private int inFlightFoundApplied;
    private int linesLostFromPipes;

    CrashSession(
            Path temp,
            Class<? extends LogStoreFactory> factoryClass,
            List<String> jvmArguments,
            List<Path> classPath,
            long seed,
            String seedText)
            throws IOException, ReflectiveOperationException {
        this.temp = temp;
        this.directory = Files.createDirectories(temp.resolve("store"));
        this.factoryClass = factoryClass;
        this.factory = CrashChild.instantiate(factoryClass);
        this.jvmArguments = List.copyOf(jvmArguments);
        this.classPath = List.copyOf(classPath);
        this.random = new Random(seed);
        this.seedText = seedText;
    }

    Path directory() {
        return directory;
    }

    Random random() {
        return random;
    }

    /** Starts the next child on the directory, with {@code extraJvmArguments} before the suite's own. */
    ChildJvmProcess startChild(List<String> extraJvmArguments) {
        childNumber++;
        List<String> flags = new ArrayList<>(jvmArguments);
        flags.addAll(extraJvmArguments);
        return ChildJvmProcess.start(
                temp.resolve("child-" + childNumber + ".err"),
                flags,
                classPath,
                CrashChild.class.getName(),
                List.of(
                        factoryClass.getName(),
                        directory.toString(),
                        Long.toString(random.nextLong()),
                        Long.toString(nextSeq),
                        Long.toString(nextTerm)));
    }

    /**
     * Reads the child's lines, taking each call it reports and then giving the line to
     * {@code handler}, until the handler returns true (then true) or the child's output ends (then
     * false: the rest may be in its report, see {@link #drain}). Lines without the suite's tag
     * (the store's own output) are skipped.
     *
     * @throws AssertionError if the child reports a failed call
     */
    boolean readUntil(ChildJvmProcess child, String context, Predicate<String> handler) throws InterruptedException {
        while (true) {
            String line = child.nextLine(LINE_TIMEOUT);
            if (line == null) {
                return false;
            }
            if (take(line, child, context) && handler.test(line.substring(CrashChild.TAG.length()))) {
                return true;
            }
        }
    }

    /** Takes, once the child has died, the lines its pipe did not carry, giving each to {@code handler}. */
    void drain(ChildJvmProcess child, String context, Consumer<String> handler) throws InterruptedException {
        for (String line : child.remainingLines()) {
            if (take(line, child, context)) {
                handler.accept(line.substring(CrashChild.TAG.length()));
            }
        }
        linesLostFromPipes += child.lostFromPipe();
    }

    /** The number of the first call the current child makes. */
    long nextSeq() {
        return nextSeq;
    }

    /** Opens the store on {@code where} in this JVM and checks it against the expected state. */
    ExpectedLog verify(Path where, String context) {
        LogStore store;
        try {
            store = factory.open(where);
        } catch (RuntimeException e) {
            throw new AssertionError(CrashCheck.REOPENS + "; " + context + ": opening failed with " + e, e);
        }
        ExpectedLog found;
        try {
            found = CrashCheck.verify(store, expected, inFlight, context + "; the call in flight: " + inFlightText());
        } finally {
            store.close();
        }
        checks++;
        if (inFlight != null) {
            checksInACall++;
            inFlightFoundApplied += found == expected ? 0 : 1;
        }
        return found;
    }

    /** {@link #verify} the directory, and continue from the state it holds. */
    void verifyAndContinue(String context) {
        expected = verify(directory, context);
        inFlight = null;
    }

    /** The last lines of the conversation with the children, for a failure report. */
    String transcript() {
        return String.join("\n", transcript);
    }

    String summary() {
        return childNumber + " child JVMs, " + completedCalls + " calls completed, " + checks
                + " crashed states checked, "
                + checksInACall + " of them inside a call (" + inFlightFoundApplied
                + " with that call applied, the rest without), " + linesLostFromPipes
                + " lines lost from pipes taken from the reports, final state " + expected.describe() + ", " + seedText;
    }

    /** Takes one of the child's lines; false if it is not the suite's. */
    private boolean take(String tagged, ChildJvmProcess child, String context) {
        if (!tagged.startsWith(CrashChild.TAG)) {
            return false;
        }
        String line = tagged.substring(CrashChild.TAG.length());
        transcript.addLast(line.length() > 200 ? line.substring(0, 200) + "…" : line);
        if (transcript.size() > TRANSCRIPT_LINES) {
            transcript.removeFirst();
        }
        String[] words = line.split(" ", 3);
        switch (words[0]) {
            case "B" -> {
                inFlightSeq = Long.parseLong(words[1]);
                inFlight = CrashOp.parse(words[2]);
                nextSeq = inFlightSeq + 1;
                nextTerm = Math.max(nextTerm, inFlight.term() + 1);
            }
            case "E" -> {
                assertThat(Long.parseLong(words[1]))
                        .as("the child reports the end of the call it started; %s", context)
                        .isEqualTo(inFlightSeq);
                inFlight.applyTo(expected);
                inFlight = null;
                completedCalls++;
            }
            case "FAIL" ->
                throw new AssertionError((words[1].equals("0") ? CrashCheck.REOPENS : CALLS_SUCCEED) + "; "
                        + context + ": the child's call " + inFlightText() + " threw " + words[2] + "; its stderr:\n"
                        + child.stderr());
            default -> {
                // READY (what the store holds is checked after the crash) or the provider's lines
            }
        }
        return true;
    }

    private String inFlightText() {
        return inFlight == null ? "none" : inFlightSeq + " " + inFlight.encode();
    }
}
