package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The main class of the crash suite's child JVM: opens the store through the factory and makes
 * calls until it is killed, reporting each on stdout before it starts and after it returned.
 *
 * <p>Arguments: {@code FACTORY DIRECTORY SEED FIRST_SEQ FIRST_TERM}. Lines, each tagged
 * {@value #TAG} so output of the store's own is told apart, and each written to the report file
 * ({@link ChildJvmProcess}) and then to stdout before the next store call:
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
    /** The start of every line of the crash suite's protocol (the power-loss provider's too). */
    static final String TAG = "@tck ";

    static final int FAILED = 3;
    private static final int ORPHANED = 4;

    private CrashChild() {}

    public static void main(String[] args) throws ReflectiveOperationException, IOException {
        reportToFileToo(System.getProperty(ChildJvmProcess.REPORT_PROPERTY));
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

    /** Reports {@code line}: in the report file and in the pipe before returning. */
    static void say(String line) {
        PrintStream out = System.out;
        synchronized (out) {
            out.println(TAG + line);
            out.flush();
        }
    }

    /**
     * Makes {@code System.out} write each byte to the report file first, then to stdout. The file is
     * written with {@code java.io}, which the power-loss provider does not follow: it is no part of
     * the store.
     */
    private static void reportToFileToo(String report) throws IOException {
        if (report == null) {
            return;
        }
        OutputStream file = new FileOutputStream(report, true);
        OutputStream pipe = new FileOutputStream(FileDescriptor.out);
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                file.write(b);
                pipe.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                file.write(bytes, offset, length);
                pipe.write(bytes, offset, length);
            }

            @Override
            public void flush() throws IOException {
                file.flush();
                pipe.flush();
            }
        };
        System.setOut(new PrintStream(new BufferedOutputStream(both, 8192), false, StandardCharsets.ISO_8859_1));
    }

    static LogStoreFactory instantiate(String className) throws ReflectiveOperationException {
        return instantiate(Class.forName(className));
    }

    /** The factory {@code type} names, whatever class loader loaded it. */
    static LogStoreFactory instantiate(Class<?> type) throws ReflectiveOperationException {
        Constructor<?> constructor = type.getDeclaredConstructor();
        // A factory nested in a test class is often package-private: reach it anyway (LogStoreFactory
        // promises that a non-public class and constructor work; FactoryInstantiationTest keeps it).
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
