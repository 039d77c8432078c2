package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link SnapshotStore} must pass (a TCK). A plugin author extends this class
 * and supplies {@link #openStore(Path)} and {@link #crash()}; JUnit runs every test against the
 * store they return.
 *
 * <pre>{@code
 * class MySnapshotStoreContractTest extends SnapshotStoreContract {
 *     @Override
 *     protected SnapshotStore openStore(Path directory) {
 *         return MySnapshotStore.open(directory);
 *     }
 *
 *     @Override
 *     protected void crash() {
 *         store = MySnapshotStore.open(directory); // the old one is dropped, not closed
 *     }
 * }
 * }</pre>
 *
 * <p>The tests come in groups (JUnit {@link Nested} classes, reported under this class): writing
 * and reading, committing and crashing, listing and deleting, closing and interrupted readers.
 * Each assertion names the rule of the {@link SnapshotStore} Javadoc it checks. To turn a test
 * off, with a reason, see {@link ContractExclusion}.
 *
 * <p>Each test gets a fresh empty directory; {@link #reopen()} closes the store and opens a new one
 * on it, which must see every committed snapshot and nothing else. Tests with random data print
 * their seed when they fail; {@code -Draftlog.contract.seed=S} replays one.
 *
 * <p><b>What a crash is here, and what it is not.</b> {@link #crash()} drops the store object inside
 * this JVM: the process lives on, and so does the page cache. So the contract proves that commit is
 * atomic and that writers a crash interrupts leave nothing visible, but not that anything reached
 * the disk: a store that never forces its files, or its directory after the rename that commits a
 * snapshot, passes. There is no crash suite (like {@link LogStoreCrashContract}) for snapshot
 * stores; a durable one needs its forces checked by review, or tests of its own with a killed
 * process.
 */
@ExtendWith(ContractExclusions.class)
public abstract class SnapshotStoreContract {
    /** A fresh directory per test. */
    @TempDir
    protected Path directory;

    /** The store under test, opened on {@link #directory} before each test. */
    protected SnapshotStore store;

    final long seed = Long.getLong("raftlog.contract.seed", System.nanoTime());
    final Random random = new Random(seed);
    private final List<SnapshotStore> crashed = new ArrayList<>();

    /**
     * Opens a store on {@code directory}: a new empty store the first time, and afterwards (once
     * the previous store on it is closed) a store that sees every snapshot committed there before.
     */
    protected abstract SnapshotStore openStore(Path directory);

    /**
     * Drops {@link #store} without closing it (nor its writers and readers), as if the process
     * died, and sets {@link #store} to a store opened anew on the same place, which must see the
     * committed snapshots and nothing of the writers that were not committed.
     *
     * <p>The new store is opened while the dropped one is still open (the contract closes it only
     * after the test). A store that locks its directory, and so refuses a second store on it, may
     * first release what the death of its process would release — the lock, its open files — but
     * nothing more: no {@code close()}, no abort of its writers, no deleting of temporary files and
     * no force, since those are what a crash skips. Closing the dropped store after the test must
     * then still work (or do nothing).
     */
    protected abstract void crash();

    @BeforeEach
    final void openFreshStore() {
        store = openStore(directory);
    }

    @AfterEach
    final void closeStores() {
        store.close();
        crashed.forEach(SnapshotStore::close); // only now: the test is over
    }

    /** Closes {@link #store} and opens it again on the same directory. */
    protected final SnapshotStore reopen() {
        store.close();
        store = openStore(directory);
        return store;
    }

    /**
     * Crashes {@link #store} with {@link #crash()}, checks a new store took its place, and closes
     * the dropped one only after the test. Tests call this rather than {@code crash()}.
     */
    protected final void crashAndReopen() {
        SnapshotStore dropped = store;
        crashed.add(dropped);
        crash();
        assertThat(store).as("the store after crash()").isNotNull().isNotSameAs(dropped);
    }

    /** The seed, with the property that replays it, for assertion messages. */
    protected final String seeded() {
        return "seed " + seed + " (replay with -Draftlog.contract.seed=" + seed + ")";
    }

    /** {@code length} bytes from the seeded random source. */
    protected final byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Writes and commits a snapshot of {@code bytes} in chunks of random sizes. */
    protected final SnapshotInfo write(long index, long term, byte[] bytes) {
        SnapshotWriter writer = store.create(index, term);
        SnapshotRules.writeInChunks(writer, bytes, 20_000, random, seeded());
        return writer.commit();
    }

    /** Reads the whole committed snapshot at {@code index}. */
    protected final byte[] readAll(long index) {
        try (SnapshotReader reader = store.open(index)) {
            return SnapshotRules.readAll(reader, 8192);
        }
    }

    @Nested
    @DisplayName("writing and reading: chunks in, positional reads out, byte for byte")
    class WritingAndReading extends SnapshotWriteReadRules {
        WritingAndReading() {
            super(SnapshotStoreContract.this);
        }
    }

    @Nested
    @DisplayName("committing, aborting and crashing: all or nothing")
    class Committing extends SnapshotCommitRules {
        Committing() {
            super(SnapshotStoreContract.this);
        }
    }

    @Nested
    @DisplayName("listing and deleting")
    class Listing extends SnapshotListingRules {
        Listing() {
            super(SnapshotStoreContract.this);
        }
    }

    @Nested
    @DisplayName("closing and interrupted readers")
    class Closing extends SnapshotClosingRules {
        Closing() {
            super(SnapshotStoreContract.this);
        }
    }
}
