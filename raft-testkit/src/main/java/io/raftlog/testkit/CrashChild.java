package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.Random;

/**
 * The main class of the crash suite's child JVM: opens the store through the factory and makes
 * calls until it is killed, reporting each on stdout before it starts and after it returned.
 *
 * <p>Arguments: {@code FACTORY DIRECTORY SEED FIRST_SEQ FIRST_TERM}. Lines (each flushed before
 * the next store call, so whatever reached the pipe before a SIGKILL is read by the parent):
 *
 * <ul>
 *   <li>{@code READY first last} once the store is open;</li>
 *   <li>{@code B seq call} before call number {@code seq} ({@link CrashOp#encode()});</li>
 *   <li>{@code E seq} after it returned;</li>
 *   <li>{@code FAIL seq exception} if it threw (the JVM then exits with status 3; {@code seq} 0:
 *       opening failed).</li>
 * </ul>
 *
 * <p>When its stdin ends (the parent died) it halts, so no writer outlives a test.
 */
final class CrashChild {
    static final int FAILED = 3;
    private static final int ORPHANED = 4;

    private CrashChild() {}

    public static void main(String[] args) throws ReflectiveOperationException {
        Thread watchdog = new Thread(CrashChild::haltWhenOrphaned, "crash-child-stdin");
        watchdog.setDaemon(true);
        watchdog.start();
        LogStoreFactory factory = instantiate(args[0]);
        Path directory = Path.of(args[1]);
        Random random = new Random(Long.parseLong(args[2]));
        long seq = Long.parseLong(args[3]);
        CrashWorkload workload = new CrashWorkload(random, Long.parseLong(args[4]));
        LogStore store;
        try {
            store = factory.open(directory);
        } catch (RuntimeException | Error e) {
            fail(0, e);
            return;
        }
        say("READY " + store.firstIndex() + " " + store.lastIndex());
        while (true) {
            CrashOp op;
            try {
                op = workload.next(store, seq);
            } catch (RuntimeException | Error e) {
                fail(seq, e);
                return;
            }
            say("B " + seq + " " + op.encode());
            try {
                op.applyTo(store);
            } catch (RuntimeException | Error e) {
                fail(seq, e);
                return;
            }
            say("E " + seq);
            seq++;
        }
    }

    /** Prints {@code line} and pushes it into the pipe before returning. */
    static synchronized void say(String line) {
        PrintStream out = System.out;
        out.println(line);
        out.flush();
    }

    static LogStoreFactory instantiate(String className) throws ReflectiveOperationException {
        return instantiate(Class.forName(className));
    }

    /** The factory {@code type} names, whatever class loader loaded it. */
    static LogStoreFactory instantiate(Class<?> type) throws ReflectiveOperationException {
        Constructor<?> constructor = type.getDeclaredConstructor();
        // A factory nested in a test class is often package-private: reach it anyway.
        constructor.setAccessible(true);
        return (LogStoreFactory) constructor.newInstance();
    }

    private static void fail(long seq, Throwable e) {
        say("FAIL " + seq + " " + String.valueOf(e).replace('\n', ' '));
        e.printStackTrace();
        System.out.flush();
        Runtime.getRuntime().halt(FAILED);
    }

    private static void haltWhenOrphaned() {
        try {
            while (System.in.read() != -1) {
                // nothing is sent on stdin; its end means the parent is gone
            }
        } catch (IOException e) {
            // stdin broken: the parent is gone as well
        }
        Runtime.getRuntime().halt(ORPHANED);
    }
}
