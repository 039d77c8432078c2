package io.raftlog.core.protocol;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.Role;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A synchronous, in-process cluster for protocol tests (after etcd's {@code network} in
 * raft_test.go): every node's Ready is persisted at once, messages wait in one FIFO queue until
 * {@link #deliverAll()} hands them over, and links can be cut, nodes isolated, and messages
 * dropped or held by a predicate. Fully deterministic: no threads, no clock.
 */
final class TestCluster {
    /** A bound on deliveries (and Ready rounds) in one call, so a livelock fails a test instead of hanging it. */
    private static final int MAX_STEPS = 1_000_000;

    final Map<NodeId, RaftProtocol> nodes = new LinkedHashMap<>();
    final Map<NodeId, InMemoryLogStore> stores = new LinkedHashMap<>();
    final List<NodeId> ids;
    final ProtocolConfig config;
    private final long seed;
    private final ArrayDeque<RaftMessage> queue = new ArrayDeque<>();
    /** Every message ever put on the wire, in order, for assertions. */
    final List<RaftMessage> sent = new ArrayList<>();
    /** The messages that left from {@link Ready#messages()}, before their Ready was persisted. */
    final List<RaftMessage> sentBeforePersist = new ArrayList<>();
    /**
     * Of those, acknowledgements of entries the sender's disk did not hold when they left: an
     * early acknowledgement (a heartbeat's) may promise only what is already durable.
     */
    final List<RaftMessage> earlyAcknowledgementsBeyondDisk = new ArrayList<>();

    private final Set<List<NodeId>> cutLinks = new HashSet<>();
    private Predicate<RaftMessage> drop = message -> false;
    private Predicate<RaftMessage> hold = message -> false;
    private final List<RaftMessage> held = new ArrayList<>();

    TestCluster(int size, ProtocolConfig config, long seed) {
        List<NodeId> members = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            members.add(NodeId.of("n" + i));
        }
        this.ids = List.copyOf(members);
        this.config = config;
        this.seed = seed;
        for (NodeId id : ids) {
            InMemoryLogStore store = new InMemoryLogStore();
            stores.put(id, store);
            nodes.put(id, new RaftProtocol(id, ids, config, store, new SplittableRandom(seed + id.hashCode())));
        }
    }

    TestCluster(int size, ProtocolConfig config) {
        this(size, config, 42);
    }

    static NodeId id(int n) {
        return NodeId.of("n" + n);
    }

    RaftProtocol node(int n) {
        return nodes.get(id(n));
    }

    /** Restarts node {@code n} from what its store holds (everything it persisted survives). */
    RaftProtocol restart(int n) {
        NodeId id = id(n);
        InMemoryLogStore old = stores.get(id);
        old.close();
        InMemoryLogStore reopened = new InMemoryLogStore(old.volume());
        stores.put(id, reopened);
        RaftProtocol fresh = ids.contains(id)
                ? new RaftProtocol(id, ids, config, reopened, new SplittableRandom(seed * 31 + id.hashCode()))
                : new RaftProtocol(
                        id,
                        io.raftlog.api.Membership.ofVoters(ids),
                        0,
                        config,
                        reopened,
                        new SplittableRandom(seed * 31 + id.hashCode()),
                        0);
        nodes.put(id, fresh);
        queue.removeIf(message -> message.to().equals(id));
        return fresh;
    }

    /** Replaces node {@code n}'s log (and term) before anything runs, for log-shape scenarios. */
    void setLog(int n, long term, long... entryTerms) {
        NodeId id = id(n);
        InMemoryLogStore store = new InMemoryLogStore();
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < entryTerms.length; i++) {
            entries.add(entry(i + 1, entryTerms[i]));
        }
        store.append(entries);
        store.saveHardState(new io.raftlog.api.spi.storage.HardState(term, java.util.Optional.empty()));
        stores.put(id, store);
        nodes.put(id, new RaftProtocol(id, ids, config, store, new SplittableRandom(seed + id.hashCode())));
    }

    /**
     * The data entry every helper creates for ({@code index}, {@code term}): the same on every node,
     * as Log Matching requires of entries with the same index and term.
     */
    static LogEntry entry(long index, long term) {
        return LogEntry.data(index, term, Bytes.ofUtf8(index + "@" + term));
    }

    void cut(int a, int b) {
        cutLinks.add(List.of(id(a), id(b)));
        cutLinks.add(List.of(id(b), id(a)));
    }

    /**
     * Starts node {@code n}, not in the bootstrap membership, on an empty store: a node about to be
     * added. It knows the bootstrap voters and follows whichever leader replicates to it.
     */
    RaftProtocol addNode(int n) {
        NodeId id = id(n);
        InMemoryLogStore store = new InMemoryLogStore();
        stores.put(id, store);
        RaftProtocol raft = new RaftProtocol(
                id,
                io.raftlog.api.Membership.ofVoters(ids),
                0,
                config,
                store,
                new SplittableRandom(seed + id.hashCode()),
                0);
        nodes.put(id, raft);
        return raft;
    }

    void isolate(int n) {
        for (NodeId other : List.copyOf(nodes.keySet())) {
            if (!other.equals(id(n))) {
                cutLinks.add(List.of(id(n), other));
                cutLinks.add(List.of(other, id(n)));
            }
        }
    }

    void heal() {
        cutLinks.clear();
        drop = message -> false;
    }

    /** Drops (forever) every message matching {@code predicate} from now on. */
    void dropIf(Predicate<RaftMessage> predicate) {
        drop = predicate;
    }

    /**
     * From now on, puts every message matching {@code predicate} aside instead of queueing it (it
     * is neither delivered nor lost) until {@link #release} hands it back; replaces any earlier
     * hold predicate. {@code holdIf(message -> false)} stops holding.
     */
    void holdIf(Predicate<RaftMessage> predicate) {
        hold = predicate;
    }

    /** The messages put aside by {@link #holdIf}, oldest first. */
    List<RaftMessage> held() {
        return List.copyOf(held);
    }

    /** Removes and returns the held messages matching {@code predicate}, oldest first (deliver them with {@link #deliver}). */
    List<RaftMessage> release(Predicate<RaftMessage> predicate) {
        List<RaftMessage> released = held.stream().filter(predicate).collect(Collectors.toList());
        held.removeAll(released);
        return released;
    }

    /** Collects and performs every node's Ready: persist at once, then queue the messages. */
    void processReadies() {
        boolean again = true;
        for (int round = 0; again; round++) {
            if (round > MAX_STEPS) {
                throw new AssertionError("nodes still have work after " + MAX_STEPS + " rounds: " + nodes.values());
            }
            again = false;
            for (Map.Entry<NodeId, RaftProtocol> entry : nodes.entrySet()) {
                RaftProtocol raft = entry.getValue();
                if (raft.hasReady()) {
                    again = true;
                    persistAndSend(stores.get(entry.getKey()), raft, raft.ready());
                }
            }
        }
    }

    static void persist(InMemoryLogStore store, Ready ready) {
        ready.hardState().ifPresent(store::saveHardState);
        if (!ready.entries().isEmpty()) {
            long first = ready.entries().get(0).index();
            if (first <= store.lastIndex()) {
                store.truncateSuffix(first);
            }
            store.append(ready.entries());
        }
    }

    /** Every read state each node's Ready carried, in order. */
    final Map<NodeId, List<Ready.ReadState>> readStates = new LinkedHashMap<>();

    /** The read states node {@code n}'s Readies carried so far. */
    List<Ready.ReadState> readStates(int n) {
        return readStates.getOrDefault(id(n), List.of());
    }

    private void persistAndSend(InMemoryLogStore store, RaftProtocol raft, Ready ready) {
        if (!ready.readStates().isEmpty()) {
            readStates.computeIfAbsent(raft.id(), node -> new ArrayList<>()).addAll(ready.readStates());
        }
        sentBeforePersist.addAll(ready.messages());
        for (RaftMessage message : ready.messages()) {
            if (message instanceof io.raftlog.api.message.AppendEntriesResponse ack
                    && ack.success()
                    && ack.index() > store.lastIndex()) {
                earlyAcknowledgementsBeyondDisk.add(message);
            }
        }
        ready.messages().forEach(this::send);
        persist(store, ready);
        ready.messagesAfterPersist().forEach(this::send);
        for (Ready.SnapshotToSend snapshot : ready.snapshotsToSend()) {
            // The snapshot's bytes are the driver's business: one empty chunk stands for them here.
            snapshotsSent.add(snapshot);
            send(new io.raftlog.api.message.InstallSnapshotRequest(
                    raft.id(),
                    snapshot.peer(),
                    raft.term(),
                    snapshot.index(),
                    snapshot.term(),
                    0,
                    0,
                    Bytes.EMPTY,
                    true));
        }
        LogEntry last = ready.lastEntry();
        if (last != null) {
            raft.persisted(last.index(), last.term(), ready.logEpoch());
        }
    }

    private void send(RaftMessage message) {
        sent.add(message);
        if (!nodes.containsKey(message.to())) {
            return; // no such node runs (yet): lost, as on a network
        }
        if (cutLinks.contains(List.of(message.from(), message.to())) || drop.test(message)) {
            return;
        }
        if (hold.test(message)) {
            held.add(message);
        } else {
            queue.add(message);
        }
    }

    /** Every snapshot a leader asked its driver to send, in order. */
    final List<Ready.SnapshotToSend> snapshotsSent = new ArrayList<>();

    /**
     * Steps {@code message} into its addressee and plays its driver for snapshot chunks: a chunk
     * the protocol wants is acknowledged, and the last one installed (the store reset if the log
     * is replaced).
     */
    private void stepAndDrive(RaftMessage message) {
        RaftProtocol raft = nodes.get(message.to());
        raft.step(message);
        if (message instanceof io.raftlog.api.message.InstallSnapshotRequest chunk && raft.wantsSnapshot(chunk)) {
            send(new io.raftlog.api.message.InstallSnapshotResponse(
                    raft.id(), chunk.from(), raft.term(), chunk.snapshotIndex(), chunk.totalBytes(), false));
            if (chunk.last()
                    && raft.installSnapshot(
                            chunk.snapshotIndex(),
                            chunk.snapshotTerm(),
                            nodes.get(chunk.from()).membershipAt(chunk.snapshotIndex()))) {
                stores.get(message.to()).reset(chunk.snapshotIndex(), chunk.snapshotTerm());
            }
        }
    }

    /** Leader {@code n} compacts its log up to {@code index}, as a driver holding a snapshot there would. */
    void compact(int n, long index) {
        RaftProtocol raft = node(n);
        raft.compact(index, raft.termAt(index));
        stores.get(id(n)).truncatePrefix(index + 1);
    }

    /** Messages waiting for delivery. */
    List<RaftMessage> pending() {
        return List.copyOf(queue);
    }

    /** Removes and returns the waiting messages matching {@code predicate} (they are not delivered). */
    List<RaftMessage> take(Predicate<RaftMessage> predicate) {
        List<RaftMessage> taken = queue.stream().filter(predicate).collect(Collectors.toList());
        queue.removeAll(taken);
        return taken;
    }

    /** Delivers one message now (it may be a held or crafted one). */
    void deliver(RaftMessage message) {
        stepAndDrive(message);
        processReadies();
    }

    /** Processes readies and delivers messages until nothing is left in flight. */
    void deliverAll() {
        processReadies();
        for (int delivered = 0; !queue.isEmpty(); delivered++) {
            if (delivered > MAX_STEPS) {
                throw new AssertionError(
                        "messages still flowing after " + MAX_STEPS + " deliveries: " + nodes.values());
            }
            RaftMessage message = queue.poll();
            stepAndDrive(message);
            processReadies();
        }
    }

    /** Ticks every node once, then delivers everything. */
    void tickAll() {
        nodes.values().forEach(RaftProtocol::tick);
        deliverAll();
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            tickAll();
        }
    }

    /** Ticks only node {@code n} until it leaves the follower role (it campaigns), then delivers. */
    void campaign(int n) {
        RaftProtocol raft = node(n);
        Role start = raft.role();
        for (int i = 0; i < 3 * config.electionTicks() && raft.role() == start; i++) {
            raft.tick();
        }
        deliverAll();
    }

    /** Makes node {@code n} the leader by letting it campaign; fails if it does not win. */
    RaftProtocol elect(int n) {
        campaign(n);
        RaftProtocol raft = node(n);
        if (raft.role() != Role.LEADER) {
            throw new AssertionError("n" + n + " did not become leader: " + raft);
        }
        return raft;
    }

    /**
     * Ticks only node {@code n}, delivering everything after each tick, until it leads or
     * {@code maxElections} election timeouts pass (a candidate may need several elections, e.g.
     * when the voters of its first term already voted for someone else).
     *
     * @return whether it became leader
     */
    boolean campaignUntilLeader(int n, int maxElections) {
        for (int i = 0; i < 2 * maxElections * config.electionTicks(); i++) {
            node(n).tick();
            deliverAll();
            if (node(n).role() == Role.LEADER) {
                return true;
            }
        }
        return false;
    }

    /** Proposes UTF-8 records on node {@code n}; returns the first index. */
    long propose(int n, String... records) {
        List<Bytes> payloads = new ArrayList<>();
        for (String record : records) {
            payloads.add(Bytes.ofUtf8(record));
        }
        return node(n).propose(payloads);
    }

    /** The whole log of node {@code n} (durable and not), as terms. */
    List<Long> terms(int n) {
        RaftProtocol raft = node(n);
        List<Long> terms = new ArrayList<>();
        for (long i = raft.firstIndex(); i <= raft.lastIndex(); i++) {
            terms.add(raft.termAt(i));
        }
        return terms;
    }

    List<LogEntry> log(int n) {
        RaftProtocol raft = node(n);
        return raft.lastIndex() < raft.firstIndex()
                ? List.of()
                : raft.entries(raft.firstIndex(), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    List<RaftProtocol> leaders() {
        return nodes.values().stream()
                .filter(raft -> raft.role() == Role.LEADER)
                .collect(Collectors.toList());
    }
}
