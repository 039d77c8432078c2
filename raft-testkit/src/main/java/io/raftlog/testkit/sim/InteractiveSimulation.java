package io.raftlog.testkit.sim;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.IdentityRequest;
import io.raftlog.api.message.IdentityResponse;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.ReadIndexRequest;
import io.raftlog.api.message.ReadIndexResponse;
import io.raftlog.api.message.RepairRequest;
import io.raftlog.api.message.RepairResponse;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.SnapshotStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * A cluster of real nodes on the simulator's virtual time, driven by a person or a test instead
 * of the simulator's own faults: the Raft console runs one. Everything a node does is the real
 * node code ({@link io.raftlog.core.NodeLoop}); the network and the disks are the simulator's, and
 * so is {@link SafetyChecker}, which checks the invariants after every event.
 *
 * <p>A run is its seed, its number of nodes and its {@link Action}s, each taken after a number of
 * events: {@link #replay} with the same three reaches exactly the same state, which is how the
 * console goes back in time ({@link #seek}) and how an exported run becomes a regression test.
 *
 * <p>Not thread-safe: one thread drives it (the console's own).
 */
public final class InteractiveSimulation {
    /** Nodes a run starts with: three or five. */
    public static final Set<Integer> SIZES = Set.of(3, 5);
    /** Timeline entries kept; the oldest go first. */
    static final int MAX_TIMELINE = 100_000;
    /** Events {@link #step()} handles at most while looking for something to show. */
    private static final int MAX_SILENT_EVENTS = 10_000;
    /** How long {@code pause} stops a node's world when no duration is given. */
    public static final long DEFAULT_PAUSE_MILLIS = 1_500;

    private static final long MS = NodeSimulation.MS;
    /** How often the console's client sends a record before it gives up (redirects included). */
    private static final int MAX_SEND_ATTEMPTS = 30;
    /** How long the client waits before trying again while no leader is known. */
    private static final long SEND_RETRY_MILLIS = 100;

    /** The verbs an {@link Action} may have, with the arguments each takes. */
    public static final Map<String, String> VERBS = Map.ofEntries(
            Map.entry("stop", "node"),
            Map.entry("restart", "node"),
            Map.entry("pause", "node [millis]"),
            Map.entry("cut", "from to"),
            Map.entry("restore", "from to"),
            Map.entry("append", "node text"),
            Map.entry("read", "node offset"),
            Map.entry("corrupt", "node index"),
            Map.entry("forge", "node index"),
            Map.entry("disk-cut", "node"),
            Map.entry("disk-restore", "node"),
            Map.entry("disk-full", "node"),
            Map.entry("disk-free", "node"),
            Map.entry("add", ""),
            Map.entry("promote", "node"),
            Map.entry("remove", "node"),
            Map.entry("transfer", "node"));

    /**
     * Something done to the cluster after {@code step} events.
     *
     * @param step the number of events handled before it was done
     * @param verb one of {@link #VERBS}
     * @param args its arguments: node ids, numbers, the text of a record
     */
    public record Action(long step, String verb, List<String> args) {
        public Action {
            if (step < 0) {
                throw new IllegalArgumentException("an action's step cannot be negative, got " + step);
            }
            Objects.requireNonNull(verb, "verb");
            if (!VERBS.containsKey(verb)) {
                throw new IllegalArgumentException(
                        "unknown action '" + verb + "'; known: " + new java.util.TreeSet<>(VERBS.keySet()));
            }
            args = List.copyOf(args);
        }

        /** The action {@code verb args…} after {@code step} events. */
        public static Action of(long step, String verb, String... args) {
            return new Action(step, verb, List.of(args));
        }

        /** This action as Java source, as an exported test writes it. */
        public String toJava() {
            StringBuilder text =
                    new StringBuilder("Action.of(").append(step).append("L, ").append(quote(verb));
            for (String arg : args) {
                text.append(", ").append(quote(arg));
            }
            return text.append(')').toString();
        }

        @Override
        public String toString() {
            return "@" + step + " " + verb + (args.isEmpty() ? "" : " " + String.join(" ", args));
        }
    }

    /**
     * One line of the run's history.
     *
     * @param sequence its position in the whole history (the first is 1)
     * @param step     the events handled when it happened
     * @param time     the virtual time, in nanoseconds
     * @param node     the node it is about, or empty
     * @param kind     action, client, message, heartbeat, dropped, role, term, commit, node, disk, log
     *                 or violation
     * @param text     what happened, as a sentence
     */
    public record TimelineEntry(long sequence, long step, long time, String node, String kind, String text) {}

    /** One node as the console shows it. */
    public record NodeView(
            String id,
            boolean up,
            boolean paused,
            boolean voter,
            boolean member,
            String role,
            long term,
            String votedFor,
            String leader,
            long commitIndex,
            long logStart,
            long storedFrom,
            long lastIndex,
            long snapshotIndex,
            int electionTicksLeft,
            int electionTimeoutTicks,
            String disk,
            String health,
            String problem,
            List<EntryView> entries) {}

    /** A stored entry: its index and term, what it holds, whether this node knows it committed. */
    public record EntryView(long index, long term, String type, String text, boolean committed, boolean damaged) {}

    /** A message on the wire between {@code sentAt} and {@code arrival} (virtual nanoseconds). */
    public record MessageView(
            String from,
            String to,
            String kind,
            String family,
            boolean reply,
            String text,
            long sentAt,
            long arrival) {}

    /** What a node's disk holds: its hard state, its stored entries and its snapshots. */
    public record PersistedView(
            String id,
            long term,
            String votedFor,
            long firstIndex,
            List<EntryView> entries,
            List<SnapshotStore.SnapshotInfo> snapshots) {}

    /** The whole cluster at the current step. */
    public record View(
            long seed,
            int size,
            long step,
            long time,
            Optional<String> verdict,
            long committedIndex,
            List<NodeView> nodes,
            List<MessageView> inFlight,
            List<List<String>> cutLinks,
            List<Action> actions,
            int pendingActions) {}

    private final long seed;
    private final int size;
    private NodeSimulation sim;
    private final List<Action> actions = new ArrayList<>();
    /** Actions after the current step, kept after a {@link #seek} back: replayed as the run gets there. */
    private final ArrayDeque<Action> pending = new ArrayDeque<>();

    private final ArrayDeque<TimelineEntry> timeline = new ArrayDeque<>();
    private long timelineSequence;
    private String verdict;
    private String report;
    /** How far {@link #runFor} took time, which may be past the last event. */
    private long horizon;

    private final Map<String, Observed> observed = new HashMap<>();

    private InteractiveSimulation(long seed, int size) {
        if (!SIZES.contains(size)) {
            throw new IllegalArgumentException("a console cluster has 3 or 5 nodes, not " + size);
        }
        this.seed = seed;
        this.size = size;
        boot();
    }

    /** A new run of {@code size} nodes (3 or 5) from {@code seed}, at step 0. */
    public static InteractiveSimulation start(long seed, int size) {
        return new InteractiveSimulation(seed, size);
    }

    /**
     * Replays a run: {@code seed}, {@code size} and {@code actions}, each taken at its step, up to
     * {@code steps} events (fewer if an invariant breaks first).
     */
    public static InteractiveSimulation replay(long seed, int size, List<Action> actions, long steps) {
        InteractiveSimulation run = new InteractiveSimulation(seed, size);
        run.pending.addAll(sorted(actions));
        run.advanceTo(steps);
        return run;
    }

    private static List<Action> sorted(List<Action> actions) {
        List<Action> copy = new ArrayList<>(actions);
        copy.sort(java.util.Comparator.comparingLong(Action::step)); // stable: same-step order kept
        return copy;
    }

    private void boot() {
        observed.clear();
        timeline.clear();
        timelineSequence = 0;
        verdict = null;
        report = null;
        horizon = 0;
        try {
            sim = new NodeSimulation(seed, size);
        } catch (RuntimeException | AssertionError e) {
            throw new IllegalStateException("the cluster of seed " + seed + " failed to start: " + e, e);
        }
        sim.watcher = new Recorder();
        note("", "action", "cluster of " + size + " nodes started from seed " + seed);
        observeAll();
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return size;
    }

    /** Events handled so far: the run's position. */
    public long steps() {
        return sim.eventsHandled();
    }

    /** Virtual time, in nanoseconds: the last event's, or later if time ran on with nothing due. */
    public long time() {
        return Math.max(sim.now, horizon);
    }

    /** The broken rule, if an invariant broke: the run stops there. */
    public Optional<String> verdict() {
        return Optional.ofNullable(verdict);
    }

    /** The simulator's full report of the broken invariant (nodes, last events), if one broke. */
    public Optional<String> report() {
        return Optional.ofNullable(report);
    }

    /** The actions taken up to now, in order. */
    public List<Action> actions() {
        return List.copyOf(actions);
    }

    // ------------------------------------------------------------------ time

    /**
     * Handles one event, after the recorded actions due at this step.
     *
     * @return whether there was one (false once an invariant broke)
     */
    public boolean stepEvent() {
        if (verdict != null) {
            return false;
        }
        applyDue();
        if (verdict != null) {
            return false;
        }
        try {
            if (sim.stepOne() == null) {
                return false;
            }
            observeAll();
            return true;
        } catch (RuntimeException | AssertionError e) {
            broke(e);
            return false;
        }
    }

    /**
     * Handles events until something worth showing happens (a message, a change of a node), or an
     * invariant breaks.
     *
     * @return the timeline entries it made
     */
    public List<TimelineEntry> step() {
        long before = timelineSequence;
        for (int i = 0; i < MAX_SILENT_EVENTS && timelineSequence == before; i++) {
            if (!stepEvent()) {
                break;
            }
        }
        return timelineSince(before);
    }

    /** Handles every event due in the next {@code nanos} of virtual time. */
    public void runFor(long nanos) {
        long until = time() + nanos;
        horizon = until;
        while (verdict == null) {
            var next = sim.peekEvent();
            if (next == null || next.time() > until) {
                break;
            }
            stepEvent();
        }
    }

    /** Goes to step {@code target}, earlier or later: earlier means replaying from the seed. */
    public void seek(long target) {
        if (target < 0) {
            throw new IllegalArgumentException("a step cannot be negative, got " + target);
        }
        if (target < steps() || verdict != null) {
            List<Action> all = new ArrayList<>(actions);
            all.addAll(pending);
            actions.clear();
            pending.clear();
            boot();
            pending.addAll(sorted(all));
        }
        advanceTo(target);
    }

    private void advanceTo(long target) {
        while (steps() < target && stepEvent()) {
            // replaying
        }
        applyDue();
    }

    private void applyDue() {
        while (!pending.isEmpty() && pending.peekFirst().step() <= steps() && verdict == null) {
            Action action = pending.pollFirst();
            try {
                perform(action);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "the replay diverged: " + action + " was refused (" + e.getMessage()
                                + "); the run was recorded with another version of raftlog",
                        e);
            }
        }
    }

    // ------------------------------------------------------------------ actions

    /**
     * Does {@code verb args…} now and records it; any actions kept after a {@link #seek} back are
     * dropped (the run takes another course from here).
     *
     * @return what was done, as a sentence
     * @throws IllegalArgumentException if the action makes no sense now (an unknown node, a node
     *     already down, no leader to ask), with the reason
     * @throws IllegalStateException if the run stopped on a broken invariant
     */
    public String act(String verb, String... args) {
        if (verdict != null) {
            throw new IllegalStateException("the run stopped on a broken invariant; reset it or go back in time");
        }
        Action action = new Action(steps(), verb, List.of(args));
        pending.clear();
        return perform(action);
    }

    private String perform(Action action) {
        String done;
        long before = timelineSequence;
        try {
            done = apply(action.verb(), action.args());
        } catch (IllegalArgumentException refused) {
            throw refused;
        } catch (RuntimeException | AssertionError e) {
            actions.add(action);
            broke(e);
            return "an invariant broke: " + verdict;
        }
        actions.add(action);
        // The action first, then what it caused at once (a read that meets a damaged entry fails inside it).
        List<TimelineEntry> caused = new ArrayList<>();
        while (!timeline.isEmpty() && timeline.peekLast().sequence() > before) {
            caused.add(0, timeline.pollLast());
        }
        timelineSequence = before;
        note(action.args().isEmpty() ? "" : action.args().get(0), "action", done);
        for (TimelineEntry entry : caused) {
            note(entry.node(), entry.kind(), entry.text());
        }
        try {
            sim.workload.check();
            observeAll();
        } catch (RuntimeException | AssertionError e) {
            broke(e);
        }
        return done;
    }

    private String apply(String verb, List<String> args) {
        String expected = VERBS.get(verb);
        int needed = expected.isEmpty()
                ? 0
                : (int) expected.chars().filter(c -> c == ' ').count() + 1;
        int optional = (int) expected.chars().filter(c -> c == '[').count();
        if (args.size() > needed || args.size() < needed - optional) {
            throw new IllegalArgumentException(verb + " takes: " + (expected.isEmpty() ? "no arguments" : expected));
        }
        switch (verb) {
            case "stop" -> {
                NodeSimulation.Member node = up(args.get(0));
                node.crash();
                return node.id + " stopped (killed: what it had not written to disk is lost)";
            }
            case "restart" -> {
                NodeSimulation.Member node = node(args.get(0));
                if (node.up) {
                    throw new IllegalArgumentException(node.id + " is already running");
                }
                if (node.retired) {
                    throw new IllegalArgumentException(node.id + " was shut down for good");
                }
                node.start();
                return node.id + " restarted on its disk";
            }
            case "pause" -> {
                NodeSimulation.Member node = up(args.get(0));
                long millis = args.size() > 1 ? number(args.get(1), "millis") : DEFAULT_PAUSE_MILLIS;
                if (millis < 1 || millis > 60_000) {
                    throw new IllegalArgumentException("a pause lasts 1 to 60000 ms, not " + millis);
                }
                node.pausedUntil = Math.max(node.pausedUntil, sim.now + millis * MS);
                return node.id + " paused for " + millis + " ms (stop-the-world: it handles nothing meanwhile)";
            }
            case "cut", "restore" -> {
                NodeSimulation.Member from = node(args.get(0));
                NodeSimulation.Member to = node(args.get(1));
                if (from == to) {
                    throw new IllegalArgumentException("a link joins two different nodes");
                }
                boolean cut = verb.equals("cut");
                sim.cutLink(from, to, cut);
                return "link " + from.id + " → " + to.id + (cut ? " cut: its messages are dropped" : " restored");
            }
            case "append" -> {
                NodeSimulation.Member node = up(args.get(0));
                String text = args.get(1);
                if (text.isEmpty() || text.length() > 200) {
                    throw new IllegalArgumentException("a record's text is 1 to 200 characters");
                }
                send(node, text, 0);
                return "client sends \"" + text + "\" to " + node.id;
            }
            case "read" -> {
                NodeSimulation.Member node = up(args.get(0));
                long offset = number(args.get(1), "offset");
                read(node, offset);
                return "client reads from offset " + offset + " on " + node.id;
            }
            case "corrupt" -> {
                NodeSimulation.Member node = node(args.get(0));
                long index = storedIndex(node, args.get(1));
                node.volume.damage(index);
                return "bytes flipped in entry " + index + " on " + node.id
                        + "'s disk: its checksum will catch it when the entry is next read";
            }
            case "forge" -> {
                NodeSimulation.Member node = node(args.get(0));
                long index = storedIndex(node, args.get(1));
                node.volume.forge(index, Bytes.ofUtf8("forged"));
                return "entry " + index + " on " + node.id
                        + "'s disk now holds other bytes that pass its checksum (a misdirected write: what no"
                        + " checksum catches; the checker will, once the node uses it)";
            }
            case "disk-cut", "disk-restore" -> {
                NodeSimulation.Member node = node(args.get(0));
                node.diskCut = verb.equals("disk-cut");
                if (!node.diskCut && node.up) {
                    node.writer.retryNow();
                }
                return node.diskCut ? node.id + "'s disk cut off: every write fails" : node.id + "'s disk is back";
            }
            case "disk-full", "disk-free" -> {
                NodeSimulation.Member node = node(args.get(0));
                node.diskFull = verb.equals("disk-full");
                if (!node.diskFull && node.up) {
                    node.writer.retryNow();
                }
                return node.diskFull
                        ? node.id + "'s disk is full: every write fails"
                        : "space freed on " + node.id + "'s disk";
            }
            case "add" -> {
                NodeSimulation.Member leader = leader();
                if (sim.nodes.size() >= sim.capacity()) {
                    throw new IllegalArgumentException("this run has room for " + sim.capacity() + " nodes");
                }
                NodeSimulation.Member joining = sim.addNode(
                        List.copyOf(leader.loop.membership().voters().keySet()));
                NodeId id = joining.id;
                leader.loop
                        .addLearner(id, "sim://" + id)
                        .whenComplete((membership, error) ->
                                outcome(id.toString(), error, "added " + id + " as a learner: " + membership));
                return joining.id + " started empty, and " + leader.id + " is asked to add it as a learner";
            }
            case "promote", "remove" -> {
                NodeId target = node(args.get(0)).id;
                NodeSimulation.Member leader = leader();
                CompletableFuture<io.raftlog.api.Membership> change =
                        verb.equals("promote") ? leader.loop.promote(target) : leader.loop.removeMember(target);
                change.whenComplete((membership, error) -> outcome(
                        target.toString(),
                        error,
                        (verb.equals("promote") ? "promoted " + target + " to voter: " : "removed " + target + ": ")
                                + membership));
                return leader.id + " is asked to " + verb + " " + target;
            }
            case "transfer" -> {
                NodeId target = node(args.get(0)).id;
                NodeSimulation.Member leader = leader();
                leader.loop
                        .transferLeadership(target)
                        .whenComplete((ignored, error) -> outcome(
                                target.toString(),
                                error,
                                "leadership transferred from " + leader.id + " to " + target));
                return leader.id + " is asked to hand leadership to " + target;
            }
            default -> throw new IllegalArgumentException("unknown action " + verb);
        }
    }

    /** The index {@code text} names, which must be an entry on {@code node}'s disk. */
    private long storedIndex(NodeSimulation.Member node, String text) {
        long index = number(text, "index");
        long first = node.volume.firstIndex();
        long last = first + node.volume.size() - 1;
        if (index < first || index > last) {
            throw new IllegalArgumentException(
                    node.id + "'s disk holds entries " + first + ".." + last + ", not " + index);
        }
        return index;
    }

    /**
     * Sends {@code text} to {@code node} as raftlog's client does: follows a redirect to the
     * leader a refusal names, and while no leader is known (an election) tries again a little
     * later, at the same node while it is up, else at the next one that is.
     */
    private void send(NodeSimulation.Member node, String text, int attempt) {
        sim.workload.append(node, List.of(Bytes.ofUtf8(text))).whenComplete((offsets, error) -> {
            Throwable cause = unwrap(error);
            if (error == null) {
                note(
                        node.id.toString(),
                        "client",
                        "\"" + text + "\" committed at offset " + offsets.get(0) + " (acknowledged by " + node.id
                                + ")");
                return;
            }
            if (!(cause instanceof NotLeaderException notLeader) || attempt + 1 >= MAX_SEND_ATTEMPTS) {
                note(node.id.toString(), "client", "\"" + text + "\" failed on " + node.id + ": " + describe(cause));
                return;
            }
            NodeSimulation.Member hinted =
                    notLeader.leaderHint().map(sim::memberOrNull).orElse(null);
            if (hinted != null && hinted.up && hinted != node) {
                note(
                        node.id.toString(),
                        "client",
                        "redirect: " + node.id + " is not the leader; the client sends \"" + text + "\" to "
                                + hinted.id);
                send(hinted, text, attempt + 1);
                return;
            }
            note(
                    node.id.toString(),
                    "client",
                    node.id + " knows no leader" + (hinted == null ? "" : " that is up") + ": the client tries \""
                            + text + "\" again in " + SEND_RETRY_MILLIS + " ms");
            sim.later(SEND_RETRY_MILLIS * MS, () -> {
                NodeSimulation.Member next = node.up ? node : nextUp(node);
                if (next == null) {
                    note(node.id.toString(), "client", "no node is up: \"" + text + "\" is not sent");
                } else {
                    send(next, text, attempt + 1);
                }
            });
        });
    }

    /** The first node up after {@code node}, in the order they joined; null if none is. */
    private NodeSimulation.Member nextUp(NodeSimulation.Member node) {
        List<NodeSimulation.Member> all = sim.nodes;
        int at = all.indexOf(node);
        for (int i = 1; i <= all.size(); i++) {
            NodeSimulation.Member candidate = all.get((at + i) % all.size());
            if (candidate.up && !candidate.retired) {
                return candidate;
            }
        }
        return null;
    }

    private void read(NodeSimulation.Member node, long offset) {
        node.loop.read(offset, 10, Duration.ZERO).whenComplete((records, error) -> {
            Throwable cause = unwrap(error);
            if (error == null) {
                List<String> texts = new ArrayList<>();
                for (CommittedRecord record : records) {
                    texts.add(record.offset() + ":\"" + printable(record.payload()) + "\"");
                }
                note(
                        node.id.toString(),
                        "client",
                        node.id + " returned " + records.size() + " record"
                                + (records.size() == 1 ? "" : "s") + " from offset " + offset
                                + (texts.isEmpty() ? "" : ": " + String.join(", ", texts)));
            } else if (cause instanceof CorruptLogException corrupt) {
                note(
                        node.id.toString(),
                        "disk",
                        node.id + " found entry " + corrupt.index()
                                + " corrupt (its checksum fails): the read fails typed, and the entry is repaired from a peer");
            } else {
                note(node.id.toString(), "client", "read on " + node.id + " failed: " + describe(cause));
            }
        });
    }

    private void outcome(String node, Throwable error, String success) {
        note(node, "client", error == null ? success : "refused: " + describe(unwrap(error)));
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private static String describe(Throwable cause) {
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private NodeSimulation.Member node(String id) {
        NodeSimulation.Member node = sim.memberOrNull(NodeId.of(id));
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + "; the nodes are " + ids());
        }
        return node;
    }

    private NodeSimulation.Member up(String id) {
        NodeSimulation.Member node = node(id);
        if (!node.up) {
            throw new IllegalArgumentException(node.id + " is down");
        }
        return node;
    }

    private List<String> ids() {
        return sim.nodes.stream().map(node -> node.id.toString()).toList();
    }

    /** The leader of the newest term, or an error that says none leads. */
    private NodeSimulation.Member leader() {
        NodeSimulation.Member best = null;
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up
                    && !node.loop.isClosed()
                    && node.loop.status().role() == Role.LEADER
                    && (best == null
                            || node.loop.status().term() > best.loop.status().term())) {
                best = node;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no node leads now: wait for an election");
        }
        return best;
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + text + "'");
        }
    }

    private void broke(Throwable error) {
        verdict = String.valueOf(error.getMessage()).lines().findFirst().orElse(String.valueOf(error));
        report = sim.failureReport(error);
        note("", "violation", verdict);
    }

    // ------------------------------------------------------------------ timeline

    private void note(String node, String kind, String text) {
        if (timeline.size() >= MAX_TIMELINE) {
            timeline.pollFirst();
        }
        timeline.addLast(new TimelineEntry(++timelineSequence, steps(), sim.now, node, kind, text));
    }

    /** Timeline entries after {@code sequence}, oldest first. */
    public List<TimelineEntry> timelineSince(long sequence) {
        List<TimelineEntry> result = new ArrayList<>();
        var descending = timeline.descendingIterator();
        while (descending.hasNext()) {
            TimelineEntry entry = descending.next();
            if (entry.sequence() <= sequence) {
                break;
            }
            result.add(entry);
        }
        java.util.Collections.reverse(result);
        return result;
    }

    /** The newest {@code limit} timeline entries that {@code filter} accepts, oldest first. */
    public List<TimelineEntry> timeline(Predicate<TimelineEntry> filter, int limit) {
        List<TimelineEntry> result = new ArrayList<>();
        var descending = timeline.descendingIterator();
        while (descending.hasNext() && result.size() < limit) {
            TimelineEntry entry = descending.next();
            if (filter.test(entry)) {
                result.add(entry);
            }
        }
        java.util.Collections.reverse(result);
        return result;
    }

    /** What the timeline remembers of each node between events, to tell what changed. */
    private record Observed(
            boolean up, Role role, long term, String leader, long commit, String health, String disk, boolean paused) {}

    private void observeAll() {
        for (NodeSimulation.Member node : sim.nodes) {
            String id = node.id.toString();
            Observed now = observe(node);
            Observed before = observed.put(id, now);
            if (before == null) {
                if (!now.up() && node.retired) {
                    continue;
                }
                note(id, "node", id + (now.up() ? " is up, " + roleName(now.role()) : " is down"));
                continue;
            }
            if (before.up() != now.up()) {
                note(id, "node", id + (now.up() ? " is up" : node.retired ? " shut down for good" : " is down"));
            }
            if (!now.up()) {
                continue;
            }
            if (before.paused() != now.paused()) {
                note(id, "node", id + (now.paused() ? " is paused" : " runs again after its pause"));
            }
            if (before.term() != now.term()) {
                note(id, "term", id + " is in term " + now.term());
            }
            if (before.role() != now.role()) {
                note(id, "role", id + " is " + roleName(now.role()) + " of term " + now.term());
            }
            if (!Objects.equals(before.leader(), now.leader()) && now.leader() != null && now.role() != Role.LEADER) {
                note(id, "role", id + " follows " + now.leader() + " in term " + now.term());
            }
            if (before.commit() != now.commit()) {
                note(id, "commit", id + " commits up to " + now.commit());
            }
            if (!before.health().equals(now.health())) {
                NodeStatus status = node.loop.status();
                note(
                        id,
                        "disk",
                        id + "'s health: "
                                + now.health().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + status.problem()
                                        .map(problem -> ": " + problem)
                                        .orElse(""));
            }
            if (!before.disk().equals(now.disk())) {
                note(id, "disk", id + "'s disk: " + now.disk());
            }
        }
    }

    private static String roleName(Role role) {
        return role.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private Observed observe(NodeSimulation.Member node) {
        if (!node.up || node.loop == null || node.loop.isClosed()) {
            return new Observed(false, Role.FOLLOWER, 0, null, 0, "DOWN", diskState(node, null), false);
        }
        NodeStatus status = node.loop.status();
        return new Observed(
                true,
                status.role(),
                status.term(),
                status.leader().map(NodeId::toString).orElse(null),
                status.commitIndex(),
                status.health().name(),
                diskState(node, status),
                node.pausedUntil > sim.now);
    }

    private String diskState(NodeSimulation.Member node, NodeStatus status) {
        if (node.diskCut) {
            return "failing";
        }
        if (node.diskFull) {
            return "full";
        }
        if (status != null && status.health() == NodeStatus.Health.REPAIRING) {
            return "repairing";
        }
        if (node.volume.hasDamage()) {
            return "damaged";
        }
        return "healthy";
    }

    /** Records what the network does, as timeline entries. */
    private final class Recorder implements NodeSimulation.Watcher {
        /** The index each follower last acknowledged to each leader: a reply that repeats it answers a heartbeat. */
        private final Map<String, Long> acknowledged = new HashMap<>();

        @Override
        public void sent(
                NodeSimulation.Member from,
                NodeSimulation.Member to,
                RaftMessage message,
                long arrival,
                String dropped) {
            boolean heartbeat = message instanceof AppendEntriesRequest append
                    && append.entries().isEmpty();
            if (message instanceof AppendEntriesResponse response && response.success()) {
                Long before = acknowledged.put(from.id + ">" + to.id, response.index());
                heartbeat = before != null && before == response.index();
            }
            String kind = heartbeat ? "heartbeat" : "message";
            if (dropped != null) {
                note(
                        from.id.toString(),
                        "dropped",
                        from.id + " → " + to.id + " " + describe(message) + " dropped: " + dropped);
            } else {
                note(from.id.toString(), kind, from.id + " → " + to.id + " " + describe(message));
            }
        }

        @Override
        public void delivered(NodeSimulation.Member from, NodeSimulation.Member to, RaftMessage message, String lost) {
            if (lost != null) {
                note(to.id.toString(), "dropped", from.id + " → " + to.id + " " + describe(message) + " lost: " + lost);
            }
        }

        @Override
        public void truncated(NodeSimulation.Member node, long from, long to) {
            note(
                    node.id.toString(),
                    "log",
                    node.id + " drops its conflicting entries " + from + ".." + to + " to take the leader's");
        }
    }

    // ------------------------------------------------------------------ messages

    /** The short name of a message's kind. */
    static String kind(RaftMessage message) {
        if (message instanceof VoteRequest vote) {
            return vote.preVote() ? "pre-vote" : "vote";
        } else if (message instanceof VoteResponse vote) {
            return (vote.preVote() ? "pre-vote" : "vote") + (vote.granted() ? " granted" : " refused");
        } else if (message instanceof AppendEntriesRequest append) {
            return append.entries().isEmpty() ? "heartbeat" : "append";
        } else if (message instanceof AppendEntriesResponse response) {
            return response.success() ? "append ok" : "append refused";
        } else if (message instanceof InstallSnapshotRequest) {
            return "snapshot";
        } else if (message instanceof InstallSnapshotResponse) {
            return "snapshot reply";
        } else if (message instanceof TimeoutNow) {
            return "timeout-now";
        } else if (message instanceof ReadIndexRequest) {
            return "read-index";
        } else if (message instanceof ReadIndexResponse) {
            return "read-index reply";
        } else if (message instanceof RepairRequest) {
            return "repair";
        } else if (message instanceof RepairResponse) {
            return "repair reply";
        } else if (message instanceof IdentityRequest) {
            return "identity";
        } else if (message instanceof IdentityResponse) {
            return "identity reply";
        }
        return message.getClass().getSimpleName();
    }

    /** The family a message's colour tells: vote, append, snapshot, repair or other. */
    static String family(RaftMessage message) {
        if (message instanceof VoteRequest || message instanceof VoteResponse || message instanceof TimeoutNow) {
            return "vote";
        } else if (message instanceof AppendEntriesRequest || message instanceof AppendEntriesResponse) {
            return "append";
        } else if (message instanceof InstallSnapshotRequest || message instanceof InstallSnapshotResponse) {
            return "snapshot";
        } else if (message instanceof RepairRequest || message instanceof RepairResponse) {
            return "repair";
        }
        return "other";
    }

    static boolean reply(RaftMessage message) {
        return message instanceof VoteResponse
                || message instanceof AppendEntriesResponse
                || message instanceof InstallSnapshotResponse
                || message instanceof ReadIndexResponse
                || message instanceof RepairResponse
                || message instanceof IdentityResponse;
    }

    /** A message in a few words: its kind, term and what it carries. */
    static String describe(RaftMessage message) {
        String kind = kind(message);
        if (message instanceof VoteRequest vote) {
            return kind + " for term " + vote.term() + " (last entry " + vote.lastLogIndex() + "/t" + vote.lastLogTerm()
                    + (vote.leadershipTransfer() ? ", transfer" : "") + ")";
        } else if (message instanceof AppendEntriesRequest append) {
            String carried = append.entries().isEmpty()
                    ? ""
                    : " " + append.entries().get(0).index()
                            + (append.entries().size() > 1
                                    ? ".."
                                            + append.entries()
                                                    .get(append.entries().size() - 1)
                                                    .index()
                                    : "");
            return kind + carried + " term " + append.term() + " after " + append.prevLogIndex() + "/t"
                    + append.prevLogTerm() + ", commit " + append.leaderCommit();
        } else if (message instanceof AppendEntriesResponse response) {
            return kind + " term " + response.term() + " up to " + response.index();
        } else if (message instanceof InstallSnapshotRequest snapshot) {
            return kind + " up to " + snapshot.snapshotIndex() + " bytes " + snapshot.offset() + "+"
                    + snapshot.data().size() + "/" + snapshot.totalBytes();
        } else if (message instanceof RepairRequest repair) {
            return kind + " of entry " + repair.index();
        } else if (message instanceof RepairResponse repair) {
            return kind + " of entry " + repair.index() + (repair.damaged() ? " (damaged here too)" : "");
        }
        return kind + " term " + message.term();
    }

    // ------------------------------------------------------------------ views

    /** The cluster now. */
    public View view() {
        List<NodeView> nodes = new ArrayList<>();
        for (NodeSimulation.Member node : sim.nodes) {
            nodes.add(nodeView(node));
        }
        List<MessageView> wire = new ArrayList<>();
        for (var event : sim.inFlight()) {
            NodeSimulation.Sent sent = (NodeSimulation.Sent) event.payload();
            RaftMessage message = sent.message();
            wire.add(new MessageView(
                    message.from().toString(),
                    message.to().toString(),
                    kind(message),
                    family(message),
                    reply(message),
                    describe(message),
                    sent.sentAt(),
                    event.time()));
        }
        List<List<String>> cut = new ArrayList<>();
        for (NodeSimulation.Member from : sim.nodes) {
            for (NodeSimulation.Member to : sim.nodes) {
                if (from != to && sim.linkCut(from, to)) {
                    cut.add(List.of(from.id.toString(), to.id.toString()));
                }
            }
        }
        return new View(
                seed,
                size,
                steps(),
                time(),
                verdict(),
                sim.checker.committedIndex(),
                nodes,
                wire,
                cut,
                actions(),
                pending.size());
    }

    private NodeView nodeView(NodeSimulation.Member node) {
        InMemoryVolumeView volume = new InMemoryVolumeView(node);
        boolean running = node.up && node.loop != null && !node.loop.isClosed();
        NodeStatus status = running ? node.loop.status() : null;
        io.raftlog.api.Membership membership = running ? node.loop.membership() : sim.operator.view();
        long commit = status == null ? 0 : status.commitIndex();
        HardState hard = node.volume.hardState();
        List<EntryView> entries = volume.entries(Math.max(volume.first, volume.last - 59), 60, commit);
        return new NodeView(
                node.id.toString(),
                node.up,
                node.pausedUntil > sim.now,
                membership.isVoter(node.id),
                membership.contains(node.id),
                status == null ? (node.retired ? "retired" : "down") : roleName(status.role()),
                status == null ? hard.term() : status.term(),
                hard.votedFor().map(NodeId::toString).orElse(""),
                status == null ? "" : status.leader().map(NodeId::toString).orElse(""),
                commit,
                running ? node.loop.logStartOffset() : 0,
                volume.first,
                volume.last,
                status == null ? 0 : status.log().snapshotIndex(),
                running ? node.loop.electionTicksLeft() : 0,
                running ? node.loop.electionTimeoutTicks() : 0,
                diskState(node, status),
                status == null
                        ? (node.retired ? "RETIRED" : "DOWN")
                        : status.health().name(),
                status == null ? "" : status.problem().orElse(""),
                entries);
    }

    /** What {@code id}'s disk holds now: hard state, every stored entry (up to 2,000), snapshots. */
    public PersistedView persisted(String id) {
        NodeSimulation.Member node = node(id);
        InMemoryVolumeView volume = new InMemoryVolumeView(node);
        long commit = node.up && node.loop != null && !node.loop.isClosed()
                ? node.loop.status().commitIndex()
                : 0;
        HardState hard = node.volume.hardState();
        return new PersistedView(
                node.id.toString(),
                hard.term(),
                hard.votedFor().map(NodeId::toString).orElse(""),
                volume.first,
                volume.entries(Math.max(volume.first, volume.last - 1999), 2000, commit),
                node.volume.snapshots());
    }

    /** A node's volume, read as the simulator's own checks read it (damaged entries included). */
    private static final class InMemoryVolumeView {
        final NodeSimulation.Member node;
        final long first;
        final long last;

        InMemoryVolumeView(NodeSimulation.Member node) {
            this.node = node;
            this.first = node.volume.firstIndex();
            this.last = first + node.volume.size() - 1;
        }

        List<EntryView> entries(long from, int max, long commit) {
            List<EntryView> result = new ArrayList<>();
            for (LogEntry entry : node.volume.rawEntries(from, max)) {
                result.add(new EntryView(
                        entry.index(),
                        entry.term(),
                        entry.type().name().toLowerCase(Locale.ROOT),
                        entry.type() == EntryType.DATA ? printable(entry.payload()) : "",
                        entry.index() <= commit,
                        node.volume.isDamaged(entry.index())));
            }
            return result;
        }
    }

    private static String printable(Bytes payload) {
        String text = payload.toUtf8();
        return text.length() > 60 ? text.substring(0, 57) + "…" : text;
    }

    // ------------------------------------------------------------------ replay

    /**
     * A digest of the run's state: the step, each node's role, term, commit index and log extent,
     * and the committed log. Two runs with the same fingerprint are in the same state.
     */
    public String fingerprint() {
        StringBuilder text = new StringBuilder("step ").append(steps());
        for (NodeSimulation.Member node : sim.nodes) {
            Observed seen = observe(node);
            long first = node.volume.firstIndex();
            text.append("; ")
                    .append(node.id)
                    .append(seen.up() ? " " + roleName(seen.role()) : " down")
                    .append(" t")
                    .append(seen.term())
                    .append(" c")
                    .append(seen.commit())
                    .append(" log ")
                    .append(first)
                    .append("..")
                    .append(first + node.volume.size() - 1);
        }
        long hash = 17;
        long committed = sim.checker.committedIndex();
        for (long index = 1; index <= committed; index++) {
            LogEntry entry = sim.checker.committedAt(index);
            hash = hash * 31
                    + (entry == null ? 0 : entry.term() * 7 + entry.payload().hashCode());
        }
        return text.append("; committed ")
                .append(committed)
                .append(" #")
                .append(Long.toHexString(hash))
                .toString();
    }

    /**
     * The run up to now as a JUnit 5 test: it replays the seed and the actions to this step and
     * checks that no invariant breaks and that the state is the one seen now.
     */
    public String exportTest(String className) {
        if (!className.matches("[A-Z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "a test class name is a Java identifier starting upper case, not '" + className + "'");
        }
        StringBuilder text = new StringBuilder();
        text.append("import static org.junit.jupiter.api.Assertions.assertEquals;\n\n")
                .append("import io.raftlog.testkit.sim.InteractiveSimulation;\n")
                .append("import io.raftlog.testkit.sim.InteractiveSimulation.Action;\n")
                .append("import java.util.List;\n")
                .append("import org.junit.jupiter.api.Test;\n\n")
                .append("/**\n")
                .append(" * A run recorded in the Raft console: seed ")
                .append(seed)
                .append(", ")
                .append(size)
                .append(" nodes, ")
                .append(actions.size())
                .append(" actions, ")
                .append(steps())
                .append(" events.\n")
                .append(" * It replays the run exactly (raft-testkit's InteractiveSimulation) and fails if an\n")
                .append(" * invariant breaks or the cluster ends in another state than the one recorded.\n");
        if (verdict != null) {
            text.append(" *\n * <p>When it was recorded an invariant broke: ")
                    .append(escapeComment(verdict))
                    .append('\n');
        }
        text.append(" */\n")
                .append("public class ")
                .append(className)
                .append(" {\n")
                .append("    @Test\n")
                .append("    public void replaysTheConsoleRun() {\n")
                .append("        InteractiveSimulation run = InteractiveSimulation.replay(\n")
                .append("                ")
                .append(seed)
                .append("L,\n")
                .append("                ")
                .append(size)
                .append(",\n")
                .append("                List.of(");
        for (int i = 0; i < actions.size(); i++) {
            text.append(i == 0 ? "\n" : ",\n")
                    .append("                        ")
                    .append(actions.get(i).toJava());
        }
        text.append("),\n")
                .append("                ")
                .append(steps())
                .append("L);\n")
                .append("        assertEquals(\"\", run.verdict().orElse(\"\"), \"an invariant broke\");\n")
                .append("        assertEquals(\n")
                .append("                ")
                .append(quote(fingerprint()))
                .append(",\n")
                .append("                run.fingerprint());\n")
                .append("    }\n")
                .append("}\n");
        return text.toString();
    }

    private static String escapeComment(String text) {
        return text.replace("*/", "* /");
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
