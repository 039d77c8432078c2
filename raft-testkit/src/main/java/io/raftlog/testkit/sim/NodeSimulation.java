package io.raftlog.testkit.sim;

import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.RaftException;
import io.raftlog.api.Role;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.LogWriter;
import io.raftlog.core.NodeClock;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.NodeLoop;
import io.raftlog.core.StoreVetting;
import io.raftlog.core.protocol.ProtocolConfig;
import io.raftlog.core.protocol.Ready;
import io.raftlog.core.storage.InMemoryLogStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a whole cluster of real nodes ({@link NodeLoop}: protocol, proposer, producer table, append
 * tracker, committed reads, chunked apply) on virtual time from one seed, with clients using the
 * public {@code ReplicatedLog} API. The simulator owns everything a node's threads would do: it
 * decides when each node runs, when each write becomes durable, and — independently — when the
 * messages that waited on a write leave and when its durability is reported back.
 *
 * <p>Faults, each with a per-seed probability: message loss, duplication, reordering and delay;
 * symmetric and one-way partitions; a maximum message size; bounded links that drop when full;
 * nodes paused for longer than an election timeout; clocks that drift, and wall clocks that jump
 * forward and back; slow fsyncs; writes that fail partway through a merged batch (the node stops,
 * as a real one does, and restarts later); crash-restarts that lose everything not yet durable;
 * lost disks (a blank restart, with {@code --rejoin} or as if new); restarts on an older copy of a
 * node's data that its peers' records give away (the start must be refused); bit flips in stored
 * entries; and leadership transfers at random moments. {@link SafetyChecker} and {@link SimWorkload} check
 * the invariants after every event and at the end.
 *
 * <p>Everything random comes from the seed, and all of it runs on the calling thread, so
 * {@code run(seed)} replays exactly.
 */
public final class NodeSimulation {
    static final long MS = 1_000_000L;
    private static final int TICK_MILLIS = 10;
    /** Of the write errors drawn (outside full-disk windows), the share that is fatal. */
    private static final double FATAL_SHARE = 0.2;

    enum Kind {
        RUN,
        DELIVER,
        WRITE,
        AFTER_PERSIST,
        REPORT,
        TIMER,
        CLIENT,
        FAULT,
        CALM,
        RESTART,
        CRASH,
        OPERATOR,
        RETIRE
    }

