package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash contract of a durable {@link LogStore} (a TCK): every call that returned survives a
 * crash exactly, and the call a crash interrupts is all or nothing.
 *
 * <pre>{@code
 * class MyLogStoreCrashIT extends LogStoreCrashContract {
 *     public static final class Factory implements LogStoreFactory {
 *         @Override
 *         public LogStore open(Path directory) {
 *             return MyLogStore.open(directory);
 *         }
 *     }
 *
 *     @Override
 *     protected Class<? extends LogStoreFactory> factory() {
 *         return Factory.class;
 *     }
 * }
 * }</pre>
 *
 * <p><b>How.</b> A child JVM (this JVM's {@code java} and class path, plus
 * {@link #childJvmArguments()}) instantiates {@link #factory()} by its no-argument constructor,
 * opens the store on a directory, and makes a seeded random sequence of calls: appends of 1 to 256
 * entries of every {@link io.raftlog.api.message.EntryType} with payloads from empty to 40 KiB,
 * {@code truncateSuffix}, {@code truncatePrefix}, {@code reset} below, inside and beyond the log,
 * {@code saveHardState}, {@code saveMetadata} (up to 64 KiB) and {@code replace}. It reports each
 * call on stdout before starting it and after it returned. After each crash this JVM opens the
 * store on the same directory through the factory and checks:
 *
 * <ul>
 *   <li>every call reported complete is there with exactly its bytes, types and terms, as are the
 *       hard state, every metadata value and {@code term(firstIndex() - 1)};</li>
 *   <li>the call in flight is all or nothing: the whole store is the state before it or the state
 *       after it (a batch is never half visible, a hard state or metadata value never torn);</li>
 *   <li>the log is contiguous from {@code firstIndex()} to {@code lastIndex()};</li>
 * </ul>
 *
 * <p>then a new child continues on the same directory. The two tests crash the child differently:
 *
 * <ul>
 *   <li>{@link #everyCompletedCallSurvivesSigkill()}: {@code Process.destroyForcibly} (SIGKILL) at
 *       random moments, {@link #kills()} times. The kernel's page cache outlives the process, so
 *       this cannot see a store that never forces its writes to the disk.</li>
 *   <li>{@link #everyCompletedCallSurvivesPowerLoss()}: the child runs with
 *       {@link io.raftlog.testkit.powerloss.PowerLossFileSystemProvider} as its default file
 *       system, which keeps what a power cut could still lose (written but not forced data, files
 *       created, renamed or deleted in a directory not forced since) and at random file operations
 *       turns the store's directory into what a power cut there might leave — some unforced
 *       writes lost, some kept, some torn — {@link #powerLosses()} times in all. This catches a
 *       store that never calls {@code FileChannel.force}, one that rewrites a record in place, or
 *       one that forgets to force the directory after creating a file. It sees only changes made
 *       through {@code java.nio.file}: a store writing through {@code java.io} streams or
 *       {@code RandomAccessFile}, a {@code MappedByteBuffer} or native code (LMDB) fails this test
 *       with a message saying so, and must exclude it with {@link ContractExclusion}. Reads are not
 *       followed and need not be: through any API, {@code RandomAccessFile} included, they see
 *       the live files, everything the process wrote, forced or not.</li>
 * </ul>
 *
 * <p><b>Seeds.</b> Each test draws a seed and prints it with any failure, with the last lines the
 * children printed; {@code -Draftlog.tck.crash.seed=S} replays it. The power-loss test replays
 * exactly for a store whose file operations follow from its calls; SIGKILL timing never replays
 * exactly, but the calls and the kill points in the call sequence do.
 *
 * <p><b>Cost.</b> Each crash starts a JVM (about half a second on a busy 2-core machine); the
 * defaults keep the class near 20 s. {@code -Draftlog.tck.crash.kills=N} and
 * {@code -Draftlog.tck.crash.powerLosses=N}, or overriding {@link #kills()} and
 * {@link #powerLosses()}, run more.
 *
 * <p>Stores without files (the in-memory store) cannot run this suite: there is nothing to reopen
 * after the process is gone.
 */
@ExtendWith(ContractExclusions.class)
public abstract class LogStoreCrashContract {
    /** The system property that replays a seed. */
    public static final String SEED_PROPERTY = "raftlog.tck.crash.seed";
    /** The system property that sets {@link #kills()}. */
    public static final String KILLS_PROPERTY = "raftlog.tck.crash.kills";
    /** The system property that sets {@link #powerLosses()}. */
    public static final String POWER_LOSSES_PROPERTY = "raftlog.tck.crash.powerLosses";

    /** A fresh directory per test; the store lives in its {@code store} subdirectory. */
    @TempDir
    protected Path temp;

    /**
     * The factory the child JVM and this JVM open the store with: a no-argument constructor,
     * public or not (a nested class must be {@code static}), loadable by name from the test class
     * path; the child knows nothing of the test instance. See {@link LogStoreFactory}.
     */
    protected abstract Class<? extends LogStoreFactory> factory();

    /**
     * JVM arguments of the child that writes, before the suite's own; LMDB, for instance, needs
     * {@code --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
     * None by default.
     */
    protected List<String> childJvmArguments() {
        return List.of();
    }

    /**
     * Class path entries of the child, before this JVM's class path: where {@link #factory()} and
     * the store come from when this JVM loaded them with a class loader of its own (a harness that
     * compiles variants of a store, say). None by default.
     */
    protected List<Path> childClassPath() {
        return List.of();
    }

    /** How many times {@link #everyCompletedCallSurvivesSigkill()} kills a child; 10 by default. */
    protected int kills() {
        return Integer.getInteger(KILLS_PROPERTY, 10);
    }

    /**
     * How many power cuts {@link #everyCompletedCallSurvivesPowerLoss()} simulates; 100 by default.
     * One in sixteen ends a child JVM; the others are taken on a copy while it runs on.
     */
    protected int powerLosses() {
        return Integer.getInteger(POWER_LOSSES_PROPERTY, 100);
    }

    @Test
    void everyCompletedCallSurvivesSigkill() throws Exception {
        runSeeded("everyCompletedCallSurvivesSigkill", session -> new SigkillCrashes(session).run(kills()));
    }

    @Test
    void everyCompletedCallSurvivesPowerLoss() throws Exception {
        runSeeded(
                "everyCompletedCallSurvivesPowerLoss",
                session -> new PowerLossCrashes(session, temp).run(powerLosses()));
    }

    /** What one test does with its session. */
    @FunctionalInterface
    interface Crashes {
        void run(CrashSession session) throws Exception;
    }

    private void runSeeded(String test, Crashes crashes) throws Exception {
        String fixed = System.getProperty(SEED_PROPERTY, "");
        long seed = fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
        String seedText = "seed " + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")";
        CrashSession session = new CrashSession(temp, factory(), childJvmArguments(), childClassPath(), seed, seedText);
        String name = getClass().getSimpleName() + "." + test;
        try {
            crashes.run(session);
        } catch (AssertionError | RuntimeException e) {
            String report = name + " failed with " + seedText + "\nthe children's last lines:\n" + session.transcript();
            System.out.println(report);
            throw new AssertionError(
                    seedText + ": " + e.getMessage() + "\n(the children's last lines are printed above)", e);
        }
        System.out.println(name + ": " + session.summary());
    }
}
