package io.raftlog.api.spi.storage;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage for a node's snapshots: opaque byte strings, each the state after the entry at
 * {@link SnapshotInfo#index()} (with that entry's term), written once and read many times. The
 * node decides what goes in them (its own state and its {@link io.raftlog.api.StateMachine}'s,
 * with a checksum), when they are taken, and which to delete; the store only keeps the bytes.
 *
 * <p><b>Durability.</b> {@link SnapshotWriter#commit()} is atomic and durable: after it returns the
 * snapshot survives a crash whole; a crash before {@code commit()} is called leaves nothing of it
 * visible, and a crash during {@code commit()} leaves either nothing of it or all of it, never a
 * part. At most one snapshot per index: committing another at the same index replaces it
 * atomically (a crash during that commit leaves the old one or the new one). {@link #delete} is
 * durable when it returns.
 *
 * <p><b>Threads.</b> Every method is thread-safe, and several writers (for different indexes or
 * the same) may be open at once. A writer or reader is used by one thread at a time; readers of a
 * snapshot keep reading what they opened even if it is deleted or replaced meanwhile. The node
 * calls the store from its event loop ({@code raftlog-loop-<id>}: listing, deleting, reading chunks
 * to send to a follower, writing the chunks a leader sends) and from its snapshot thread
 * ({@code raftlog-snapshot-<id>}: writing a snapshot of its state, checking one), at the same time.
 * The snapshot thread is interrupted when the node closes: a read or write on an interrupted
 * thread may then fail with {@link io.raftlog.api.StorageException} (a file channel closes on an
 * interrupt), but it must leave the thread's interrupt flag set and every other reader, writer and
 * the store itself working.
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException}; I/O failures throw
 * {@link io.raftlog.api.StorageException} naming where the snapshots live. After {@link #close()}
 * the store's methods but {@code close()} and {@code location()} throw
 * {@link IllegalStateException}, its uncommitted writers are aborted and its readers closed.
 *
 * <p><b>Ownership.</b> As for {@link LogStore}: the node given the store closes it (in
 * {@code RaftNode.close()}, and when its constructor or start fails); close it yourself only if
 * you never gave it to a node.
 *
 * <p>Implementations prove themselves by passing {@code io.raftlog.testkit.SnapshotStoreContract}.
 */
public interface SnapshotStore extends AutoCloseable {
    /** The committed snapshots, lowest index first. */
    List<SnapshotInfo> list();

    /** The committed snapshot with the highest index, if any. */
    default Optional<SnapshotInfo> latest() {
        List<SnapshotInfo> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Starts a snapshot of the state after ({@code index}, {@code term}); nothing of it is visible
     * until {@link SnapshotWriter#commit()}.
     *
     * @throws IllegalArgumentException if {@code index < 1} or {@code term < 1}
     */
    SnapshotWriter create(long index, long term);

    /**
     * Opens the committed snapshot at {@code index} for reading.
     *
     * @throws IllegalArgumentException if there is none
     */
    SnapshotReader open(long index);

    /**
     * Deletes the committed snapshot at {@code index}, if there is one (durably; readers already
     * open on it keep reading it).
     */
    void delete(long index);

    /** A place that names these snapshots in messages (a directory, "memory"). */
    String location();

    /**
     * Releases resources: writers not committed are aborted and readers closed. Idempotent.
     */
    @Override
    void close();

    /**
     * One committed snapshot.
     *
     * @param index     the index of the last entry the state includes
     * @param term      that entry's term
     * @param sizeBytes the snapshot's length in bytes
     */
    record SnapshotInfo(long index, long term, long sizeBytes) {
        public SnapshotInfo {
            if (index < 1 || term < 1 || sizeBytes < 0) {
                throw new IllegalArgumentException("a snapshot has index >= 1, term >= 1 and size >= 0, got " + index
                        + ", " + term + ", " + sizeBytes);
            }
        }
    }

    /** Writes one snapshot, in order, from the start. */
    interface SnapshotWriter extends AutoCloseable {
        /**
         * Appends the remaining bytes of {@code data} (consuming them). The store may buffer them
         * until {@link #commit()}.
         *
         * @throws IllegalStateException if the writer was committed or aborted
         */
        void write(ByteBuffer data);

        /** Bytes written so far. */
        long size();

        /**
         * Makes the snapshot durable and visible, atomically; the writer is closed after. If it
         * fails with a {@link io.raftlog.api.StorageException} the writer is aborted.
         *
         * @throws IllegalStateException if it was already committed or aborted (also by closing the
         *     store)
         */
        SnapshotInfo commit();

        /** Abandons the snapshot: nothing of it stays. Idempotent; nothing after a commit. */
        void abort();

        /** Aborts unless committed. */
        @Override
        default void close() {
            abort();
        }
    }

    /** Reads one committed snapshot at any position. */
    interface SnapshotReader extends AutoCloseable {
        SnapshotInfo info();

        /**
         * Reads bytes from {@code position} into {@code target}, as many as fit in its remaining
         * space or are left in the snapshot, whichever is fewer; returns how many, 0 if
         * {@code position} is the end (or {@code target} is full).
         *
         * @throws IllegalArgumentException if {@code position} is negative or past the end
         * @throws IllegalStateException if the reader is closed (also by closing the store)
         */
        int read(long position, ByteBuffer target);

        /** Releases the reader. Idempotent. */
        @Override
        void close();
    }
}
