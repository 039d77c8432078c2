package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.StateMachine;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.protocol.Ready;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's snapshots: taking them (the state captured on the event loop, written on the
 * background executor), restoring the latest at start, compacting the log below them once the
 * log start has passed them, and transferring them — streamed to followers that need them in
 * chunks with a window of unacknowledged bytes, and received, verified and installed from a
 * leader. Owned by the event loop, like the protocol.
 */
final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    /** Restores the node's own state and the application's from a snapshot; told the index. */
    interface Restorer {
        void restored(long index);
    }

    private final NodeConfig config;
    private final LogConfig log;
    private final SnapshotStore store;
    private final StateMachine application;
    private final Transport transport;
    private final LogWriter writer;
    private final RaftProtocol raft;
    private final Proposer proposer;
    private final LogRetention retention;
    private final NodeClock clock;
    private final Executor background;
    private final Consumer<Runnable> toLoop;
    private final SnapshotMetrics metrics;

    /** Snapshots kept above the log start before they are thinned out. */
    static final int MAX_ABOVE_START = 32;

    /** The newest snapshot here, and the one the log is compacted to (0 if none). */
    private volatile SnapshotInfo latest;

    private long floor;
    private boolean taking;
    private long lastTakenIndex;
    private long lastTakenBytes;
    /** The highest applied index heard of: a snapshot that fell due while one was taken is taken after it. */
    private long appliedSeen;

    private final Map<NodeId, Outgoing> outgoing = new HashMap<>();
    /** The snapshot last found intact before a send, and those being checked (see {@link #offer}). */
    private long verifiedIndex = -1;

    private final java.util.Set<Long> checking = new java.util.HashSet<>();
    /** The snapshot last started to each follower (reported and counted once). */
    private final Map<NodeId, Long> lastSent = new HashMap<>();
    /** Chunks as configured, but never larger than the transport carries. */
    private final int chunkBytes;

    private Incoming incoming;

    /** Counters for status and metrics; written and read on the event loop (status publishes them). */
    static final class SnapshotMetrics {
        long lastTakenMillis;
        long lastTakenNanos;
        long sent;
        long received;
        long bytesSent;
        long bytesReceived;
    }

    Snapshots(
            NodeConfig config,
            SnapshotStore store,
            StateMachine application,
            Transport transport,
            LogWriter writer,
            RaftProtocol raft,
            Proposer proposer,
            LogRetention retention,
            NodeClock clock,
            Executor background,
            Consumer<Runnable> toLoop,
            SnapshotMetrics metrics) {
        this.config = config;
        this.log = config.log();
        this.store = store;
        this.application = application;
        this.transport = transport;
        this.writer = writer;
        this.raft = raft;
        this.proposer = proposer;
        this.retention = retention;
        this.clock = clock;
        this.background = background;
        this.toLoop = toLoop;
        this.metrics = metrics;
        this.chunkBytes = chunkBytes(log, transport.maxMessageBytes());
    }

    /**
     * The bytes of snapshot data one chunk carries: the configured chunk size, or less if an
     * InstallSnapshotRequest carrying it would not fit the transport's largest message between two
     * ids of the longest length allowed (members added later, or this node when it joined, may
     * have ids longer than any the start named).
     */
    static int chunkBytes(LogConfig log, int maxMessageBytes) {
        NodeId longest = NodeLoop.LONGEST_ID;
        int framing = io.raftlog.api.message.MessageCodec.encodedSize(
                new InstallSnapshotRequest(longest, longest, 1, 1, 1, 0, 0, Bytes.EMPTY, true));
        int chunkBytes = (int) Math.min(log.snapshotChunkBytes(), (long) maxMessageBytes - framing);
        if (chunkBytes < 64) {
            throw new IllegalArgumentException("the transport's largest message (" + maxMessageBytes
                    + " bytes) leaves room for snapshot chunks of only " + chunkBytes + " bytes");
        }
        return chunkBytes;
    }

    /** The newest snapshot, or null. */
    SnapshotInfo latest() {
        return latest;
    }

    // ------------------------------------------------------------------ at start

    /**
     * Before the protocol exists: picks the newest snapshot that checks out and makes the log
     * start at or before it (resetting a store that does not hold its last entry: a snapshot
     * installed from a leader just before a crash). Returns it, or null if there is none; the
     * caller restores from it with {@link #restore} once everything is built.
     *
     * @throws StorageException if the log was compacted but no snapshot covers its start
     */
    static SnapshotInfo pickAtStart(SnapshotStore snapshots, LogStore logStore) {
        List<SnapshotInfo> all = snapshots.list();
        for (int i = all.size() - 1; i >= 0; i--) {
            SnapshotInfo candidate = all.get(i);
            try (SnapshotStore.SnapshotReader reader = snapshots.open(candidate.index())) {
                SnapshotFile.verify(reader, snapshots.location());
            } catch (StorageException damaged) {
                LOG.warn("{}; deleting it and trying an older one", damaged.getMessage());
                snapshots.delete(candidate.index());
                continue;
            }
            if (candidate.index() < logStore.firstIndex() - 1) {
                break; // older than the log: useless, and so are the others
            }
            boolean holds = candidate.index() <= logStore.lastIndex()
                    && termOrDamaged(logStore, candidate.index(), candidate.term()) == candidate.term();
            if (!holds) {
                LOG.info(
                        "the log in the store does not hold entry {} of snapshot {}: it starts after the snapshot now",
                        candidate.index(),
                        candidate.index());
                logStore.reset(candidate.index(), candidate.term());
            } else if (!holdsSnapshotAt(snapshots, logStore.firstIndex() - 1)) {
                // The log starts after a snapshot this store no longer holds: a compaction deleted
                // it, and a crash lost the log's truncation, still queued then (found by the
                // whole-node simulator, seed 15832: the node led, but could bring no follower
                // behind its log's start up to date, the leader sending the snapshot its log
                // starts after). That compaction kept its anchor and deleted every older snapshot,
                // so the oldest one left past the log's start is its anchor: truncate to it now.
                SnapshotInfo anchor = candidate;
                for (SnapshotInfo older : snapshots.list()) {
                    if (older.index() >= logStore.firstIndex()
                            && older.index() < anchor.index()
                            && termOrDamaged(logStore, older.index(), -1) == older.term()) {
                        anchor = older;
                    }
                }
                LOG.info(
                        "the log in the store starts at {}, after a snapshot it no longer holds: it starts after"
                                + " snapshot {} now",
                        logStore.firstIndex(),
                        anchor.index());
                logStore.truncatePrefix(anchor.index() + 1);
            }
            return candidate;
        }
        if (logStore.firstIndex() > 1) {
            throw new StorageException("the log starts at index " + logStore.firstIndex()
                    + " but no intact snapshot in " + snapshots.location() + " covers the entries before it:"
                    + " this node cannot rebuild its state; wipe its data directory and start it with --rejoin");
        }
        return null;
    }

    /** Whether {@code snapshots} holds one ending at {@code index} (0: the log was never compacted). */
    private static boolean holdsSnapshotAt(SnapshotStore snapshots, long index) {
        return index == 0 || snapshots.list().stream().anyMatch(info -> info.index() == index);
    }

    /**
     * The term of the stored entry at {@code index}; {@code assumed} if the entry is damaged (it
     * is repaired from a peer later): a damaged entry must never make the node drop the log after
     * it, which holds entries it acknowledged.
     */
    private static long termOrDamaged(LogStore store, long index, long assumed) {
        try {
            return store.term(index);
        } catch (io.raftlog.api.CorruptLogException damaged) {
            return assumed;
        }
    }

    /** Restores the state from {@code info} (picked at start, or just installed). */
    void restore(SnapshotInfo info, Restorer restorer, boolean installed) {
        try (SnapshotStore.SnapshotReader reader = store.open(info.index())) {
            SnapshotFile.Layout layout = SnapshotFile.verify(reader, store.location());
            DataInputStream node =
                    new DataInputStream(new java.io.ByteArrayInputStream(SnapshotFile.nodeState(reader, layout)));
            raft.restoreMembership(info.index(), readMembership(node));
            // Never below where the log starts here: past an installed snapshot, nothing before it.
            retention.readFrom(node, Math.max(raft.firstIndex(), installed ? info.index() + 1 : 1));
            proposer.readState(node, info.index());
            try (InputStream user = SnapshotFile.userState(reader, layout)) {
                application.restore(user);
            }
        } catch (IOException e) {
            throw new StorageException(
                    "cannot restore snapshot " + info.index() + " from " + store.location() + ": " + e.getMessage(), e);
        }
        latest = info;
        lastTakenIndex = info.index();
        lastTakenBytes = retention.appliedBytes();
        floor = Math.max(floor, raft.firstIndex() - 1);
        restorer.restored(info.index());
    }

    /**
     * Marks the node state's membership section in the current format; the first format had a
     * voter count there (never negative), followed by the voters' ids.
     */
    private static final int MEMBERSHIP_ENCODED = -1;

    private static void writeMembership(DataOutputStream out, io.raftlog.api.Membership membership) throws IOException {
        byte[] encoded = membership.encode().toByteArray();
        out.writeInt(MEMBERSHIP_ENCODED);
        out.writeInt(encoded.length);
        out.write(encoded);
    }

    private static io.raftlog.api.Membership readMembership(DataInputStream node) throws IOException {
        int marker = node.readInt();
        if (marker != MEMBERSHIP_ENCODED) {
            List<NodeId> voters = new java.util.ArrayList<>(marker);
            for (int i = 0; i < marker; i++) {
                voters.add(NodeId.of(node.readUTF())); // a snapshot of the first format
            }
            return io.raftlog.api.Membership.ofVoters(voters);
        }
        byte[] encoded = new byte[node.readInt()];
        node.readFully(encoded);
        try {
            return io.raftlog.api.Membership.decode(Bytes.wrap(encoded));
        } catch (IllegalArgumentException e) {
            throw new IOException("its membership cannot be read: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ taking

    /** After entries were applied up to {@code applied}: takes a snapshot if one is due. */
    void maybeTake(long applied) {
        appliedSeen = Math.max(appliedSeen, applied);
        if (taking || applied <= lastTakenIndex) {
            return;
        }
        boolean due = applied - lastTakenIndex >= log.snapshotEveryEntries()
                || retention.appliedBytes() - lastTakenBytes >= log.snapshotEveryBytes();
        if (due) {
            take(applied);
        }
    }

    /** Takes a snapshot of the state after {@code applied} now, whatever the policy says. */
    void take(long applied) {
        if (taking || applied < 1) {
            return;
        }
        taking = true;
        long term = raft.termAt(applied);
        long started = clock.nanoTime();
        byte[] nodeState;
        StateMachine.Snapshot user;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            writeMembership(out, raft.membershipAt(applied));
            retention.writeTo(out);
            proposer.writeState(out);
            out.flush();
            nodeState = bytes.toByteArray();
            user = application.snapshot();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        long appliedBytes = retention.appliedBytes();
        long createdMillis = clock.currentTimeMillis();
        background.execute(() -> {
            SnapshotInfo info = null;
            RuntimeException failure = null;
            try (SnapshotStore.SnapshotWriter out = store.create(applied, term)) {
                info = SnapshotFile.write(out, applied, term, createdMillis, nodeState, user);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof RuntimeException runtime
                        ? runtime
                        : new StorageException("the state machine failed to write its snapshot: " + e, e);
            }
            SnapshotInfo taken = info;
            RuntimeException failed = failure;
            toLoop.accept(() -> taken(taken, failed, appliedBytes, started));
        });
    }

    private void taken(SnapshotInfo info, RuntimeException failure, long appliedBytes, long started) {
        taking = false;
        if (failure != null) {
            // Not fatal: the log is kept whole meanwhile, and the next one is tried at the next interval.
            LOG.warn("node {}: a snapshot failed: {}", config.id(), failure.getMessage());
            lastTakenBytes = appliedBytes;
            lastTakenIndex = raft.commitIndex();
            return;
        }
        latest = info;
        lastTakenIndex = info.index();
        lastTakenBytes = appliedBytes;
        metrics.lastTakenMillis = clock.currentTimeMillis();
        metrics.lastTakenNanos = clock.nanoTime() - started;
        LOG.debug("node {}: snapshot at {} taken, {} bytes", config.id(), info.index(), info.sizeBytes());
        compact();
        maybeTake(appliedSeen); // the state is at appliedSeen now: one due meanwhile is taken of it
    }

    /**
     * Compacts the log to the newest snapshot below the log start, if that moved, and deletes
     * the snapshots that are no longer needed: those older than it, and those between it and the
     * newest (a restart uses the newest; a follower catching up gets the one the log starts after).
     */
    void compact() {
        long start = retention.logStart();
        List<SnapshotInfo> all = store.list();
        SnapshotInfo anchor = null;
        for (SnapshotInfo info : all) {
            if (info.index() < start) {
                anchor = info;
            }
        }
        if (anchor != null && anchor.index() > floor && anchor.index() <= raft.stableIndex()) {
            raft.compact(anchor.index(), anchor.term());
            writer.truncatePrefix(anchor.index() + 1);
            floor = anchor.index();
        }
        // Kept: the one the log starts after, and those at or above the log start — each the
        // anchor of a later compaction, when the log start passes it — thinned to every other
        // one, the newest always kept, once there are more than MAX_ABOVE_START of them.
        SnapshotInfo newest = all.isEmpty() ? null : all.get(all.size() - 1);
        List<SnapshotInfo> above = new java.util.ArrayList<>();
        for (SnapshotInfo info : all) {
            if (info.index() >= start && info.index() > floor) {
                above.add(info);
            } else if (info.index() != floor && !isSending(info.index())) {
                store.delete(info.index());
            }
        }
        if (above.size() > MAX_ABOVE_START) {
            for (int i = 0; i < above.size() - 1; i += 2) {
                SnapshotInfo thinned = above.get(i);
                if (thinned.index() != newest.index() && !isSending(thinned.index())) {
                    store.delete(thinned.index());
                }
            }
        }
    }

    private boolean isSending(long index) {
        if (checking.contains(index)) {
            return true;
        }
        for (Outgoing out : outgoing.values()) {
            if (out.info.index() == index) {
                return true;
            }
        }
        return false;
    }

    /** The index the log is compacted to (0 if it is whole). */
    long floor() {
        return floor;
    }

    // ------------------------------------------------------------------ sending

    /** A follower's transfer, on the leader. */
    private final class Outgoing {
        final NodeId peer;
        final SnapshotInfo info;
        /** The snapshot the protocol asked for (info's, unless that one was damaged). */
        final long requested;

        final SnapshotStore.SnapshotReader reader;
        /** The offset the follower has confirmed, and the next to send. */
        long acked;

        long next;
        long lastHeardNanos;
        boolean sentEmpty;
        /** Answers in a row that confirmed nothing new while chunks were in flight. */
        int repeats;

        Outgoing(NodeId peer, SnapshotInfo info, long requested, SnapshotStore.SnapshotReader reader) {
            this.peer = peer;
            this.info = info;
            this.requested = requested;
            this.reader = reader;
            this.lastHeardNanos = clock.nanoTime();
        }

        void pump() {
            long window = (long) log.snapshotChunkBytes() * log.snapshotWindowChunks();
            long size = info.sizeBytes();
            while (next - acked < window && (next < size || (size == 0 && !sentEmpty))) {
                int length = (int) Math.min(chunkBytes, size - next);
                ByteBuffer chunk = ByteBuffer.allocate(length);
                while (chunk.hasRemaining()) {
                    if (reader.read(next + chunk.position(), chunk) <= 0) {
                        throw new StorageException("snapshot " + info.index() + " in " + store.location()
                                + " ended early while being sent to " + peer);
                    }
                }
                chunk.flip();
                boolean last = next + length == size;
                transport.send(List.of(new InstallSnapshotRequest(
                        config.id(),
                        peer,
                        raft.term(),
                        info.index(),
                        info.term(),
                        size,
                        next,
                        Bytes.wrap(chunk),
                        last)));
                metrics.bytesSent += length;
                next += length;
                sentEmpty = true;
            }
        }

        void close() {
            reader.close();
        }
    }

    /**
     * The protocol asks for a snapshot to be sent (again): a transfer under way resumes; one the
     * follower confirmed whole starts over.
     */
    void send(Ready.SnapshotToSend request) {
        Outgoing current = outgoing.get(request.peer());
        if (current != null && current.requested == request.index()) {
            if (current.acked > 0 && current.acked >= current.info.sizeBytes()) {
                // It has every byte, yet the protocol still asks: the answer that it installed the
                // snapshot was lost, or a late refusal made the leader doubt it holds the entries.
                // Resuming would send nothing, and the leader would never hear from it again. From
                // the start, then: a follower that installed it answers the first chunk with its
                // commit index; one that lost it receives it anew.
                current.acked = 0;
            }
            current.next = current.acked; // whatever was in flight may be lost: resend from the confirmed offset
            current.sentEmpty = false;
            current.pump();
            return;
        }
        if (current != null) {
            current.close();
            outgoing.remove(request.peer());
        }
        SnapshotInfo info = null;
        for (SnapshotInfo candidate : store.list()) {
            if (candidate.index() == request.index() && candidate.term() == request.term()) {
                info = candidate;
            }
        }
        if (info == null) {
            LOG.error(
                    "node {}: {} needs the snapshot at {}, which the log starts after, but {} does not hold it",
                    config.id(),
                    request.peer(),
                    request.index(),
                    store.location());
            return;
        }
        offer(request, info);
    }

    /**
     * Starts sending {@code info} for {@code request} once it is known intact. The check reads the
     * whole snapshot, so it runs on the background executor, never on the loop, and once per
     * snapshot: files are never rewritten, and a copy that rotted after its check is caught by the
     * follower, whose refusal makes it checked again ({@link #answered}).
     */
    private void offer(Ready.SnapshotToSend request, SnapshotInfo info) {
        if (info.index() == verifiedIndex) {
            start(request, info);
            return;
        }
        if (!checking.add(info.index())) {
            return; // being checked: the protocol asks again while it still wants it sent
        }
        background.execute(() -> {
            boolean intact = intact(info);
            toLoop.accept(() -> checked(request, info, intact));
        });
    }

    private void checked(Ready.SnapshotToSend request, SnapshotInfo info, boolean intact) {
        checking.remove(info.index());
        if (intact) {
            verifiedIndex = info.index();
            if (raft.sendingSnapshot(request.peer(), request.index()) && !outgoing.containsKey(request.peer())) {
                start(request, info);
            }
            return;
        }
        // Rotted at rest: sent, it would be refused forever. The newest intact one past it still
        // brings the follower to a state it can go on from, without the records between.
        LOG.error(
                "node {}: snapshot {} in {} is damaged; sending {} its newest intact snapshot instead,"
                        + " without the records between the two",
                config.id(),
                info.index(),
                store.location(),
                request.peer());
        store.delete(info.index());
        SnapshotInfo newer = null;
        for (SnapshotInfo candidate : store.list()) {
            if (candidate.index() > request.index() && candidate.index() <= raft.commitIndex()) {
                newer = candidate;
            }
        }
        if (newer == null) {
            LOG.error(
                    "node {}: no intact snapshot in {} can bring {} past index {}",
                    config.id(),
                    store.location(),
                    request.peer(),
                    request.index());
        } else {
            offer(request, newer); // checked in turn; a damaged one is deleted and the next older tried
        }
    }

    private void start(Ready.SnapshotToSend request, SnapshotInfo info) {
        Outgoing transfer = new Outgoing(request.peer(), info, request.index(), store.open(info.index()));
        outgoing.put(request.peer(), transfer);
        if (!Long.valueOf(info.index()).equals(lastSent.put(request.peer(), info.index()))) {
            LOG.info(
                    "node {}: sending snapshot {} ({} bytes) to {}, whose log ends before this one starts",
                    config.id(),
                    info.index(),
                    info.sizeBytes(),
                    request.peer());
            metrics.sent++;
        }
        transfer.pump();
    }

    private boolean intact(SnapshotInfo info) {
        try (SnapshotStore.SnapshotReader reader = store.open(info.index())) {
            SnapshotFile.verify(reader, store.location());
            return true;
        } catch (StorageException | IllegalArgumentException damagedOrGone) {
            return false;
        }
    }

    /** A follower confirmed chunks (or said where to resume). */
    void answered(InstallSnapshotResponse response) {
        Outgoing transfer = outgoing.get(response.from());
        if (transfer == null || transfer.info.index() != response.snapshotIndex()) {
            return;
        }
        if (response.refused()) {
            finish(transfer);
            return;
        }
        long confirmed = Math.min(response.nextOffset(), transfer.info.sizeBytes());
        if (confirmed == 0 && transfer.acked > 0) {
            // It starts over: restarted, or it refused what it received (its checksum failed).
            // The next request checks the snapshot again before sending: resending the same bytes
            // from a copy that rotted here would go on forever.
            verifiedIndex = -1;
            finish(transfer);
            return;
        }
        if (confirmed > transfer.acked) {
            transfer.lastHeardNanos = clock.nanoTime(); // the resend timer runs from the last progress
            transfer.repeats = 0;
        } else if (confirmed == transfer.acked && transfer.next > confirmed && ++transfer.repeats >= 2) {
            // It keeps expecting the same offset while more is in flight: a chunk was lost (it
            // answers every chunk past a gap with where the gap is). Resend from there now.
            transfer.next = confirmed;
            transfer.sentEmpty = false;
            transfer.repeats = 0;
        }
        if (confirmed < transfer.acked || confirmed > transfer.next) {
            transfer.next = confirmed; // it lost what it had, or holds more than we sent: go from there
            transfer.sentEmpty = false;
        }
        transfer.acked = confirmed;
        transfer.next = Math.max(transfer.next, confirmed);
        transfer.pump();
    }

    /** Each tick on the leader: ends transfers no longer wanted, resends stalled ones. */
    void tick() {
        if (outgoing.isEmpty()) {
            return;
        }
        long resendAfter = config.tickInterval().toNanos() * config.protocol().electionTicks() / 2;
        Iterator<Outgoing> transfers = outgoing.values().iterator();
        while (transfers.hasNext()) {
            Outgoing transfer = transfers.next();
            if (!raft.sendingSnapshot(transfer.peer, transfer.requested)) {
                transfer.close();
                transfers.remove();
            } else if (clock.nanoTime() - transfer.lastHeardNanos > resendAfter && transfer.next > transfer.acked) {
                transfer.next = transfer.acked;
                transfer.sentEmpty = false;
                transfer.lastHeardNanos = clock.nanoTime();
                transfer.pump();
            }
        }
    }

    private void finish(Outgoing transfer) {
        transfer.close();
        outgoing.remove(transfer.peer);
    }

    // ------------------------------------------------------------------ receiving

    /** A transfer from the leader, on a follower. */
    private static final class Incoming {
        final NodeId leader;
        final long index;
        final long term;
        final long total;
        final SnapshotStore.SnapshotWriter out;
        long received;
        boolean committing;

        Incoming(NodeId leader, long index, long term, long total, SnapshotStore.SnapshotWriter out) {
            this.leader = leader;
            this.index = index;
            this.term = term;
            this.total = total;
            this.out = out;
        }
    }

    /** A chunk the protocol wants written (see {@link RaftProtocol#wantsSnapshot}). */
    void chunk(InstallSnapshotRequest chunk, Restorer restorer) {
        Incoming current = incoming;
        boolean same = current != null
                && current.index == chunk.snapshotIndex()
                && current.term == chunk.snapshotTerm()
                && current.total == chunk.totalBytes();
        if (!same) {
            if (current != null && !current.committing) {
                current.out.abort();
            }
            incoming = null;
            if (chunk.offset() != 0) {
                answer(chunk, 0); // start from the beginning
                return;
            }
            SnapshotInfo held = held(chunk.snapshotIndex(), chunk.snapshotTerm(), chunk.totalBytes());
            if (held != null) {
                // Received before (then not installed, or installed before a crash): install it again.
                answer(chunk, chunk.totalBytes());
                received(held, restorer);
                return;
            }
            current = new Incoming(
                    chunk.from(),
                    chunk.snapshotIndex(),
                    chunk.snapshotTerm(),
                    chunk.totalBytes(),
                    store.create(chunk.snapshotIndex(), chunk.snapshotTerm()));
            incoming = current;
            LOG.info(
                    "node {}: receiving snapshot {} ({} bytes) from {}",
                    config.id(),
                    chunk.snapshotIndex(),
                    chunk.totalBytes(),
                    chunk.from());
        }
        if (current.committing) {
            answer(chunk, current.received);
            return;
        }
        if (chunk.offset() != current.received) {
            answer(chunk, current.received); // a gap or a repeat: say where to go on from
            return;
        }
        current.out.write(chunk.data().asReadOnlyBuffer());
        current.received += chunk.data().size();
        metrics.bytesReceived += chunk.data().size();
        answer(chunk, current.received);
        if (chunk.last()) {
            current.committing = true;
            Incoming done = current;
            background.execute(() -> {
                SnapshotInfo info = null;
                RuntimeException failure = null;
                try {
                    info = done.out.commit();
                    try (SnapshotStore.SnapshotReader reader = store.open(info.index())) {
                        SnapshotFile.verify(reader, store.location());
                    }
                } catch (RuntimeException e) {
                    failure = e;
                    if (info != null) {
                        store.delete(info.index());
                    }
                }
                SnapshotInfo verified = info;
                RuntimeException failed = failure;
                toLoop.accept(() -> {
                    if (incoming == done) {
                        incoming = null;
                    }
                    if (failed != null) {
                        LOG.warn(
                                "node {}: the snapshot {} received from {} is refused ({}); asking for it again",
                                config.id(),
                                done.index,
                                done.leader,
                                failed.getMessage());
                        transport.send(List.of(new InstallSnapshotResponse(
                                config.id(), done.leader, raft.term(), done.index, 0, false)));
                    } else {
                        received(verified, restorer);
                    }
                });
            });
        }
    }

    private SnapshotInfo held(long index, long term, long size) {
        for (SnapshotInfo info : store.list()) {
            if (info.index() == index && info.term() == term && info.sizeBytes() == size) {
                return info;
            }
        }
        return null;
    }

    /** A verified snapshot from the leader is here: install it (the protocol decides whether to). */
    private void received(SnapshotInfo info, Restorer restorer) {
        metrics.received++;
        if (raft.installSnapshot(info.index(), info.term())) {
            writer.reset(info.index(), info.term());
            floor = info.index();
            restore(info, restorer, true);
            LOG.info("node {}: installed snapshot {}; the log goes on after it", config.id(), info.index());
        }
        if (latest == null || info.index() > latest.index()) {
            latest = info;
        }
    }

    private void answer(InstallSnapshotRequest chunk, long nextOffset) {
        transport.send(List.of(new InstallSnapshotResponse(
                config.id(), chunk.from(), raft.term(), chunk.snapshotIndex(), nextOffset, false)));
    }

    /** Closes open readers and abandons a transfer being received. */
    void close() {
        outgoing.values().forEach(Outgoing::close);
        outgoing.clear();
        Incoming current = incoming;
        if (current != null && !current.committing) {
            current.out.abort();
        }
        incoming = null;
    }
}