    record Event(long time, long sequence, Kind kind, Member member, int incarnation, Object payload)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }

        @Override
        public String toString() {
            return String.format(
                    "%.3fms %s%s %s",
                    time / 1e6, kind, member != null ? " " + member.id : "", payload == null ? "" : payload);
        }
    }

    private final long seed;
    private final NodeSimulationOptions options;
    final SplittableRandom random;
    private final List<NodeId> members = new ArrayList<>();
    final List<Member> nodes = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    final SafetyChecker checker = new SafetyChecker();
    final SimWorkload workload;
    final SimOperator operator;
    /** Most nodes a seed's operator adds (new ids), beyond the first members. */
    private static final int MAX_ADDED = 4;
    /** Room for every node a seed may have: the first members and those the operator adds. */
    private final int capacity;

    private final Event[] trace = new Event[Integer.getInteger("raftlog.sim.trace", 48)];
    private final NodeConfig baseConfig;

    // The seed's fault model.
    private final double dropRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final int maxDelayMillis;
    private final int maxDiskDelayMillis;
    /**
     * Longest delay between a write becoming durable and the node learning it: in production the
     * report and the messages that waited on the write travel on two queues, and a stalled loop
     * can take the report much later than the messages left (the window of the epoch check).
     */
    private final int maxReportDelayMillis;
    /** Probability that a node crashes right after it sends a vote, before anything else is durable. */
    private final double crashAfterVoteRate;

    private final int faultIntervalMillis;
    private final double diskErrorRate;
    private final int maxMessageBytes;
    private final int linkCapacity;
    private final Set<Long> blockedLinks = new HashSet<>();
    private final long[] linkArrival;
    private final int[] linkInFlight;

    long now;
    private long sequence;
    private long events;
    long messagesSent;
    long messagesDropped;
    int crashes;
    int storageFailures;
    int lostDisks;
    int lostDisksRefused;
    int olderCopies;
    /** Starts refused because no intact snapshot covered the log (then wiped and rejoined). */
    int snapshotsUnusable;
    /** Snapshots damaged at rest while their node was down. */
    int snapshotsDamaged;
    /** Nodes stopped by an entry no peer could repair any more (compacted everywhere), then rejoined. */
    int unrepairable;
    /** Leaders' snapshots installed by followers. */
    int snapshotsInstalled;

    int olderCopiesRefused;
    /** Older copies wiped for an entry no peer held intact before a refusal reached them. */
    int olderCopiesWiped;
    /** Older copies on nodes removed before a refusal reached them. */
    int olderCopiesMooted;

    int bitFlips;
    int pauses;
    int clockJumps;
    boolean calm;
    boolean quiet;
    /**
     * Driven by a person ({@link InteractiveSimulation}): no fault of the simulator's own, no
     * clients or operator of its own; what happens to the cluster is what its driver does.
     */
    final boolean interactive;
    /** Told of every message sent and delivered (the console draws them). */
    Watcher watcher = Watcher.NONE;

    /** What the network does with each message, for a driver that shows it. */
    interface Watcher {
        Watcher NONE = new Watcher() {};

        /** A message left {@code from}: it arrives at {@code arrival}, or never ({@code dropped} says why). */
        default void sent(Member from, Member to, RaftMessage message, long arrival, String dropped) {}

        /** A message reached {@code to}, or was lost on the way ({@code lost} says why). */
        default void delivered(Member from, Member to, RaftMessage message, String lost) {}

        /** {@code node} removed its entries {@code from..to} from its log, to take a leader's. */
        default void truncated(Member node, long from, long to) {}
    }

    private NodeSimulation(long seed, NodeSimulationOptions options) {
        this.seed = seed;
        this.interactive = false;
        this.options = options;
        this.random = new SplittableRandom(seed);
        int size = options.minNodes() + random.nextInt(options.maxNodes() - options.minNodes() + 1);
        for (int i = 1; i <= size; i++) {
            members.add(NodeId.of("n" + i));
        }
        // Some seeds cap message sizes: a message over the cap is dropped, as a transport drops a
        // frame too large. The protocol's append limit is set below it, as a node validates its
        // configuration against its transport's frame limit.
        this.maxMessageBytes = random.nextInt(4) == 0 ? 600 + random.nextInt(2000) : Integer.MAX_VALUE;
        ProtocolConfig base = ProtocolConfig.defaults();
        long appendBytes = maxMessageBytes == Integer.MAX_VALUE ? base.maxAppendBytes() : maxMessageBytes - 300;
        // Some seeds use short election timeouts, whose narrow random range makes split votes and
        // elections in the same term common; some send very few entries per message, so that a
        // follower often holds entries past the last one an accepted message carried.
        int electionTicks = random.nextInt(4) == 0 ? 2 + random.nextInt(4) : base.electionTicks();
        int appendEntries = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 4 + random.nextInt(61);
        ProtocolConfig protocol = base.withPreVote(random.nextInt(4) != 0)
                .withCheckQuorum(random.nextInt(4) != 0)
                .withElectionTicks(electionTicks)
                .withInflightLimits(2 + random.nextInt(15), base.maxInflightBytes())
                .withAppendLimits(appendEntries, appendBytes)
                .withMaxUncommittedBytes(256 + random.nextInt(4096));
        // The log over time: frequent snapshots, small chunks, and on some seeds retention by size
        // or age, so that compaction, snapshot transfers and restarts from snapshots all happen.
        io.raftlog.core.LogConfig lifecycle = io.raftlog.core.LogConfig.defaults()
                .withSnapshotEvery(10 + random.nextInt(300), 1L << 40)
                .withSnapshotChunks(1024 + random.nextInt(4096), 1 + random.nextInt(4));
        int retention = random.nextInt(3);
        if (retention == 1) {
            lifecycle = lifecycle.withRetentionBytes(2048 + random.nextInt(16_384));
        } else if (retention == 2) {
            lifecycle = lifecycle.withRetentionTime(Duration.ofMillis(200 + random.nextInt(1500)));
        }
        this.baseConfig = NodeConfig.of(members.get(0), members)
                .withTickInterval(Duration.ofMillis(TICK_MILLIS))
                .withProtocol(protocol)
                .withAppendTimeout(Duration.ofMillis(300 + random.nextInt(1500)))
                .withLog(lifecycle);
        this.dropRate = random.nextDouble() * 0.2;
        this.duplicateRate = random.nextDouble() * 0.05;
        this.reorderRate = random.nextDouble() * 0.3;
        this.maxDelayMillis = 1 + random.nextInt(30);
        this.maxDiskDelayMillis = 1 + random.nextInt(10);
        this.maxReportDelayMillis = random.nextInt(3) == 0 ? 10 + random.nextInt(300) : 3;
        this.crashAfterVoteRate = options.crashes() && random.nextInt(3) == 0 ? random.nextDouble() * 0.3 : 0;
        this.faultIntervalMillis = 20 + random.nextInt(300);
        this.diskErrorRate = options.crashes() ? random.nextDouble() * 0.004 : 0;
        this.linkCapacity = random.nextInt(3) == 0 ? 4 + random.nextInt(60) : Integer.MAX_VALUE;
        boolean changes = options.membershipChanges() && random.nextInt(4) != 0;
        this.capacity = size + (changes ? MAX_ADDED : 0);
        this.linkArrival = new long[capacity * capacity];
        this.linkInFlight = new int[capacity * capacity];
        for (int i = 0; i < size; i++) {
            nodes.add(new Member(i, members.get(i), List.copyOf(members)));
        }
        this.workload = new SimWorkload(this, options.clients(), seed);
        this.operator = new SimOperator(this, List.copyOf(members), changes, 1 + random.nextInt(MAX_ADDED));
    }

    /**
     * A cluster of {@code size} nodes for a person to drive: no fault unless they cause it; the
     * delays of messages and writes still come from {@code seed}, so that the same actions at the
     * same steps replay the same run.
     */
    NodeSimulation(long seed, int size) {
        this.seed = seed;
        this.interactive = true;
        this.options = new NodeSimulationOptions(size, size, 0, 0, 0, 1, true, true);
        this.random = new SplittableRandom(seed);
        for (int i = 1; i <= size; i++) {
            members.add(NodeId.of("n" + i));
        }
        this.maxMessageBytes = Integer.MAX_VALUE;
        io.raftlog.core.LogConfig lifecycle =
                io.raftlog.core.LogConfig.defaults().withSnapshotEvery(40, 1L << 40);
        this.baseConfig = NodeConfig.of(members.get(0), members)
                .withTickInterval(Duration.ofMillis(TICK_MILLIS))
                .withProtocol(ProtocolConfig.defaults())
                .withAppendTimeout(Duration.ofSeconds(5))
                .withLog(lifecycle);
        this.dropRate = 0;
        this.duplicateRate = 0;
        this.reorderRate = 0;
        this.maxDelayMillis = 12;
        this.maxDiskDelayMillis = 3;
        this.maxReportDelayMillis = 2;
        this.crashAfterVoteRate = 0;
        this.faultIntervalMillis = Integer.MAX_VALUE / 4;
        this.diskErrorRate = 0;
        this.linkCapacity = Integer.MAX_VALUE;
        this.capacity = size + MAX_ADDED;
        this.linkArrival = new long[capacity * capacity];
        this.linkInFlight = new int[capacity * capacity];
        for (int i = 0; i < size; i++) {
            nodes.add(new Member(i, members.get(i), List.copyOf(members)));
        }
        this.workload = new SimWorkload(this, 1, seed);
        this.operator = new SimOperator(this, List.copyOf(members), false, 0);
        for (Member node : nodes) {
            node.start();
        }
    }

    /**
     * Handles the next event (an {@link InteractiveSimulation} step).
     *
     * @return the event handled, or null if none is left
     * @throws RuntimeException or AssertionError if an invariant broke
     */
    Event stepOne() {
        Event event = queue.poll();
        if (event == null) {
            return null;
        }
        now = event.time();
        events++;
        trace[(int) (events % trace.length)] = event;
        handle(event);
        return event;
    }

    /** The next event, without handling it. */
    Event peekEvent() {
        return queue.peek();
    }

    /** Events handled so far. */
    long eventsHandled() {
        return events;
    }

    /** The messages on the wire: the DELIVER events queued. */
    List<Event> inFlight() {
        List<Event> result = new ArrayList<>();
        for (Event event : queue) {
            if (event.kind() == Kind.DELIVER) {
                result.add(event);
            }
        }
        result.sort(null);
        return result;
    }

    /** Whether the link from {@code from} to {@code to} drops everything. */
    boolean linkCut(Member from, Member to) {
        return blockedLinks.contains(linkKey(from.index, to.index));
    }

    void cutLink(Member from, Member to, boolean cut) {
        if (cut) {
            blockedLinks.add(linkKey(from.index, to.index));
        } else {
            blockedLinks.remove(linkKey(from.index, to.index));
        }
    }

    /** Most nodes this simulation has room for. */
    int capacity() {
        return capacity;
    }

    /** The failure report of {@code error}: the seed, the nodes and the last events. */
    String failureReport(Throwable error) {
        return report(error);
    }

    /** Runs {@code seed} with the default options. */
    public static NodeSimulationResult run(long seed) {
        return run(seed, NodeSimulationOptions.defaults());
    }

    /**
     * Runs {@code seed}.
     *
     * @throws SimulationFailure if an invariant breaks, naming the seed and the last events
     */
    public static NodeSimulationResult run(long seed, NodeSimulationOptions options) {
        NodeSimulation simulation = new NodeSimulation(seed, options);
        try {
            return simulation.execute();
        } catch (RuntimeException | AssertionError e) {
            throw new SimulationFailure(seed, simulation.report(e), e);
        }
    }

    private NodeSimulationResult execute() {
        for (Member node : nodes) {
            node.start();
        }
        workload.start();
        operator.start();
        schedule(faultDelay(), Kind.FAULT, null, 0, null);
        schedule(options.chaosMillis() * MS, Kind.CALM, null, 0, null);
        long end = (options.chaosMillis() + options.calmMillis() + options.settleMillis()) * MS;
        long nextConvergenceCheck = 0;
        while (!queue.isEmpty() && queue.peek().time() <= end) {
            Event event = queue.poll();
            now = event.time();
            events++;
            trace[(int) (events % trace.length)] = event;
            handle(event);
            if (quiet && now >= nextConvergenceCheck) {
                nextConvergenceCheck = now + TICK_MILLIS * MS / 2;
                if (converged()) {
                    break; // liveness holds: the settle window is a deadline, not a duration
                }
            }
        }
        workload.finish();
        List<Member> finalMembers = finalMembers();
        for (Member node : nodes) {
            // A copy restored on a node removed since is not for its peers to refuse any more.
            if (node.restoredCopy && finalMembers.contains(node)) {
                throw new IllegalStateException("an older copy of " + node.id
                        + "'s store, which every peer's records give away, was never refused");
            }
            if (node.restoredCopy) {
                if (node.up && node.loop != null && !node.loop.isClosed() && !node.loop.holdsVotes()) {
                    throw new IllegalStateException("an older copy of " + node.id
                            + "'s store, which every peer's records give away, was vetted and took part");
                }
                olderCopiesMooted++;
            }
        }
        long commit = nodes.stream()
                .mapToLong(node -> node.loop == null ? 0 : node.loop.commitOffset())
                .max()
                .orElse(0);
        for (Member node : nodes) {
            node.stop();
        }
        return new NodeSimulationResult(
                seed,
                nodes.size(),
                events,
                messagesSent,
                messagesDropped,
                checker.elections(),
                crashes,
                storageFailures,
                lostDisks,
                lostDisksRefused,
                olderCopies,
                olderCopiesRefused,
                olderCopiesWiped,
                olderCopiesMooted,
                bitFlips,
                pauses,
                clockJumps,
                workload.acknowledged(),
                workload.reads(),
                workload.transfers(),
                commit,
                now / MS,
                snapshotsInstalled,
                snapshotsDamaged,
                snapshotsUnusable,
                workload.deletions(),
                workload.outOfRangeReads(),
                nodes.stream()
                        .mapToLong(node -> node.loop == null ? 1 : node.loop.logStartOffset())
                        .max()
                        .orElse(1),
                workload.linearizableReads(),
                operator.added(),
                operator.promotions(),
                operator.removals(),
                operator.refusals());
    }

    /**
     * Whether the cluster has settled: no client waits, every node is up and healthy, one leader
     * has committed everything it holds (its own no-op included), and every node applied exactly
     * that. Elections may still happen later — a seed's election timeout may be short for its
     * network's jitter — so liveness is that the cluster gets here within the settle window, not
     * that it stays here at one chosen instant.
     */
    private boolean converged() {
        if (!workload.idle() || !operator.idle()) {
            return false;
        }
        NodeStatus leader = null;
        Member leading = null;
        for (Member node : nodes) {
            if (!node.up || node.loop.isClosed()) {
                continue; // whether it should be up is checked below, against the membership
            }
            NodeStatus status = node.loop.status();
            if (status.role() == Role.LEADER && status.health() == NodeStatus.Health.HEALTHY) {
                if (leader != null && leader.term() >= status.term()) {
                    continue; // a deposed leader that has not heard yet; the newest counts
                }
                leader = status;
                leading = node;
            }
        }
        if (leader == null || leader.commitIndex() != leader.lastIndex()) {
            return false;
        }
        for (Member node : finalMembers(leading)) {
            if (!node.up || node.loop.isClosed() || node.restoredCopy) {
                return false;
            }
            if (node.loop.status().health() != NodeStatus.Health.HEALTHY
                    || node.loop.commitOffset() != leader.commitIndex()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The members of {@code leader}'s membership: the nodes that must be up and agree at the end.
     * A removed node the operator left running is not one of them.
     */
    List<Member> finalMembers(Member leader) {
        io.raftlog.api.Membership membership = leader.loop.membership();
        List<Member> result = new ArrayList<>();
        for (Member node : nodes) {
            if (membership.contains(node.id)) {
                result.add(node);
            }
        }
        return result;
    }

    /** The members of the newest leader's membership, or every node that was not retired if none leads. */
    List<Member> finalMembers() {
        Member leading = null;
        long term = -1;
        for (Member node : nodes) {
            if (node.up
                    && !node.loop.isClosed()
                    && node.loop.status().role() == Role.LEADER
                    && node.loop.status().term() > term) {
                leading = node;
                term = node.loop.status().term();
            }
        }
        if (leading != null) {
            return finalMembers(leading);
        }
        return nodes.stream().filter(node -> !node.retired).toList();
    }

    /** A new node for the operator to add: a new id, an empty disk, started to join {@code voters}. */
    Member addNode(List<NodeId> voters) {
        NodeId id = NodeId.of("n" + (nodes.size() + 1));
        Member node = new Member(nodes.size(), id, voters);
        node.startMode = NodeConfig.StartMode.JOIN;
        members.add(id);
        nodes.add(node);
        node.start();
        return node;
    }

    /** The node of that id, or null if the simulation has none (an id only a message named). */
    Member memberOrNull(NodeId id) {
        int index = members.indexOf(id);
        return index < 0 ? null : nodes.get(index);
    }

    /** The operator shuts a removed node down for good, after {@code delayMillis}. */
    void retireLater(Member node, long delayMillis) {
        schedule(delayMillis * MS, Kind.RETIRE, node, 0, null);
    }

    <T> java.util.function.BiConsumer<T, Throwable> guarded(java.util.function.BiConsumer<T, Throwable> body) {
        return workload.guarded(body);
    }

    private void handle(Event event) {
        Member node = event.member();
        if (node != null && node.retired && event.kind() != Kind.DELIVER) {
            return; // shut down for good by the operator
        }
        if (node != null
                && event.kind() != Kind.RESTART
                && event.kind() != Kind.RETIRE
                && event.kind() != Kind.DELIVER
                && event.incarnation() != node.incarnation) {
            return; // from a previous life of the node
        }
        if (node != null && node.pausedUntil > now && event.kind() != Kind.RESTART) {
            queue.add(
                    new Event(node.pausedUntil, sequence++, event.kind(), node, event.incarnation(), event.payload()));
            return;
        }
        switch (event.kind()) {
            case RUN -> node.run((Long) event.payload());
            case DELIVER -> deliver(node, (Sent) event.payload());
            case WRITE -> node.writer.write();
            case AFTER_PERSIST -> {
                for (RaftMessage message : castMessages(event.payload())) {
                    send(node, message);
                }
            }
            case REPORT -> node.writer.report((long[]) event.payload());
            case TIMER -> ((TimerTask) event.payload()).fire();
            case CLIENT -> workload.step((Integer) event.payload());
            case FAULT -> fault();
            case CALM -> {
                if (event.payload() == null) {
                    calm();
                } else {
                    quiet = true; // clients start nothing new; what is outstanding must finish
                }
            }
            case RESTART -> {
                if (!node.up
                        && !calm
                        && !interactive
                        && node.backup != null
                        && operator.view().isVoter(node.id)
                        && random.nextInt(3) == 0
                        && noneRejoining()
                        && givenAwayByEveryPeer(node)) {
                    restoreBackup(node); // the operator restores an old backup before this restart
                }
                if (!node.up && !calm && !interactive && random.nextInt(4) == 0 && noneRejoining()) {
                    damageNewestSnapshot(node); // one impaired member at a time, as with lost disks
                }
                node.start();
            }
            case CRASH -> {
                node.crash();
                if (LOSE_DISK.equals(event.payload())) {
                    loseDisk(node);
                }
            }
            case OPERATOR -> operator.step();
            case RETIRE -> {
                node.stop();
                node.retired = true;
            }
        }
        if (node != null) {
            node.observe();
        }
        operator.observe();
        workload.check();
    }

    @SuppressWarnings("unchecked")
    private static List<RaftMessage> castMessages(Object payload) {
        return (List<RaftMessage>) payload;
    }

    /** Runs {@code task} after {@code delay} nanoseconds of simulated time, on no node's behalf. */
    void later(long delay, Runnable task) {
        schedule(delay, Kind.TIMER, null, 0, new TimerTask(task));
    }

    Event schedule(long delay, Kind kind, Member node, int incarnation, Object payload) {
        Event event = new Event(now + Math.max(0, delay), sequence++, kind, node, incarnation, payload);
        queue.add(event);
        return event;
    }

    // ------------------------------------------------------------------ network

    private void send(Member from, RaftMessage message) {
        messagesSent++;
        if (message instanceof io.raftlog.api.message.VoteResponse grant && grant.granted() && !grant.preVote()) {
            checker.onVoteGranted(grant.to(), grant.term());
        }
        if (!calm
                && message instanceof io.raftlog.api.message.VoteResponse vote
                && vote.granted()
                && !vote.preVote()
                && random.nextDouble() < crashAfterVoteRate) {
            // Crash the voter at once, and bring it back while the election may still be going on:
            // a vote that left before it was durable would let it vote again in the same term.
            // Sometimes it also loses its disk (issue #11's scenario (b)): restarted blank during
            // the election it voted in, it must not vote again in that term.
            boolean loseDisk = options.crashes() && random.nextInt(4) == 0 && noneRejoining();
            schedule(0, Kind.CRASH, from, from.incarnation, loseDisk ? LOSE_DISK : null);
            schedule((1 + random.nextInt(30)) * MS, Kind.RESTART, from, 0, null);
        }
        Member to = member(message.to());
        int link = from.index * capacity + to.index;
        if (!calm) {
            if (random.nextDouble() < dropRate || blockedLinks.contains(linkKey(from.index, to.index))) {
                messagesDropped++;
                watcher.sent(from, to, message, -1, "the link is cut");
                return;
            }
        }
        if (MessageCodec.encodedSize(message) > maxMessageBytes || linkInFlight[link] >= linkCapacity) {
            messagesDropped++;
            watcher.sent(from, to, message, -1, "too large for the link");
            return;
        }
        int copies = !calm && random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay =
                    (calm ? 1 + random.nextInt(2) : 1 + random.nextInt(maxDelayMillis)) * MS + random.nextInt((int) MS);
            long arrival = now + delay;
            if (calm || random.nextDouble() >= reorderRate) {
                arrival = Math.max(arrival, linkArrival[link]); // links are FIFO, like TCP
                linkArrival[link] = arrival;
            }
            linkInFlight[link]++;
            queue.add(new Event(
                    arrival, sequence++, Kind.DELIVER, to, from.index, new Sent(message, from.incarnation, now)));
            watcher.sent(from, to, message, arrival, null);
        }
    }

    /** A message on the wire, with the life of its sender that sent it. */
    record Sent(RaftMessage message, int senderIncarnation, long sentAt) {
        @Override
        public String toString() {
            return message.toString();
        }
    }

    private void deliver(Member to, Sent sent) {
        RaftMessage message = sent.message();
        Member from = member(message.from());
        if (from.up && from.incarnation != sent.senderIncarnation()) {
            // The sender died and is back: what its dead process sent and nobody read yet went with
            // its connections (a restarted process starts new ones), as over TCP.
            linkInFlight[from.index * capacity + to.index]--;
            messagesDropped++;
            watcher.delivered(from, to, message, "its sender restarted since");
            return;
        }
        int link = member(message.from()).index * capacity + to.index;
        linkInFlight[link]--;
        if (to.up && to.handler != null) {
            watcher.delivered(from, to, message, null);
            to.handler.onMessage(message);
        } else {
            watcher.delivered(from, to, message, to.id + " is down");
        }
    }

    private static long linkKey(int from, int to) {
        return ((long) from << 32) | to;
    }

    Member member(NodeId id) {
        return nodes.get(members.indexOf(id));
    }

    // ------------------------------------------------------------------ faults

    private long faultDelay() {
        return (1 + random.nextInt(2 * faultIntervalMillis)) * MS;
    }

    private void fault() {
        if (calm) {
            return;
        }
        int kind = random.nextInt(100);
        List<Member> live = nodes.stream().filter(member -> !member.retired).toList();
        Member node = live.get(random.nextInt(live.size()));
        if (options.crashes() && random.nextInt(8) == 0) {
            takeBackup(node); // besides the fault below: a backup only grows older
        }
        if (kind < 25) {
            int a = random.nextInt(nodes.size());
            int b = random.nextInt(nodes.size());
            if (a != b) {
                blockedLinks.add(linkKey(a, b));
                if (random.nextBoolean()) {
                    blockedLinks.add(linkKey(b, a)); // symmetric; otherwise one way
                }
            }
        } else if (kind < 45) {
            blockedLinks.clear(); // heal
        } else if (kind < 60 && options.crashes() && node.up) {
            Member victim = random.nextBoolean() ? leaderOr(node) : node; // leaders crash often too
            victim.crash();
            schedule((5 + random.nextInt(400)) * MS, Kind.RESTART, victim, 0, null);
        } else if (kind < 68 && node.up) {
            pauses++; // stop-the-world, longer than an election timeout
            node.pausedUntil = now
                    + (long) (TICK_MILLIS * baseConfig.protocol().electionTicks() * (1.2 + 2 * random.nextDouble()))
                            * MS;
        } else if (kind < 76) {
            clockJumps++; // the wall clock steps (NTP, a VM resumed): forward by up to two hours, or back
            node.clock.wallOffsetMillis +=
                    random.nextBoolean() ? random.nextLong(2 * 3_600_000L) : -random.nextLong(60_000L);
        } else if (kind < 79) {
            node.writer.slowUntil = now + (50 + random.nextInt(400)) * MS; // a slow disk
        } else if (kind < 82) {
            node.writer.fullUntil = now + (20 + random.nextInt(600)) * MS; // a full disk, freed later
        } else if (kind < 91) {
            workload.transferLeadership();
        } else if (kind < 94 && options.crashes() && node.up && noneRejoining()) {
            // A lost disk: the node comes back on a blank store, with --rejoin or, by operator
            // error, as if new (then its peers must refuse it if it ever voted or acknowledged).
            Member victim = random.nextBoolean() ? leaderOr(node) : node;
            victim.crash();
            loseDisk(victim);
            schedule((5 + random.nextInt(400)) * MS, Kind.RESTART, victim, 0, null);
        } else if (kind < 97 && options.crashes()) {
            olderCopy(node);
        } else if (kind < 100 && noneRejoining()) {
            flipBits(node);
        }
        schedule(faultDelay(), Kind.FAULT, null, 0, null);
    }

    /** A crashed node's disk is lost: it restarts blank, with --rejoin or, by mistake, as if new. */
    private void loseDisk(Member victim) {
        lostDisks++;
        operator.note("(fault) " + victim.id + " loses its disk");
        victim.volume = new InMemoryLogStore.Volume();
        victim.backup = null; // a copy of the lost store, no longer one its peers know
        io.raftlog.api.Membership view = operator.view();
        if (view.contains(victim.id)) {
            // The operator restarts it with the members of now (its first flags may name nodes
            // gone), and --rejoin or, by mistake, as if new: BOOTSTRAP for a voter, JOIN for a learner.
            boolean mistake = random.nextBoolean();
            if (mistake && !view.isVoter(victim.id)) {
                flagsToJoin(victim);
            } else {
                victim.flags = votersAnd(victim.id);
                victim.startMode = mistake ? NodeConfig.StartMode.BOOTSTRAP : NodeConfig.StartMode.REJOIN;
            }
        } else {
            flagsToJoin(victim); // not a member (yet, or any more): it joins again
        }
    }

    /** The voters the operator knows of, and {@code node}, for a member's command line. */
    private List<NodeId> votersAnd(NodeId node) {
        List<NodeId> flags = new ArrayList<>(operator.view().voters().keySet());
        if (!flags.contains(node)) {
            flags.add(node);
        }
        return flags;
    }

    private void flagsToJoin(Member node) {
        List<NodeId> flags = new ArrayList<>(operator.view().voters().keySet());
        flags.remove(node.id);
        node.flags = flags;
        node.startMode = NodeConfig.StartMode.JOIN;
    }

    /**
     * The operator wiped {@code node}'s store (or it lost it) and does as the node's message says:
     * --rejoin, with the members of now; a node that is no member joins again.
     */
    private void rejoinMode(Member node, String why) {
        operator.note("(operator) " + node.id + "'s store is wiped (" + why + "); it rejoins");
        if (operator.view().contains(node.id)) {
            node.flags = votersAnd(node.id);
            node.startMode = NodeConfig.StartMode.REJOIN;
        } else {
            flagsToJoin(node);
        }
    }

    private static final String LOSE_DISK = "lose disk";

    /** Whether every other member's saved records would refuse {@code node}'s start on its backup. */
    /**
     * Flips a byte of {@code node}'s newest snapshot while it is down: its start must notice (by
     * the checksum), fall back to an older snapshot that the log still reaches past, or refuse to
     * start if none does.
     */
    private void damageNewestSnapshot(Member node) {
        var held = node.volume.snapshots();
        if (!held.isEmpty()) {
            node.volume.damageSnapshot(held.get(held.size() - 1).index());
            operator.note("(fault) " + node.id + "'s newest snapshot is damaged");
            node.snapshotDamaged = true;
            snapshotsDamaged++;
        }
    }

    private boolean givenAwayByEveryPeer(Member node) {
        InMemoryLogStore.Volume copy = node.backup;
        for (Member other : nodes) {
            if (other != node
                    && !other.retired
                    && operator.view().contains(other.id)
                    && StoreVetting.refusal(
                                    other.id,
                                    other.volume.metadata(StoreVetting.PEERS_RECORD),
                                    node.id,
                                    copy.metadata(StoreVetting.IDENTITY_RECORD),
                                    copy.hardState().term(),
                                    copy.firstIndex() + copy.size() - 1)
                            .isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a copy of a running node's data (an operator's backup, a volume snapshot), or restores
     * one at a restart — but only a copy every other member's saved records give away, so that its
     * start must be refused ({@link #olderCopiesRefused}) before it can vote or acknowledge. A copy
     * that holds all its peers recorded of it cannot be told from the real store, and is not
     * restored here (docs/ARCHITECTURE.md says what that leaves open).
     */
    private void olderCopy(Member node) {
        if (random.nextBoolean()) {
            takeBackup(node);
            return;
        }
        if (!noneRejoining()) {
            return;
        }
        Member restored = null;
        for (Member candidate : nodes) {
            if (candidate.backup != null
                    && !candidate.retired
                    && operator.view().isVoter(candidate.id)
                    && givenAwayByEveryPeer(candidate)) {
                restored = candidate;
                break;
            }
        }
        if (restored == null) {
            return;
        }
        restored.crash();
        restoreBackup(restored);
        schedule((5 + random.nextInt(400)) * MS, Kind.RESTART, restored, 0, null);
    }

    /** A copy of a running node's data, kept until restored. */
    private static void takeBackup(Member node) {
        if (node.up
                && node.backup == null
                && node.volume.metadata(StoreVetting.IDENTITY_RECORD).isPresent()) {
            node.backup = node.volume.copy();
        }
    }

    private void restoreBackup(Member node) {
        olderCopies++;
        operator.note("(fault) " + node.id + " restarts on an older copy of its store");
        node.volume = node.backup;
        node.backup = null;
        node.restoredCopy = true;
        // Started as an ordinary member (the command line's default): --rejoin would ask for the
        // rejoin protocol instead, which holds the node's votes until it is safe.
        node.startMode = NodeConfig.StartMode.EXISTING;
        node.flags = List.copyOf(operator.view().voters().keySet());
    }

    /**
     * Flips bits in a few stored entries of {@code node} (the leader as often as not; sometimes an
     * index already damaged elsewhere), which its store's checksum will catch: never an entry that
     * no other node holds intact, nor the last one (a damaged tail stops a store from opening).
     */
    private void flipBits(Member node) {
        Member victim = random.nextBoolean() ? leaderOr(node) : node;
        // Only entries the log still holds for readers, and every node still holds: an entry that
        // rots below the log start after its peers dropped it cannot be repaired (see the notes).
        long first = checker.logStartAfter(checker.committedIndex());
        List<Member> holders = nodes.stream().filter(other -> !other.retired).toList();
        for (Member other : holders) {
            first = Math.max(first, other.volume.firstIndex());
        }
        long last = victim.volume.firstIndex() + victim.volume.size() - 1;
        if (last - first < 2) {
            return;
        }
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
            long index = first + random.nextLong(last - first); // first..last-1
            for (Member other : holders) {
                long shared = other == victim ? -1 : other.volume.someDamaged();
                if (shared >= first && shared < last && random.nextBoolean()) {
                    index = shared; // the same entry damaged on two nodes
                }
            }
            int intactElsewhere = 0;
            for (Member other : holders) {
                long otherLast = other.volume.firstIndex() + other.volume.size() - 1;
                if (other != victim
                        && other.volume.firstIndex() <= index
                        && otherLast >= index
                        && !other.volume.isDamaged(index)) {
                    intactElsewhere++;
                }
            }
            if (intactElsewhere > 0) {
                victim.volume.damage(index);
                operator.note("(fault) entry " + index + " rots on " + victim.id);
                bitFlips++;
            }
        }
    }

    /**
     * Whether no member is rejoining after a lost disk: a rejoining member does not vote, so a
     * second lost disk before the first rejoined could leave too few voters for any leader (as it
     * would in a real cluster: one disk at a time, each rejoined before the next).
     */
    private boolean noneRejoining() {
        // Every membership a leader could go on with: the committed one, the operator's view, and
        // the newest in each node's log (a pending removal shrinks the voters) — a node down now
        // included, with the membership it last ran with: it may come back with that log and lead.
        List<io.raftlog.api.Membership> memberships = new ArrayList<>();
        memberships.add(operator.committed());
        memberships.add(operator.view());
        for (Member member : nodes) {
            if (!member.retired && member.loop != null && member.loop.membership() != null) {
                memberships.add(member.loop.membership());
            }
        }
        int fewest = Integer.MAX_VALUE;
        java.util.Set<NodeId> voters = new HashSet<>();
        for (io.raftlog.api.Membership membership : memberships) {
            fewest = Math.min(fewest, membership.voters().size());
            voters.addAll(membership.voters().keySet());
        }
        // A removal the operator sent may be proposed at any moment: the voters one fewer. (Seed
        // 202: a disk lost while the removal was in flight, judged against five voters, left two
        // of the four that remained rejoining, and no leader could be elected again.)
        java.util.Optional<NodeId> removing = operator.removing();
        if (removing.isPresent() && operator.view().isVoter(removing.get())) {
            fewest = Math.min(fewest, operator.view().voters().size() - 1);
        }
        // A learner being promoted may become a voter at any moment: counted, and the voters one more.
        java.util.Optional<NodeId> promoting = operator.promoting().filter(node -> !voters.contains(node));
        if (promoting.isPresent()) {
            voters.add(promoting.get());
        }
        int impaired = impaired(voters);
        // As many impaired nodes at once as the smallest of those memberships tolerates: one of 3
        // or 4, two of 5.
        return impaired < (fewest - 1) / 2 || impaired == 0;
    }

    /**
     * How many of {@code voters} are impaired: rejoining, not vetted yet, a blank restart pending,
     * repairing, or on a copy to be refused (a learner catching up, or a node out of the cluster, is
     * not needed for a quorum).
     */
    int impaired(java.util.Set<NodeId> voters) {
        int impaired = 0;
        for (Member member : nodes) {
            if (member.retired || !voters.contains(member.id)) {
                continue;
            }
            if (member.up && member.blankUntil > 0 && member.loop.commitOffset() >= member.blankUntil) {
                member.blankUntil = 0; // caught up
            }
            boolean rejoining = member.up
                    ? member.loop.holdsVotes() || member.blankUntil > 0
                    : member.startMode == NodeConfig.StartMode.REJOIN || member.volume.size() == 0;
            boolean repairing = member.volume.hasDamage()
                    || (member.up && member.loop.status().health() == io.raftlog.api.NodeStatus.Health.REPAIRING);
            if (rejoining || repairing || member.restoredCopy || member.snapshotDamaged) {
                impaired++;
            }
        }
        return impaired;
    }

    private Member leaderOr(Member other) {
        for (Member candidate : nodes) {
            if (candidate.up && candidate.loop.status().role() == Role.LEADER) {
                return candidate;
            }
        }
        return other;
    }

    private void calm() {
        calm = true;
        blockedLinks.clear();
        for (Member node : nodes) {
            node.pausedUntil = 0;
            node.writer.slowUntil = 0;
            node.writer.fullUntil = 0;
            if (!node.up && !node.retired) {
                schedule(MS, Kind.RESTART, node, 0, null);
            }
        }
        schedule(options.calmMillis() * MS, Kind.CALM, null, 0, "quiet");
    }

    // ------------------------------------------------------------------ reporting

    private String report(Throwable error) {
        StringBuilder text = new StringBuilder();
        text.append("whole-node simulation seed ")
                .append(seed)
                .append(" failed at ")
                .append(now / MS)
                .append(" ms (")
                .append(nodes.size())
                .append(" nodes, drop ")
                .append(String.format("%.2f", dropRate))
                .append(", reorder ")
                .append(String.format("%.2f", reorderRate))
                .append(", max message ")
                .append(maxMessageBytes == Integer.MAX_VALUE ? "unbounded" : maxMessageBytes + " B")
                .append("): ")
                .append(error.getMessage())
                .append("\nreplay: ./mvnw -B -pl raft-testkit -am test -Dtest=NodeSimulationTest")
                .append(" -Dsurefire.failIfNoSpecifiedTests=false -Draftlog.sim.seed=")
                .append(seed)
                .append("\nnodes:");
        for (Member node : nodes) {
            text.append("\n  ").append(node.id).append(node.up ? " up " : " down ");
            if (node.loop != null) {
                text.append(node.loop.status())
                        .append(", start mode ")
                        .append(node.startMode)
                        .append(node.loop.holdsVotes() ? ", votes held" : "")
                        .append(node.retired ? ", retired" : "")
                        .append(", membership ")
                        .append(node.loop.membership());
            }
        }
        text.append("\noperator:\n    ").append(operator.recentHistory());
        text.append("\nlast events:");
        for (int i = 1; i <= trace.length; i++) {
            Event event = trace[(int) ((events + i) % trace.length)];
            if (event != null) {
                text.append("\n  ").append(event);
            }
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ a node

    /** One member across its incarnations: its disk survives, everything else is rebuilt on restart. */
    final class Member {
        final int index;
        final NodeId id;
        InMemoryLogStore.Volume volume = new InMemoryLogStore.Volume();
        /** A copy of its data taken while it ran, to be restored at a later start. */
        InMemoryLogStore.Volume backup;
        /** It runs on a restored older copy, which its peers must refuse. */
        boolean restoredCopy;
        /** Started on a blank store: impaired until it has applied up to this index (0: not blank). */
        long blankUntil;
        /** How the next start treats a blank store (an operator's flag). */
        NodeConfig.StartMode startMode = NodeConfig.StartMode.BOOTSTRAP;
        /** The members its command line lists (for a joining node, the members it can reach). */
        List<NodeId> flags;
        /** Removed from the cluster and shut down for good by the operator. */
        boolean retired;
        /** Set by a driver: every write fails, as on a full disk, until cleared. */
        boolean diskFull;
        /** Set by a driver: every write fails with an I/O error, as on an unreachable disk. */
        boolean diskCut;

        final MemberClock clock = new MemberClock(this);
        final SafetyChecker.PrefixHashes hashes = new SafetyChecker.PrefixHashes();
        InMemoryLogStore store;
        NodeLoop loop;
        SimWriter writer = new SimWriter(this);
        MessageHandler handler;
        int incarnation;
        boolean up;
        long pausedUntil;
        private long runGeneration;
        private long nextRunAt = Long.MAX_VALUE;
        private long observedApplied;
        private long ledTerm = -1;
        SimStateMachine application;
        /** Its newest snapshot was damaged while it was down, and it has not started since. */
        boolean snapshotDamaged;
        /** Snapshots it had received when last observed. */
        private long observedInstalls;

        /**
         * Where observing what this node applies starts after a restart: the entries its restored
         * snapshot covers are not in its log (and were observed on the nodes that applied them).
         */
        private long observedFloor() {
            long snapshot = loop.status().log().snapshotIndex();
            long first = store.firstIndex();
            return Math.max(0, Math.max(Math.min(snapshot, loop.commitOffset()), first - 1));
        }

        Member(int index, NodeId id, List<NodeId> flags) {
            this.index = index;
            this.id = id;
            this.flags = flags;
            this.clock.drift = (random.nextDouble() - 0.5) * 0.02; // up to ±1 % fast or slow
            this.clock.offsetNanos = random.nextLong(1_000_000 * MS);
            this.clock.wallOffsetMillis = 1_800_000_000_000L + random.nextLong(60_000);
        }

        void start() {
            if (up) {
                return;
            }
            incarnation++;
            up = true;
            // On a blank store, whatever its start mode (a JOIN by mistake included), it holds
            // nothing of what the cluster committed until it has caught up.
            blankUntil = volume.size() == 0 ? checker.committedIndex() : 0;
            store = new InMemoryLogStore(volume);
            observedApplied = 0;
            ledTerm = -1;
            writer = new SimWriter(this);
            NodeConfig config = baseConfig.forNode(id, flags, startMode);
            int life = incarnation;
            application = new SimStateMachine();
            observedInstalls = 0;
            try {
                loop = new NodeLoop(
                        config,
                        store,
                        new io.raftlog.core.storage.InMemorySnapshotStore(volume),
                        application,
                        new SimTransport(this),
                        NodeMetrics.NONE,
                        random.nextLong(),
                        new NodeLoop.Hooks(clock, this::wakeup, error -> fatal(life, error)),
                        listener -> {
                            writer.listener = listener;
                            return writer;
                        });
            } catch (io.raftlog.api.StorageException unusable) {
                if (!String.valueOf(unusable.getMessage()).contains("no intact snapshot")) {
                    throw unusable;
                }
                // Its snapshots are damaged beyond use: the operator does as the message says.
                snapshotsUnusable++;
                snapshotDamaged = false; // rejoining now, which counts as impaired by itself
                store.close();
                up = false;
                volume = new InMemoryLogStore.Volume();
                rejoinMode(this, "no intact snapshot");
                schedule((20 + random.nextInt(300)) * MS, Kind.RESTART, this, 0, null);
                return;
            }
            // After the loop opened the store: it may have reset it to start after its snapshot.
            long first = store.firstIndex();
            Long before = checker.prefixHash(first - 1, store.term(first - 1));
            if (before == null) {
                throw new IllegalStateException(
                        id + "'s log starts after entry " + (first - 1) + ", which no log ever held");
            }
            hashes.rebuild(first, before, volume.rawEntries(first, Integer.MAX_VALUE));
            loop.start();
            snapshotDamaged = false;
            observedApplied = loop.commitOffset() == 0 ? 0 : observedFloor();
            wakeup();
        }

        private void fatal(int life, RaftException error) {
            if (life == incarnation && up) {
                String message = String.valueOf(error.getMessage());
                if (restoredCopy && message.contains("refused this node's store")) {
                    // Caught, as it must be: the operator wipes the copy and starts it with --rejoin.
                    olderCopiesRefused++;
                    restoredCopy = false;
                    volume = new InMemoryLogStore.Volume();
                    rejoinMode(this, "a restored copy, refused");
                } else if (message.contains("no peer holds an intact committed copy")) {
                    // An entry rotted on a node so far behind that every peer has since compacted it
                    // into a snapshot: the operator does as the message says (wipe, --rejoin).
                    unrepairable++;
                    if (restoredCopy) {
                        // A restored copy older than every peer's log: it stopped on the entry
                        // before its peers' refusal arrived. Never vetted, it took no part; the
                        // wipe ends it as a refusal would.
                        if (!loop.holdsVotes()) {
                            throw new IllegalStateException("an older copy of " + id
                                    + "'s store, which every peer's records give away, was vetted and took part");
                        }
                        olderCopiesWiped++;
                        restoredCopy = false;
                    }
                    volume = new InMemoryLogStore.Volume();
                    rejoinMode(this, "an entry no peer holds intact");
                } else if (message.contains("refused this node's store")) {
                    // Its peers caught a lost disk started as if new; the operator does as the
                    // message says and starts it again with --rejoin.
                    lostDisksRefused++;
                    rejoinMode(this, "a blank store started as new, refused");
                }
                // Like a process that exits on a storage error: restarted later by its supervisor.
                schedule(0, Kind.CRASH, this, incarnation, null);
                schedule((20 + random.nextInt(300)) * MS, Kind.RESTART, this, 0, null);
            }
        }

        void crash() {
            if (!up) {
                return;
            }
            crashes++;
            up = false;
            incarnation++; // events of the old life are now ignored
            handler = null;
            writer.lost();
            NodeLoop dead = loop;
            dead.close(); // fails what callers wait for, as a dead process's connections do
            runGeneration++;
            nextRunAt = Long.MAX_VALUE;
        }

        void stop() {
            if (up) {
                up = false;
                incarnation++;
                writer.lost();
                loop.close();
            }
        }

        void wakeup() {
            if (up) {
                scheduleRun(now);
            }
        }

        private void scheduleRun(long at) {
            if (at >= nextRunAt) {
                return;
            }
            nextRunAt = at;
            queue.add(new Event(at, sequence++, Kind.RUN, this, incarnation, ++runGeneration));
        }

        void run(long generation) {
            if (generation != runGeneration || !up) {
                return;
            }
            nextRunAt = Long.MAX_VALUE;
            for (int i = 0; i < 64 && up && loop.runOnce(); i++) {
                // more to do: go again, as the real loop does
            }
            if (up && !loop.isClosed()) {
                scheduleRun(clock.simTimeOf(loop.nextTickNanos()));
            }
        }

        /**
         * Whether its log holds a configuration entry above its commit index: a leader whose own
         * removal is pending may lead (elected by the new membership's voters) until it commits.
         */
        private boolean removalPending(NodeStatus status) {
            for (long index = store.lastIndex(); index > status.commitIndex() && index >= store.firstIndex(); index--) {
                if (volume.rawEntries(index, 1).get(0).type() == io.raftlog.api.message.EntryType.CONFIGURATION) {
                    return true;
                }
            }
            return false;
        }

        /** After every event that touched the node: what it applied and whether it leads. */
        void observe() {
            if (!up || loop == null || loop.failure() != null) {
                return; // stopped: its operator may already be replacing its volume
            }
            long applied = loop.commitOffset();
            var logStatus = loop.status().log();
            if (logStatus.snapshotsReceived() > observedInstalls) {
                // It installed a leader's snapshot: what it covers was never in this node's log.
                snapshotsInstalled += (int) (logStatus.snapshotsReceived() - observedInstalls);
                observedInstalls = logStatus.snapshotsReceived();
                observedApplied = Math.max(observedApplied, Math.min(applied, logStatus.snapshotIndex()));
            }
            observedApplied = Math.max(observedApplied, Math.min(applied, volume.firstIndex() - 1));
            if (applied > observedApplied) {
                List<LogEntry> entries = new ArrayList<>();
                long next = observedApplied + 1;
                while (next <= applied) {
                    List<LogEntry> read = volume.rawEntries(next, (int) Math.min(4096, applied - next + 1));
                    if (read.isEmpty()) {
                        throw new IllegalStateException(id + " applied up to " + applied + " but its log holds "
                                + volume.firstIndex() + ".." + (volume.firstIndex() + volume.size() - 1)
                                + ", without entry " + next + " (its snapshot: "
                                + logStatus.snapshotIndex() + ")");
                    }
                    entries.addAll(read);
                    next += read.size();
                }
                checker.onApply(id, entries);
                observedApplied = applied;
            }
            checker.onApplicationState(id, application.lastOffset, application.hash, applied);
            checker.onLogStart(id, loop.logStartOffset(), applied, logStatus.snapshotIndex(), volume.firstIndex());
            var status = loop.status();
            if (status.role() == Role.LEADER && !loop.membership().isVoter(id) && !removalPending(status)) {
                throw new IllegalStateException("membership: " + id + " leads term " + status.term()
                        + " but is no voter of its membership " + loop.membership()
                        + ", which its commit index " + status.commitIndex() + " covers");
            }
            if (status.role() == Role.LEADER && status.term() != ledTerm) {
                ledTerm = status.term();
                checker.onLeader(id, status.term(), new SafetyChecker.LogView() {
                    @Override
                    public long lastIndex() {
                        return status.lastIndex();
                    }

                    @Override
                    public long termAt(long index) {
                        // Entries not yet durable here are not in the store: trust the protocol's
                        // last index for them (Log Matching checks their terms when written).
                        if (index > store.lastIndex()) {
                            return -1;
                        }
                        if (index < volume.firstIndex()) {
                            return -1; // compacted into a snapshot: committed, as the snapshot is
                        }
                        return volume.rawEntries(index, 1).get(0).term();
                    }
                });
            }
        }
    }

    /** A node's clocks: its monotonic clock drifts, its wall clock also jumps. */
    final class MemberClock implements NodeClock {
        private final Member node;
        double drift;
        long offsetNanos;
        long wallOffsetMillis;

        MemberClock(Member node) {
            this.node = node;
        }

        @Override
        public long nanoTime() {
            return offsetNanos + (long) (now * (1 + drift));
        }

        @Override
        public long currentTimeMillis() {
            return wallOffsetMillis + nanoTime() / MS;
        }

        /** The simulated time at which this clock reads {@code nanos}. */
        long simTimeOf(long nanos) {
            return Math.max(now, (long) Math.ceil((nanos - offsetNanos) / (1 + drift)));
        }

        @Override
        public Timer schedule(long delayNanos, Runnable task) {
            TimerTask timer = new TimerTask(task);
            NodeSimulation.this.schedule(
                    (long) Math.ceil(delayNanos / (1 + drift)), Kind.TIMER, node, node.incarnation, timer);
            return timer;
        }
    }

    static final class TimerTask implements NodeClock.Timer {
        private final Runnable task;
        private boolean cancelled;

        TimerTask(Runnable task) {
            this.task = task;
        }

        void fire() {
            if (!cancelled) {
                cancelled = true;
                task.run();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public String toString() {
            return "timer";
        }
    }

    /** The node's transport: hands messages to the simulated network. */
    final class SimTransport implements Transport {
        private final Member node;
        private boolean closed;

        SimTransport(Member node) {
            this.node = node;
        }

        @Override
        public void start(NodeId self, MessageHandler handler) {
            node.handler = handler;
        }

        @Override
        public void send(RaftMessage message) {
            if (!closed && node.up) {
                NodeSimulation.this.send(node, message);
            }
        }

        @Override
        public int maxMessageBytes() {
            return maxMessageBytes;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * The node's disk writer: writes queued Readys in order after a delay (merging some, like the
     * real one), then — as separate events whose order the seed picks — sends the messages that
     * waited on them and reports them durable. A write may fail partway through a merged batch.
     */
    final class SimWriter implements LogWriter {
        private final Member node;
        /** Readys, and {@link Extent} changes in order with them. */
        private final ArrayDeque<Object> queued = new ArrayDeque<>();
        /** The merged batch being written, and how many of its Readys are written. */
        private final List<Object> batch = new ArrayList<>();

        private int written;
        private boolean failing;
        private long backoffMillis = 10;
        private final int life;
        LogWriter.Listener listener;
        long slowUntil;
        /** Until then every write fails, as on a full disk. */
        long fullUntil;

        private boolean writeScheduled;
        private boolean stopped;

        SimWriter(Member node) {
            this.node = node;
            this.life = node.incarnation;
        }

        @Override
        public void start() {}

        @Override
        public void repair(LogEntry entry, Runnable whenDurable) {
            if (!stopped) {
                node.store.replace(entry);
                whenDurable.run();
            }
        }

        @Override
        public void saveMetadata(String name, io.raftlog.api.Bytes value) {
            if (!stopped) {
                node.store.saveMetadata(name, value); // small and rare: durable at once
            }
        }

        /** A reset or prefix removal of the log, in order with the Readys. */
        private record Extent(boolean reset, long index, long term) {}

        @Override
        public void reset(long index, long term) {
            if (!stopped) {
                queued.add(new Extent(true, index, term));
                scheduleWrite();
            }
        }

        @Override
        public void truncatePrefix(long toIndex) {
            if (!stopped) {
                queued.add(new Extent(false, toIndex, 0));
                scheduleWrite();
            }
        }

        @Override
        public void submit(Ready ready) {
            if (stopped) {
                return;
            }
            queued.add(ready);
            scheduleWrite();
        }

        private void scheduleWrite() {
            if (!writeScheduled && !queued.isEmpty()) {
                writeScheduled = true;
                long delay = random.nextInt(maxDiskDelayMillis) * MS + random.nextInt((int) MS);
                if (slowUntil > now) {
                    delay += (10 + random.nextInt(200)) * MS;
                }
                NodeSimulation.this.schedule(delay, Kind.WRITE, node, node.incarnation, null);
            }
        }

        void write() {
            writeScheduled = false;
            if (stopped || (queued.isEmpty() && batch.isEmpty())) {
                return; // a retry finds its batch in `batch`, however empty the queue is
            }
            if (batch.isEmpty()) {
                int merge = 1 + random.nextInt(queued.size());
                for (int i = 0; i < merge; i++) {
                    batch.add(queued.poll());
                }
            }
            // Write what is left of the merged batch; a failure may come partway through it.
            while (written < batch.size()) {
                boolean full = fullUntil > now || node.diskFull;
                if (!calm && (full || node.diskCut || random.nextDouble() < diskErrorRate)) {
                    if (random.nextDouble() < FATAL_SHARE && !full && !node.diskCut) {
                        // Rarely an error that is not transient (as a bug or a lying disk would give):
                        // the node stops, as a real one does, and its supervisor restarts it later.
                        stopped = true;
                        listener.failed(new io.raftlog.api.CorruptLogException(
                                !(batch.get(written) instanceof Ready failedReady) || failedReady.lastEntry() == null
                                        ? 0
                                        : failedReady.lastEntry().index(),
                                "simulated disk of " + node.id,
                                "simulated fatal write error in a merged batch of " + batch.size()));
                        return;
                    }
                    // A transient failure (an I/O error, a full disk): reported, then retried with
                    // back-off, as StorageWriter does; nothing of the batch is sent or reported meanwhile.
                    storageFailures++;
                    failing = true;
                    listener.writeFailing(new io.raftlog.api.StorageException("simulated "
                            + (full ? "full disk" : node.diskCut ? "I/O error (disk unreachable)" : "I/O error")
                            + " on " + node.id
                            + " in a merged batch of " + batch.size()));
                    NodeSimulation.this.schedule(backoffMillis * MS, Kind.WRITE, node, node.incarnation, null);
                    writeScheduled = true;
                    backoffMillis = Math.min(1000, backoffMillis * 2);
                    return;
                }
                writeOne(batch.get(written));
                written++;
            }
            if (failing) {
                failing = false;
                backoffMillis = 10;
                listener.writeRecovered();
            }
            Ready lastWithEntries = null;
            for (Object item : batch) {
                if (!(item instanceof Ready ready)) {
                    continue;
                }
                if (!ready.entries().isEmpty()) {
                    lastWithEntries = ready;
                }
                if (!ready.messagesAfterPersist().isEmpty()) {
                    NodeSimulation.this.schedule(
                            random.nextInt(3) * MS + random.nextInt((int) MS),
                            Kind.AFTER_PERSIST,
                            node,
                            node.incarnation,
                            ready.messagesAfterPersist());
                }
            }
            batch.clear();
            written = 0;
            if (lastWithEntries != null) {
                LogEntry last = lastWithEntries.lastEntry();
                NodeSimulation.this.schedule(
                        (calm ? random.nextInt(3) : random.nextInt(maxReportDelayMillis)) * MS
                                + random.nextInt((int) MS),
                        Kind.REPORT,
                        node,
                        node.incarnation,
                        new long[] {last.index(), last.term(), lastWithEntries.logEpoch()});
            }
            scheduleWrite();
        }

        private void writeOne(Object item) {
            if (item instanceof Extent extent) {
                if (extent.reset()) {
                    node.store.reset(extent.index(), extent.term());
                    checker.onSnapshotInstalled(node.id, extent.index(), extent.term(), node.hashes);
                } else if (extent.index() > node.store.firstIndex() && extent.index() <= node.store.lastIndex() + 1) {
                    node.store.truncatePrefix(extent.index());
                }
                return;
            }
            Ready ready = (Ready) item;
            ready.hardState().ifPresent(node.store::saveHardState);
            List<LogEntry> entries = ready.entries();
            if (entries.isEmpty()) {
                return;
            }
            long first = entries.get(0).index();
            long lastHanded = node.store.lastIndex();
            var status = node.loop.status();
            boolean leader = status.role() == Role.LEADER
                    && first <= lastHanded
                    && node.volume.rawEntries(lastHanded, 1).get(0).term() == status.term();
            checker.onEntries(node.id, leader, lastHanded, entries, node.hashes);
            if (first <= lastHanded) {
                watcher.truncated(node, first, lastHanded);
                node.store.truncateSuffix(first);
            }
            node.store.append(entries);
        }

        /** A driver gave the disk back: retry the failing write now rather than after the back-off. */
        void retryNow() {
            if (!stopped && failing) {
                backoffMillis = 10;
                NodeSimulation.this.schedule(0, Kind.WRITE, node, node.incarnation, null);
            }
        }

        void report(long[] report) {
            if (!stopped && life == node.incarnation) {
                listener.durable(report[0], report[1], report[2]);
            }
        }

        /** A crash: what was queued never reaches the disk. */
        void lost() {
            stopped = true;
            queued.clear();
            batch.clear();
        }

        @Override
        public void stop() {
            stopped = true;
            queued.clear();
        }
    }
}
