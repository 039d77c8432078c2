package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Commit is all or nothing: before it nothing is visible, a crash keeps what was committed and
 * nothing else, a commit at an existing index replaces it whole, and writers refuse to be reused.
 */
abstract class SnapshotCommitRules extends SnapshotRules {
    SnapshotCommitRules(SnapshotStoreContract contract) {
        super(contract);
    }

    @Test
    void uncommittedAndAbortedWritersLeaveNothingAlsoAfterReopening() {
        SnapshotWriter aborted = store().create(2, 1);
        aborted.write(ByteBuffer.wrap(randomBytes(10_000)));
        aborted.abort();
        aborted.abort(); // idempotent
        SnapshotWriter closed = store().create(3, 1);
        closed.write(ByteBuffer.wrap(randomBytes(10_000)));
        closed.close();
        SnapshotWriter abandoned = store().create(4, 1);
        abandoned.write(ByteBuffer.wrap(randomBytes(100_000)));

        assertThat(store().list())
                .as("rule: aborted, closed and uncommitted writers leave nothing visible")
                .isEmpty();
        assertThrows(
                IllegalStateException.class,
                () -> aborted.write(ByteBuffer.allocate(1)),
                "write() after abort() throws IllegalStateException");
        assertThrows(
                IllegalStateException.class, aborted::commit, "commit() after abort() throws IllegalStateException");
        assertThrows(
                IllegalStateException.class, closed::commit, "commit() after close() throws IllegalStateException");
        assertThrows(
                IllegalArgumentException.class,
                () -> store().open(2),
                "open() of an aborted snapshot throws IllegalArgumentException");

        reopen(); // closing the store abandons the last writer
        assertThat(store().list())
                .as("rule: closing the store aborts its uncommitted writers")
                .isEmpty();
        assertThrows(
                IllegalStateException.class,
                abandoned::commit,
                "commit() of a writer whose store was closed throws IllegalStateException");
        assertThat(reopen().list())
                .as("rule: nothing uncommitted appears after reopening")
                .isEmpty();
    }

    @Test
    void aCommittedSnapshotSurvivesReopening() {
        byte[] bytes = randomBytes(12_345);
        SnapshotInfo info = write(42, 7, bytes);
        reopen();
        assertThat(store().list())
                .as("rule: a committed snapshot survives reopening")
                .containsExactly(info);
        assertThat(store().latest()).as("rule: latest() after reopening").contains(info);
        assertSameBytes(bytes, readAll(42), "read after reopening");
    }

    @Test
    void aCrashKeepsCommittedSnapshotsAndLosesWritersMidWrite() {
        byte[] kept = randomBytes(50_000);
        SnapshotInfo info = write(10, 2, kept);
        SnapshotWriter midWrite = store().create(20, 3);
        midWrite.write(ByteBuffer.wrap(randomBytes(200_000)));
        SnapshotWriter replacing = store().create(10, 3);
        replacing.write(ByteBuffer.wrap(randomBytes(70_000)));

        crashAndReopen();
        assertThat(store().list())
                .as("rule: a crash keeps the committed snapshots and nothing of writers mid-write")
                .containsExactly(info);
        assertSameBytes(kept, readAll(10), "the committed snapshot after a crash");
        assertThrows(
                IllegalArgumentException.class,
                () -> store().open(20),
                "a snapshot written but not committed before a crash cannot be opened");

        byte[] after = randomBytes(30_000);
        SnapshotInfo next = write(20, 3, after);
        assertThat(reopen().list()).as("rule: writing goes on after a crash").containsExactly(info, next);
        assertSameBytes(after, readAll(20), "a snapshot written after the crash");
    }

    @Test
    void aSnapshotCommittedJustBeforeACrashSurvivesIt() {
        byte[] bytes = randomBytes(80_000);
        SnapshotInfo info = write(5, 5, bytes);
        crashAndReopen();
        assertThat(store().list())
                .as("rule: commit() is durable when it returns: the snapshot survives a crash right after")
                .containsExactly(info);
        assertSameBytes(bytes, readAll(5), "read after a crash");
    }

    @Test
    void committingAtAnExistingIndexReplacesItAndReadersKeepWhatTheyOpened() {
        byte[] first = randomBytes(40_000);
        byte[] sameTerm = randomBytes(30_000);
        byte[] otherTerm = randomBytes(20_000);
        write(7, 3, first);
        SnapshotReader before = store().open(7);
        try {
            write(7, 3, sameTerm);
            assertThat(store().list())
                    .as("rule: a commit at an existing index replaces it (same term)")
                    .containsExactly(new SnapshotInfo(7, 3, sameTerm.length));
            assertSameBytes(sameTerm, readAll(7), "the replacement in the same term");

            SnapshotInfo replaced = write(7, 4, otherTerm);
            assertThat(store().list())
                    .as("rule: a commit at an existing index replaces it (another term)")
                    .containsExactly(replaced);
            assertSameBytes(otherTerm, readAll(7), "the replacement in another term");
            assertThat(before.info())
                    .as("rule: a reader keeps the snapshot it opened after a replacement")
                    .isEqualTo(new SnapshotInfo(7, 3, first.length));
            assertSameBytes(first, readAll(before, 4096), "a reader opened before two replacements");
        } finally {
            before.close();
        }
        reopen();
        assertThat(store().list())
                .as("rule: the last replacement survives reopening")
                .containsExactly(new SnapshotInfo(7, 4, otherTerm.length));
        assertSameBytes(otherTerm, readAll(7), "the replacement after reopening");
    }

    @Test
    void committingTwiceIsRefusedAndTheSnapshotStays() {
        SnapshotWriter writer = store().create(3, 1);
        writer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        SnapshotInfo info = writer.commit();

        assertThrows(IllegalStateException.class, writer::commit, "a second commit() throws IllegalStateException");
        assertThrows(
                IllegalStateException.class,
                () -> writer.write(ByteBuffer.allocate(1)),
                "write() after commit() throws IllegalStateException");
        writer.abort(); // nothing after a commit
        writer.close();
        assertThat(writer.size())
                .as("rule: size() after commit() is the snapshot's size")
                .isEqualTo(3);
        assertThat(store().list())
                .as("rule: abort() and close() after a commit leave the snapshot")
                .containsExactly(info);
        assertThat(readAll(3))
                .as("rule: abort() after a commit changes nothing")
                .containsExactly(1, 2, 3);
    }

    @Test
    void invalidArgumentsToCreateAreRefusedAndCreateNothing() {
        long[][] invalid = {{0, 1}, {1, 0}, {-1, 1}, {1, -5}, {Long.MIN_VALUE, Long.MIN_VALUE}};
        for (long[] args : invalid) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> store().create(args[0], args[1]),
                    "create(%d, %d) throws IllegalArgumentException",
                    args[0],
                    args[1]);
        }
        assertThat(store().list()).as("rule: refused creates leave nothing").isEmpty();
    }
}
