package io.raftlog.api.spi.storage;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.LogEntry;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable storage for one node's Raft log and {@link HardState}: the storage plugin SPI.
 *
 * <p><b>Indexes.</b> The log holds the consecutive entries {@code firstIndex()..lastIndex()}. A new
 * store is empty with {@code firstIndex() == 1} and {@code lastIndex() == 0}. After
 * {@link #truncatePrefix} the store still answers {@link #term} for {@code firstIndex() - 1}, so
 * the consistency check of the entry after a compacted prefix keeps working, and an append to an
 * emptied log is checked against that term.
 *
 * <p><b>Entries.</b> An entry reads back exactly as it was appended: index, term,
 * {@link io.raftlog.api.message.EntryType} (every type, not only {@code DATA}) and payload, empty
 * payloads included; so its {@link LogEntry#sizeInBytes()} is the same too. Read limits count
 * {@link LogEntry#sizeInBytes()}, never payload bytes alone.
 *
 * <p><b>Durability and atomicity.</b> When a mutating method ({@link #append}, {@link #truncateSuffix},
 * {@link #truncatePrefix}, {@link #reset}, {@link #replace}, {@link #saveHardState},
 * {@link #saveMetadata}) returns, its effect survives a crash of the process and of the machine
 * (unless the store is explicitly configured otherwise for benchmarks, which its documentation
 * must say loudly). Each mutating call is atomic: after a crash, and to a concurrent reader, either
 * all of it or none of it is visible. A node acknowledges appends and votes only once the call that
 * wrote them returned.
 *
 * <p><b>Threads.</b> A store is called from several threads of its node at once:
 * <ul>
 *   <li>Mutations come from one thread at a time, in order: the node's I/O thread
 *       ({@code raftlog-io-<id>}); before it starts, the thread calling {@code RaftNode.start()}
 *       reads and saves metadata. A store needs no locking between mutations.
 *   <li>Reads ({@link #read}, {@link #forEach}, {@link #term}, {@link #firstIndex},
 *       {@link #lastIndex}, {@link #hardState}, {@link #metadata}) come from that thread, from the
 *       node's event loop ({@code raftlog-loop-<id>}: the protocol's term lookups and AppendEntries
 *       reads) and from <em>application threads</em>: {@code ReplicatedLog.read} and
 *       {@code LogReader} read the store on the caller's own thread, as many at once as the
 *       application likes. They run concurrently with each other and with a mutation, and see
 *       the state before or after that mutation, never a mix.
 *   <li>Application threads get interrupted (a cancelled task, an executor shut down). A read on a
 *       thread whose interrupt flag is set, or that is interrupted while it reads, must return the
 *       right answer, leave the flag as it was, and leave the store working for every other
 *       thread. <b>The interrupt hazard:</b> an interrupt during (or before) a blocking operation
 *       on a {@link java.nio.channels.FileChannel} closes that channel for every thread (the
 *       reader gets a {@link java.nio.channels.ClosedByInterruptException}, all later users a
 *       {@link java.nio.channels.ClosedChannelException}). A file-based store therefore must not
 *       read through a shared interruptible channel: read a memory mapping, or
 *       {@link java.io.RandomAccessFile}'s own read methods, or reopen the channel and retry.
 *   <li>{@link #close()} is called once the node's loop and I/O thread have stopped, on the thread
 *       that closes the node; application reads may still be running then (see {@link #close()}).
 * </ul>
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException} and change nothing.
 * I/O failures throw {@link io.raftlog.api.StorageException} naming the store's location; a
 * failed mutation leaves the store as it was before the call, so that calling it again is safe.
 * An entry failing its integrity check throws {@link io.raftlog.api.CorruptLogException} naming
 * its index; bad bytes are never returned. Every method of a closed store but {@link #close()}
 * throws {@link IllegalStateException}.
 *
 * <p>What the node does with them: a {@code StorageException} from a mutation of the running node
 * (on its I/O thread) is taken for a disk that may recover, a full disk or an I/O error. The node
 * calls the mutation again with back-off for as long as it fails, reports
 * {@link io.raftlog.api.NodeStatus.Health#STORAGE_FAILING}, and meanwhile neither acknowledges
 * nor votes nor leads; it does not stop. A {@code StorageException} from a mutation while the
 * node starts fails the start. A {@code CorruptLogException} from a read makes the node repair
 * that entry from a peer ({@link #replace}); from a mutation it stops the node, as does any other
 * exception from a mutation: better down than wrong.
 *
 * <p><b>Ownership.</b> Whoever opens a store hands it to a node ({@code RaftNode}'s constructor,
 * or the {@code RaftModule} that builds one from the bound {@code LogStore}); from then on the
 * node owns it and closes it: in {@code RaftNode.close()}, and also when its constructor or
 * {@code start()} fails. Close a store yourself only if you never gave it to a node.
 *
 * <p>Implementations prove themselves by passing {@code io.raftlog.testkit.LogStoreContract}, and
 * durable ones also {@code LogStoreCrashContract} and {@code LogStoreCorruptionContract} (the
 * testkit's crash and bit-rot suites); docs/PLUGINS.md is the guide.
 */
public interface LogStore extends AutoCloseable {
    /** The last saved hard state, {@link HardState#INITIAL} for a new store. */
    HardState hardState();

    /** Replaces the hard state, atomically and durably. */
    void saveHardState(HardState state);

    /**
     * Rewrites the entry at {@code entry.index()}, which must be present, with {@code entry}:
     * a repair, when the stored copy failed its integrity check and {@code entry} is an intact copy
     * of the same committed entry from a peer. Atomic and durable; the rest of the log is untouched.
     * If {@code entry} is the last one, its term must stay the last term; implementations need not
     * read the damaged copy.
     *
     * @throws IllegalArgumentException if no entry is stored at that index; nothing changes
     */
    void replace(LogEntry entry);

    /** The longest metadata name, in characters. */
    int MAX_METADATA_NAME = 64;

    /** The largest metadata value, in bytes. */
    int MAX_METADATA_BYTES = 65_536;

    /**
     * The small record saved under {@code name}, if any. Metadata is what a node keeps beside its
     * log and hard state — which cluster and node the store belongs to, what it knows of its peers
     * — a few records, rarely written; the store does not interpret it.
     *
     * @param name 1 to {@value #MAX_METADATA_NAME} characters of {@code [a-z0-9._-]}, not only dots
     *     (so never {@code "."} or {@code ".."}: a name is safe to use in a file name); every valid
     *     name is a record of its own
     * @throws IllegalArgumentException if {@code name} is not a valid name
     * @throws io.raftlog.api.StorageException if the record cannot be read or fails its integrity check
     */
    Optional<Bytes> metadata(String name);

    /**
     * Saves {@code value} under {@code name}, replacing what was there, atomically and durably (as
     * {@link #saveHardState}); it survives {@link #truncatePrefix} and {@link #truncateSuffix}.
     *
     * @param value at most {@value #MAX_METADATA_BYTES} bytes
     * @throws IllegalArgumentException if the name is invalid or the value too large; nothing changes
     */
    void saveMetadata(String name, Bytes value);

    /**
     * Checks a metadata name and value against the limits above (for implementations): a name of 1
     * to {@value #MAX_METADATA_NAME} characters of {@code [a-z0-9._-]}, not made of dots alone,
     * and a value (if not null) of at most {@value #MAX_METADATA_BYTES} bytes.
     *
     * @throws IllegalArgumentException if either is invalid
     */
    static void checkMetadata(String name, Bytes value) {
        if (name == null || name.isEmpty() || name.length() > MAX_METADATA_NAME) {
            throw new IllegalArgumentException(
                    "a metadata name has 1 to " + MAX_METADATA_NAME + " characters, got " + name);
        }
        boolean onlyDots = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                throw new IllegalArgumentException(
                        "a metadata name has only characters of [a-z0-9._-], got '" + name + "'");
            }
            onlyDots &= c == '.';
        }
        if (onlyDots) {
            // "." and ".." name directories: a store keeping a file per record must never see them.
            throw new IllegalArgumentException("a metadata name is not made of dots alone, got '" + name + "'");
        }
        if (value != null && value.size() > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("a metadata value has at most " + MAX_METADATA_BYTES + " bytes, got "
                    + value.size() + " for '" + name + "'");
        }
    }

    /** Checks the arguments of {@link #reset} (for implementations). */
    static void checkReset(long index, long term) {
        if (index < 0 || term < 0 || (index == 0) != (term == 0)) {
            throw new IllegalArgumentException(
                    "reset needs index and term both >= 1 (or both 0), got index " + index + ", term " + term);
        }
    }

    /** Index of the first entry present ({@code lastIndex() + 1} when empty). */
    long firstIndex();

    /** Index of the last entry present ({@code firstIndex() - 1} when empty). */
    long lastIndex();

    /**
     * Term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()} (so
     * {@code term(0)} is 0 while no prefix was removed; afterwards index 0 is out of range).
     *
     * @throws IllegalArgumentException if {@code index} is outside that range
     */
    long term(long index);

    /**
     * Appends consecutive entries starting at {@code lastIndex() + 1}, atomically and durably. The
     * first entry's term must be at least {@code term(lastIndex())} (which, in an empty log, is the
     * term kept for {@code firstIndex() - 1}). An empty list is a no-op in every state of the log:
     * no error, nothing written.
     *
     * @throws IllegalArgumentException if the entries leave a gap, overlap the log, are not
     *                                  consecutive, or go back in term; nothing is written
     */
    void append(List<LogEntry> entries);

    /**
     * Removes the entries at {@code fromIndex} and after (a conflict found by the consistency
     * check). {@code fromIndex} must be in {@code firstIndex()..lastIndex() + 1}.
     */
    void truncateSuffix(long fromIndex);

    /**
     * Removes the entries before {@code toIndex} (retention or compaction); {@code toIndex} must be
     * in {@code firstIndex()..lastIndex() + 1}. Afterwards {@code firstIndex() == toIndex}.
     */
    void truncatePrefix(long toIndex);

    /**
     * Removes every entry and makes the log start after ({@code index}, {@code term}): the last
     * entry of a snapshot installed from a leader, when the log does not hold it. Afterwards
     * {@code firstIndex() == index + 1}, {@code lastIndex() == index} and {@code term(index) == term},
     * and appending continues at {@code index + 1}. Atomic and durable; the hard state and the
     * metadata stay. {@code index} may lie below, inside or beyond the present log.
     *
     * @throws IllegalArgumentException if {@code index < 0}, {@code term < 0}, or only one of them is 0
     */
    void reset(long index, long term);

    /**
     * Reads consecutive entries from {@code fromIndex}, stopping after {@code maxEntries} entries or
     * before the entry that would take the sum of their {@link LogEntry#sizeInBytes()} past
     * {@code maxBytes}; the first entry is returned even if it alone exceeds {@code maxBytes}. Returns an empty list when
     * {@code fromIndex == lastIndex() + 1}. The returned entries stay valid after the call. Called
     * from application threads too, which may be interrupted (see the class comment).
     *
     * @throws IllegalArgumentException if {@code fromIndex} is outside
     *                                  {@code firstIndex()..lastIndex() + 1} or a limit is not positive
     */
    List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes);

    /**
     * Like {@link #read} but hands each entry to {@code visitor} instead of collecting them; a
     * payload seen by the visitor is only valid during that call, which lets a store hand out
     * views of its pages without copying. Returns the number of entries visited.
     */
    default int forEach(long fromIndex, int maxEntries, long maxBytes, Consumer<LogEntry> visitor) {
        List<LogEntry> entries = read(fromIndex, maxEntries, maxBytes);
        entries.forEach(visitor);
        return entries.size();
    }

    /**
     * Releases the store's resources; every later call of another method throws
     * {@link IllegalStateException}. Idempotent: closing again does nothing.
     *
     * <p>Before it returns it releases whatever the store holds on its location — a directory
     * lock, open files, threads of its own — so that a store opened on the same location right
     * after (the node restarting) opens at once. It may be called on a thread other than the one
     * that opened the store. Application threads may still be reading when it is called: each such
     * read returns its right answer or throws {@link IllegalStateException}; none returns bad
     * bytes or crashes the JVM (a store on a memory mapping must not unmap it under a reader).
     */
    @Override
    void close();
}
