package io.raftlog.testkit.sim;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.Role;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.core.protocol.ProtocolConfig;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.protocol.Ready;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a whole Raft cluster on virtual time from one seed: every node's protocol, a network that
 * delays, drops, duplicates and reorders messages and can be partitioned (both ways or one way),
 * disks that complete writes in order after a delay and sometimes fail one (the node stops, as a
 * real node does on a storage error), crash-restarts that lose every write not yet durable, and a
 * client appending records. {@link SafetyChecker} checks Raft's invariants at every
 * event. After the fault phase the cluster must elect a leader, converge and commit every record
 * appended since, within a bound of virtual time (liveness).
 *
 * <p>Everything random comes from the seed, so {@code run(seed)} replays exactly.
 */
public final class Simulation {
    private enum Kind {
        TICK,
        DELIVER,
        PERSIST,
        CLIENT,
        FAULT,
        CALM
    }

    private record Event(
            long time, long sequence, Kind kind, SimNode node, int incarnation, RaftMessage message, Ready ready)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }

        @Override
        public String toString() {
            String subject = message != null
                    ? message.toString()
                    : ready != null
                            ? "entries=" + ready.entries().size() + " hardState=" + ready.hardState() + " after="
                                    + ready.messagesAfterPersist()
                            : "";
            return time + "ms " + kind + (node != null ? " " + node.id : "") + " " + subject;
        }
    }

    private final long seed;
    private final SimulationOptions options;
    private final SplittableRandom random;
    private final ProtocolConfig config;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<NodeId> members = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final SafetyChecker checker = new SafetyChecker();
    private final SimClient client;
    private final Set<Long> blockedLinks = new HashSet<>();
    private final Event[] trace = new Event[64];
    private final double dropRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final int maxDelay;
    private final int maxDiskDelay;
    /** Mean virtual time between two faults: some seeds churn hard, others barely. */
    private final int faultInterval;
    /** Probability that a write fails, stopping its node. */
    private final double diskErrorRate;
    /** Per directed link, when its last message arrives: links are FIFO (like TCP) unless reordered. */
    private final long[] linkArrival = new long[64 * 64];

    private long now;
    private long sequence;
    private long events;
    private long messagesSent;
    private int crashes;
    private boolean calm;

    private Simulation(long seed, SimulationOptions options) {
        this.seed = seed;
        this.options = options;
        this.random = new SplittableRandom(seed);
        int size = options.minNodes() + random.nextInt(options.maxNodes() - options.minNodes() + 1);
        for (int i = 1; i <= size; i++) {
            SimNode node = new SimNode(NodeId.of("n" + i));
            nodes.add(node);
            members.add(node.id);
        }
        ProtocolConfig base = ProtocolConfig.defaults();
        this.config = base.withPreVote(random.nextInt(4) != 0)
                .withCheckQuorum(random.nextInt(4) != 0)
                .withInflightLimits(2 + random.nextInt(15), base.maxInflightBytes())
                .withAppendLimits(4 + random.nextInt(61), base.maxAppendBytes())
                // Small enough that the backlog drains within the settle time at the slowest
                // drawn pipeline (2 messages of 4 entries per round trip).
                .withMaxUncommittedBytes(64 + random.nextInt(2048));
        this.dropRate = random.nextDouble() * options.maxDropRate();
        this.duplicateRate = random.nextDouble() * options.maxDuplicateRate();
        this.reorderRate = random.nextDouble() * options.maxReorderRate();
        this.maxDelay = 1 + random.nextInt(options.maxDelayMillis());
        this.maxDiskDelay = 1 + random.nextInt(20);
        this.faultInterval = 10 + random.nextInt(300);
        this.diskErrorRate = options.crashes() ? random.nextDouble() * 0.01 : 0;
        this.client = new SimClient(checker, members.get(random.nextInt(size)));
    }

    /** Runs the simulation for {@code seed} with default options. */
    public static SimulationResult run(long seed) {
        return run(seed, SimulationOptions.defaults());
    }

    /**
     * Runs the simulation for {@code seed}.
     *
     * @throws SimulationFailure naming the seed if an invariant breaks or the cluster does not
     *                           recover within the bound
     */
    public static SimulationResult run(long seed, SimulationOptions options) {
        Simulation simulation = new Simulation(seed, options);
        try {
            return simulation.execute();
        } catch (SimulationFailure failure) {
            throw failure;
        } catch (RuntimeException | AssertionError error) {
            throw new SimulationFailure(seed, String.valueOf(error.getMessage()), simulation.traceText(), error);
        }
    }

    private SimulationResult execute() {
        for (SimNode node : nodes) {
            start(node);
        }
        schedule(random.nextInt(20), Kind.CLIENT, null, null);
        schedule(50 + random.nextInt(200), Kind.FAULT, null, null);
        schedule(options.chaosMillis(), Kind.CALM, null, null);
        long end = options.chaosMillis() + options.calmMillis() + options.settleMillis();
        while (!queue.isEmpty() && queue.peek().time() <= end) {
            Event event = queue.poll();
            now = event.time();
            trace[(int) (events++ % trace.length)] = event;
            handle(event);
        }
        checkRecovered();
        return new SimulationResult(
                seed,
                nodes.size(),
                events,
                messagesSent,
                checker.elections(),
                crashes,
                client.acknowledged,
                checker.committedIndex());
    }

    private void handle(Event event) {
        SimNode node = event.node();
        switch (event.kind()) {
            case TICK -> {
                if (node.up() && node.incarnation == event.incarnation()) {
                    node.raft.tick();
                    drive(node);
                    schedule(options.tickMillis(), Kind.TICK, node, null);
                }
            }
            case DELIVER -> {
                SimNode target = node(event.message().to());
                if (target.up() && !blocked(event.message())) {
                    target.raft.step(event.message());
                    drive(target);
                }
            }
            case PERSIST -> {
                if (node.incarnation == event.incarnation()) {
                    if (!calm && event.ready().mustPersist() && random.nextDouble() < diskErrorRate) {
                        // The write fails (an I/O error, a full disk): the node stops rather than
                        // go on with a log it cannot trust, and restarts later from what is durable.
                        crash(node);
                    } else {
                        completeWrite(node, event.ready());
                    }
                }
            }
            case CLIENT -> {
                // After the calm phase the client only retries records that were refused.
                boolean fresh = now < options.chaosMillis() + options.calmMillis();
                clientAppend(fresh ? 1 + random.nextInt(3) : 0);
                schedule(1 + random.nextInt(25), Kind.CLIENT, null, null);
            }
            case FAULT -> {
                if (!calm) {
                    injectFault();
                    schedule(1 + random.nextInt(2 * faultInterval), Kind.FAULT, null, null);
                }
            }
            case CALM -> {
                calm = true;
                blockedLinks.clear();
                for (SimNode down : nodes) {
                    if (!down.up()) {
                        start(down);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ node driver

    private void start(SimNode node) {
        node.store = new InMemoryLogStore(node.volume);
        node.raft = new RaftProtocol(node.id, members, config, node.store, new SplittableRandom(random.nextLong()));
        node.appliedIndex = 0;
        node.lastHandedIndex = node.store.lastIndex();
        // Rebuilt from what survived: a crash may have lost writes that had truncated and replaced
        // part of the log, so the hashes of what the node handed out no longer describe its disk.
        node.prefixHashes.rebuild(node.store);
        node.diskFreeAt = now;
        schedule(1 + random.nextInt(options.tickMillis()), Kind.TICK, node, null);
    }

    private void crash(SimNode node) {
        crashes++;
        node.incarnation++;
        node.raft = null;
        node.store.close();
        node.ledTerm = -1;
        client.crashed(node.id);
    }

    /** Does what the protocol asks until it has nothing more (the runtime's event-loop step). */
    private void drive(SimNode node) {
        RaftProtocol raft = node.raft;
        if (raft.role() == Role.LEADER && node.ledTerm != raft.term()) {
            node.ledTerm = raft.term();
            checker.onLeader(node.id, raft.term(), new SafetyChecker.LogView() {
                @Override
                public long lastIndex() {
                    return raft.lastIndex();
                }

                @Override
                public long termAt(long index) {
                    return raft.termAt(index);
                }
            });
        }
        while (raft.hasReady()) {
            Ready ready = raft.ready();
            if (!ready.entries().isEmpty()) {
                checker.onEntries(
                        node.id, raft.role() == Role.LEADER, node.lastHandedIndex, ready.entries(), node.prefixHashes);
                node.lastHandedIndex = ready.lastEntry().index();
            }
            ready.messages().forEach(this::send);
            if (ready.mustPersist() || !ready.messagesAfterPersist().isEmpty()) {
                // The disk completes writes in order, never before the previous one; a Ready with
                // nothing to write only waits for the writes before it.
                node.diskFreeAt =
                        Math.max(node.diskFreeAt, now) + (ready.mustPersist() ? random.nextInt(maxDiskDelay) : 0);
                scheduleAt(node.diskFreeAt, Kind.PERSIST, node, null, ready);
            }
            apply(node, ready.commitIndex());
        }
    }

    private void completeWrite(SimNode node, Ready ready) {
        ready.hardState().ifPresent(node.store::saveHardState);
        LogEntry last = ready.lastEntry();
        if (last != null) {
            long first = ready.entries().get(0).index();
            if (first <= node.store.lastIndex()) {
                node.store.truncateSuffix(first);
            }
            node.store.append(ready.entries());
        }
        ready.messagesAfterPersist().forEach(this::send);
        if (last != null) {
            node.raft.persisted(last.index(), last.term(), ready.logEpoch());
        }
        drive(node);
    }

    private void apply(SimNode node, long commitIndex) {
        while (node.appliedIndex < commitIndex) {
            List<LogEntry> entries = node.store.read(
                    node.appliedIndex + 1, (int) Math.min(1024, commitIndex - node.appliedIndex), Long.MAX_VALUE);
            checker.onApply(node.id, entries);
            client.applied(node.id, node.incarnation, entries);
            node.appliedIndex = entries.get(entries.size() - 1).index();
        }
    }

    // ------------------------------------------------------------------ client

    private void clientAppend(int freshRecords) {
        SimNode target = node(client.target);
        if (!target.up()) {
            client.target = members.get(random.nextInt(members.size()));
            return;
        }
        List<Bytes> batch = client.nextBatch(freshRecords, seed, calm);
        if (batch.isEmpty()) {
            return;
        }
        try {
            long first = target.raft.propose(batch);
            client.accepted(target.id, target.incarnation, first, target.raft.term(), batch);
            drive(target);
        } catch (NotLeaderException e) {
            client.refused(batch, calm);
            client.target = e.leaderHint().orElse(members.get(random.nextInt(members.size())));
        } catch (OverloadedException e) {
            client.refused(batch, calm);
        }
    }

    // ------------------------------------------------------------------ network and faults

    private void send(RaftMessage message) {
        messagesSent++;
        if (blocked(message) || (!calm && random.nextDouble() < dropRate)) {
            return;
        }
        deliverLater(message);
        if (!calm && random.nextDouble() < duplicateRate) {
            deliverLater(message);
        }
    }

    private void deliverLater(RaftMessage message) {
        int link = (int) link(message.from(), message.to());
        long arrival = now + 1 + random.nextInt(maxDelay);
        if (calm || random.nextDouble() >= reorderRate) {
            arrival = Math.max(arrival, linkArrival[link]);
            linkArrival[link] = arrival;
        }
        queue.add(new Event(arrival, sequence++, Kind.DELIVER, null, 0, message, null));
    }

    private boolean blocked(RaftMessage message) {
        return blockedLinks.contains(link(message.from(), message.to()));
    }

    private long link(NodeId from, NodeId to) {
        return members.indexOf(from) * 64L + members.indexOf(to);
    }

    private void injectFault() {
        int choice = random.nextInt(12);
        if (choice >= 10 && options.crashes()) {
            // Aim at the moments that matter: a leader, or a node with a write in flight.
            SimNode victim = null;
            for (SimNode node : nodes) {
                if (node.up() && (choice == 10 ? node.raft.role() == Role.LEADER : node.diskFreeAt > now)) {
                    victim = node;
                }
            }
            if (victim != null) {
                crash(victim);
            }
            return;
        }
        if (choice <= 1) {
            // Symmetric partition into two random sides.
            blockedLinks.clear();
            List<NodeId> side = new ArrayList<>();
            for (NodeId member : members) {
                if (random.nextBoolean()) {
                    side.add(member);
                }
            }
            for (NodeId a : members) {
                for (NodeId b : members) {
                    if (side.contains(a) != side.contains(b)) {
                        blockedLinks.add(link(a, b));
                    }
                }
            }
        } else if (choice == 2) {
            // One-way partition: a can no longer reach b, but b still reaches a.
            NodeId a = members.get(random.nextInt(members.size()));
            NodeId b = members.get(random.nextInt(members.size()));
            if (!a.equals(b)) {
                blockedLinks.add(link(a, b));
            }
        } else if (choice <= 4) {
            blockedLinks.clear();
        } else if (choice <= 6 && options.crashes()) {
            SimNode node = nodes.get(random.nextInt(nodes.size()));
            if (node.up()) {
                crash(node);
            } else {
                start(node);
            }
        } else if (choice == 7) {
            for (SimNode node : nodes) {
                if (!node.up()) {
                    start(node);
                }
            }
        }
        // Otherwise: nothing changes for a while.
    }

    // ------------------------------------------------------------------ liveness and final checks

    private void checkRecovered() {
        List<SimNode> leaders =
                nodes.stream().filter(node -> node.raft.role() == Role.LEADER).toList();
        long maxTerm = nodes.stream().mapToLong(node -> node.raft.term()).max().orElse(0);
        SimNode leader = leaders.stream()
                .filter(node -> node.raft.term() == maxTerm)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "liveness: no leader in term " + maxTerm + " after the faults stopped: " + describeNodes()));
        long last = leader.raft.lastIndex();
        for (SimNode node : nodes) {
            if (node.raft.commitIndex() != last || node.raft.lastIndex() != last || node.appliedIndex != last) {
                throw new IllegalStateException("liveness: logs did not converge by the end: " + describeNodes());
            }
            if (!node.raft.leader().equals(java.util.Optional.of(leader.id))) {
                throw new IllegalStateException(
                        "liveness: " + node.id + " does not follow leader " + leader.id + ": " + describeNodes());
            }
        }
        List<Bytes> missing = client.unacknowledgedCalmRecords();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("liveness: " + missing.size() + " records appended after the faults are not"
                    + " acknowledged, e.g. " + missing.get(0) + ": " + describeNodes());
        }
        Set<Bytes> seen = new HashSet<>();
        for (long index = 1; index <= checker.committedIndex(); index++) {
            LogEntry entry = checker.committedAt(index);
            if (entry.type() == EntryType.DATA && !seen.add(entry.payload())) {
                throw new IllegalStateException(
                        "record " + entry.payload().toUtf8() + " committed twice (again at " + index + ")");
            }
        }
        for (Map.Entry<Long, Bytes> ack : checker.acknowledged().entrySet()) {
            for (SimNode node : nodes) {
                List<LogEntry> entry = node.store.read(ack.getKey(), 1, Long.MAX_VALUE);
                if (!entry.get(0).payload().equals(ack.getValue())) {
                    throw new IllegalStateException("acknowledged record " + ack.getValue() + " at offset "
                            + ack.getKey() + " is not in the log of " + node.id);
                }
            }
        }
    }

    private String describeNodes() {
        StringBuilder text = new StringBuilder();
        for (SimNode node : nodes) {
            text.append(node.up() ? node.raft.toString() : node.id + "{down}").append(' ');
        }
        return text.toString();
    }

    private String traceText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < trace.length; i++) {
            Event event = trace[(int) ((events + i) % trace.length)];
            if (event != null) {
                text.append("  ").append(event).append('\n');
            }
        }
        return text.append("nodes: ").append(describeNodes()).toString();
    }

    private SimNode node(NodeId id) {
        return nodes.get(members.indexOf(id));
    }

    private void schedule(long delay, Kind kind, SimNode node, RaftMessage message) {
        queue.add(new Event(now + delay, sequence++, kind, node, node == null ? 0 : node.incarnation, message, null));
    }

    private void scheduleAt(long time, Kind kind, SimNode node, RaftMessage message, Ready ready) {
        queue.add(new Event(time, sequence++, kind, node, node.incarnation, message, ready));
    }
}
