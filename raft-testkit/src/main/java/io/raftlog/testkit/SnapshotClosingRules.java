package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A closed store refuses calls and closes its writers and readers; a read on an interrupted
 * thread (the node's snapshot thread when the node closes) returns the right bytes or fails with
 * {@link StorageException}, keeps the flag, and breaks nothing else.
 */
abstract class SnapshotClosingRules extends SnapshotRules {
    SnapshotClosingRules(SnapshotStoreContract contract) {
        super(contract);
    }

    @Test
    void aClosedStoreRefusesCallsAndClosingTwiceIsHarmless() {
        SnapshotInfo info = write(1, 1, randomBytes(500));
        SnapshotWriter writer = store().create(2, 1);
        writer.write(ByteBuffer.wrap(randomBytes(500)));
        SnapshotReader reader = store().open(1);
        SnapshotStore closed = store();
        closed.close();
        closed.close();

        String rule = "every method of a closed store but close() and location() throws IllegalStateException (%s)";
        assertThrows(IllegalStateException.class, closed::list, rule, "list()");
        assertThrows(IllegalStateException.class, closed::latest, rule, "latest()");
        assertThrows(IllegalStateException.class, () -> closed.create(3, 1), rule, "create()");
        assertThrows(IllegalStateException.class, () -> closed.open(1), rule, "open()");
        assertThrows(IllegalStateException.class, () -> closed.delete(1), rule, "delete()");
        String aborted = "closing the store aborts its writers and closes its readers (%s)";
        assertThrows(IllegalStateException.class, () -> writer.write(ByteBuffer.allocate(1)), aborted, "write()");
        assertThrows(IllegalStateException.class, writer::commit, aborted, "commit()");
        assertThrows(
                IllegalStateException.class, () -> reader.read(0, ByteBuffer.allocate(1)), aborted, "reader.read()");
        writer.close();
        reader.close();
        assertThat(closed.location())
                .as("rule: location() still answers after close()")
                .isNotBlank();

        assertThat(reopen().list())
                .as("rule: closing keeps what was committed and nothing else")
                .containsExactly(info);
    }

    @Test
    void aReadOnAnInterruptedThreadKeepsTheFlagAndBreaksNoOtherReader() throws Exception {
        byte[] bytes = randomBytes(200_000);
        SnapshotInfo info = write(4, 2, bytes);
        SnapshotReader openedBefore = store().open(4);
        try {
            String outcome = onInterruptedThread(() -> readOnce(info, bytes));
            assertThat(outcome)
                    .as("rule: a read on an interrupted thread returns the right bytes or throws StorageException,"
                            + " and leaves the interrupt flag set")
                    .isIn("right bytes; flag kept", "StorageException; flag kept");
            assertSameBytes(
                    bytes,
                    unharmed(() -> readAll(openedBefore, 8192), "a reader opened before it"),
                    "a reader opened before the interrupted read");
        } finally {
            openedBefore.close();
        }
        assertSameBytes(
                bytes,
                unharmed(() -> readAll(4), "a reader opened after it"),
                "a reader opened after the interrupted read");
        byte[] more = randomBytes(10_000);
        SnapshotInfo next = unharmed(() -> write(5, 2, more), "a writer after it");
        assertThat(store().list())
                .as("rule: an interrupted reader leaves the store working")
                .containsExactly(info, next);
        assertSameBytes(more, readAll(5), "a snapshot written after the interrupted read");
    }

    /** The result of {@code call}, or a failure naming the rule if it throws. */
    private static <T> T unharmed(java.util.function.Supplier<T> call, String who) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "[rule: a read on an interrupted thread breaks no other reader, writer or the store] " + who
                            + " threw " + e,
                    e);
        }
    }

    /** Opens the snapshot and reads it in one call; says how that went and whether the flag stayed. */
    private String readOnce(SnapshotInfo info, byte[] bytes) {
        String read;
        try (SnapshotReader reader = store().open(info.index())) {
            ByteBuffer target = ByteBuffer.allocate(bytes.length);
            int count = reader.read(0, target);
            read = count == bytes.length && Arrays.equals(target.array(), bytes) ? "right bytes" : "wrong bytes";
        } catch (StorageException e) {
            read = "StorageException";
        } catch (RuntimeException e) {
            read = "threw " + e;
        }
        return read + (Thread.currentThread().isInterrupted() ? "; flag kept" : "; flag cleared");
    }

    private static String onInterruptedThread(java.util.concurrent.Callable<String> body) throws Exception {
        FutureTask<String> task = new FutureTask<>(() -> {
            Thread.currentThread().interrupt();
            return body.call();
        });
        Thread thread = new Thread(task, "contract-interrupted-snapshot-reader");
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("rule: a read on an interrupted thread does not fail otherwise", e.getCause());
        }
    }
}
