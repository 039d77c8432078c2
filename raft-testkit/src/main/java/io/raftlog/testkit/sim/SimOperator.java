package io.raftlog.testkit.sim;

import io.raftlog.api.IndeterminateResultException;
import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeClosedException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.Role;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The operator of a {@link NodeSimulation} that changes the cluster while it runs, through a
 * node's public API, one step at a time as docs/OPERATIONS would have it: adds a new node (new
 * id, empty disk, {@code StartMode.JOIN}) as a learner, promotes it once it has caught up, removes
 * voters (a dead one, the leader after a transfer, any other), and shuts a removed node down —
 * or, on some seeds, leaves it running, where it must not disrupt anyone. Refusals are expected
 * (a lagging learner, a change still pending, no live quorum); a change whose outcome is unknown
 * is retried, which the API makes idempotent. It checks:
 * <ul>
 *   <li>every committed configuration differs from the one before by one step (one learner
 *       added, promoted or removed, one voter removed): the single-server rule that keeps the old
 *       and new majorities overlapping;</li>
 *   <li>a completed change is in the membership it completes with;</li>
 *   <li>once the faults stop, the change it started completes (liveness).</li>
 * </ul>
 */
final class SimOperator {
    /** Attempts after the faults stop by which a change must have completed. */
    private static final int MAX_CALM_ATTEMPTS = 150;

    private enum Kind {
        ADD,
        PROMOTE,
        REMOVE
    }

    private static final class Change {
        final Kind kind;
        final NodeId target;
        int attempts;
        int calmAttempts;

        Change(Kind kind, NodeId target) {
            this.kind = kind;
            this.target = target;
        }

        @Override
        public String toString() {
            return kind + " " + target + " (attempt " + attempts + ")";
        }
    }

    private final NodeSimulation sim;
    private final boolean enabled;
    private final int maxAdded;
    private final int minVoters;
    private final int maxVoters;
    /** Whether removed nodes are shut down (otherwise left running, forgotten by the operator). */
    private final double retireShare;

    private Change pending;
    /** The newest membership a leader reported, as the operator sees the cluster. */
    private Membership view;

    private long viewTerm = -1;
    /** The committed configuration entries checked so far (up to this index). */
    private long checkedTo;

    private Membership committed;
    private long committedIndex;

    private int added;
    private int promotions;
    private int removals;
    private int refusals;
    private final List<String> history = new ArrayList<>();

    SimOperator(NodeSimulation sim, List<NodeId> initialVoters, boolean enabled, int maxAdded) {
        this.sim = sim;
        this.enabled = enabled;
        this.maxAdded = maxAdded;
        this.view = Membership.ofVoters(initialVoters);
        this.committed = view;
        this.minVoters = Math.min(3, initialVoters.size());
        this.maxVoters = Math.max(5, initialVoters.size());
        this.retireShare = sim.random.nextInt(4) == 0 ? 0.5 : 1.0;
    }

    void start() {
        if (enabled) {
            next(100 + sim.random.nextInt(400));
        }
    }

    int added() {
        return added;
    }

    int promotions() {
        return promotions;
    }

    int removals() {
        return removals;
    }

    int refusals() {
        return refusals;
    }

    /** Whether no change is outstanding. */
    boolean idle() {
        return pending == null;
    }

    /** The learner a pending promotion makes a voter (it may take effect at any moment), if any. */
    /** The voter the operator's change in flight removes, if that is what it does. */
    java.util.Optional<NodeId> removing() {
        return pending != null && pending.kind == Kind.REMOVE
                ? java.util.Optional.of(pending.target)
                : java.util.Optional.empty();
    }

    java.util.Optional<NodeId> promoting() {
        return pending != null && pending.kind == Kind.PROMOTE
                ? java.util.Optional.of(pending.target)
                : java.util.Optional.empty();
    }

    /** The newest committed membership (from the committed log). */
    Membership committed() {
        return committed;
    }

    private void next(long delayMillis) {
        sim.schedule(delayMillis * NodeSimulation.MS, NodeSimulation.Kind.OPERATOR, null, 0, null);
    }

    /** The membership as the operator knows it: the newest a leader reports (asked when needed). */
    Membership view() {
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up && node.loop != null && node.loop.failure() == null) {
                var status = node.loop.status();
                if (status.role() == Role.LEADER && status.term() >= viewTerm) {
                    viewTerm = status.term();
                    view = node.loop.membership();
                }
            }
        }
        return view;
    }

    /** After every event: the committed configurations, each one step from the one before. */
    void observe() {
        long last = sim.checker.committedIndex();
        for (long index = checkedTo + 1; index <= last; index++) {
            LogEntry entry = sim.checker.committedAt(index);
            if (entry.type() == EntryType.CONFIGURATION) {
                Membership next = Membership.decode(entry.payload());
                requireOneStep(committed, next, index);
                committed = next;
                committedIndex = index;
            }
        }
        checkedTo = last;
    }

    private void requireOneStep(Membership before, Membership after, long index) {
        int steps = 0;
        java.util.Set<NodeId> all = new java.util.TreeSet<>(before.ids());
        all.addAll(after.ids());
        for (NodeId node : all) {
            boolean voterBefore = before.isVoter(node);
            boolean voterAfter = after.isVoter(node);
            if (voterBefore != voterAfter
                    || before.isLearner(node) != after.isLearner(node)
                    || (before.contains(node)
                            && after.contains(node)
                            && !before.addressOf(node).equals(after.addressOf(node)))) {
                steps++;
            }
            if (!before.contains(node) && voterAfter) {
                throw new IllegalStateException("membership: the configuration committed at " + index + " (" + after
                        + ") makes " + node + " a voter without its being a learner first (was " + before + ")");
            }
        }
        if (steps > 1) {
            throw new IllegalStateException("membership: the configuration committed at " + index + " (" + after
                    + ") is more than one step from the one before (" + before
                    + "): old and new majorities may not overlap");
        }
    }

    /** The operator's next move: retry what is outstanding, or start a new change. */
    void step() {
        if (pending != null) {
            send(pending);
            return;
        }
        if (sim.quiet) {
            return; // nothing new once the clients stop; what is outstanding still completes
        }
        Change change = plan();
        if (change != null) {
            pending = change;
            send(change);
        } else {
            next(100 + sim.random.nextInt(400));
        }
    }

    private Change plan() {
        Membership now = view();
        if (!now.learners().isEmpty()) {
            NodeId learner = now.learners().keySet().iterator().next();
            NodeSimulation.Member node = sim.memberOrNull(learner);
            if (node != null && !node.retired && sim.random.nextInt(6) != 0) {
                return new Change(Kind.PROMOTE, learner);
            }
            return new Change(Kind.REMOVE, learner); // given up on (or never started)
        }
        // Sizes over every membership a leader could go on with (the view may be stale while no
        // node leads): never below the fewest voters allowed, never above the most.
        int fewest = now.voters().size();
        int most = fewest;
        for (Membership membership : memberships()) {
            fewest = Math.min(fewest, membership.voters().size());
            most = Math.max(
                    most, membership.voters().size() + membership.learners().size());
        }
        boolean canAdd = added < maxAdded && most < maxVoters;
        boolean canRemove = fewest > minVoters;
        if (!canAdd && !canRemove) {
            return null;
        }
        if (canAdd && (!canRemove || sim.random.nextBoolean())) {
            NodeSimulation.Member joining = sim.addNode(List.copyOf(now.voters().keySet()));
            added++;
            return new Change(Kind.ADD, joining.id);
        }
        // Remove a voter: a dead one first (replacing it), otherwise any, the leader included.
        List<NodeId> candidates = new ArrayList<>(now.voters().keySet());
        for (NodeId voter : candidates) {
            NodeSimulation.Member node = sim.memberOrNull(voter);
            if (node != null && !node.up && sim.random.nextBoolean()) {
                return new Change(Kind.REMOVE, voter);
            }
        }
        return new Change(Kind.REMOVE, candidates.get(sim.random.nextInt(candidates.size())));
    }

    private boolean removalTolerated(NodeId voter) {
        java.util.Set<NodeId> remaining =
                new java.util.HashSet<>(view().voters().keySet());
        remaining.remove(voter);
        return sim.impaired(remaining) <= (remaining.size() - 1) / 2;
    }

    /** The committed membership and the newest in each running node's log. */
    private List<Membership> memberships() {
        List<Membership> all = new ArrayList<>();
        all.add(committed);
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up && !node.retired && node.loop != null && !node.loop.isClosed()) {
                all.add(node.loop.membership());
            }
        }
        return all;
    }

    private void send(Change change) {
        change.attempts++;
        if (sim.calm) {
            change.calmAttempts++;
            if (change.calmAttempts > MAX_CALM_ATTEMPTS) {
                throw new IllegalStateException("liveness: the membership change " + change
                        + " did not complete after the faults stopped (the operator's log is below)");
            }
        }
        if (change.kind == Kind.REMOVE && view().isVoter(change.target) && !removalTolerated(change.target)) {
            // As a careful operator reads the members' health first: it does not shrink the voters
            // while more of those left are impaired (rejoining after a lost disk, repairing) than
            // the smaller cluster tolerates. The leader would refuse it too, but it may not know yet
            // that a peer restarted a moment ago is rejoining.
            next(50 + sim.random.nextInt(100));
            return;
        }
        NodeSimulation.Member node = leaderOrAny();
        if (node == null) {
            next(10 + sim.random.nextInt(40));
            return;
        }
        if (change.kind == Kind.REMOVE
                && node.id.equals(change.target)
                && node.loop.status().role() == Role.LEADER) {
            // A leader cannot remove itself: hand leadership to another voter, then ask again.
            List<NodeId> others = new ArrayList<>(view().voters().keySet());
            others.remove(change.target);
            if (!others.isEmpty()) {
                NodeId to = others.get(sim.random.nextInt(others.size()));
                note("transfer leadership from " + node.id + " to " + to + " to remove it");
                node.loop.transferLeadership(to).exceptionally(error -> null);
            }
            next(20 + sim.random.nextInt(100));
            return;
        }
        note(change + " via " + node.id);
        CompletableFuture<Membership> result = switch (change.kind) {
            case ADD -> node.loop.addLearner(change.target, "sim://" + change.target);
            case PROMOTE -> node.loop.promote(change.target);
            case REMOVE -> node.loop.removeMember(change.target);
        };
        result.whenComplete(sim.guarded((membership, error) -> {
            if (pending != change) {
                return;
            }
            if (error == null) {
                completed(change, membership);
                return;
            }
            Throwable cause = unwrap(error);
            note("  -> " + cause);
            if (cause instanceof MembershipChangeException refused) {
                refusals++;
                if (!refused.retryable() && change.kind == Kind.ADD) {
                    throw new IllegalStateException(
                            "membership: adding learner " + change.target + " was refused: " + refused.getMessage());
                }
                if (!refused.retryable() && change.kind == Kind.REMOVE && !sim.calm) {
                    pending = null; // no live quorum for it, say: the operator thinks again later
                    next(50 + sim.random.nextInt(300));
                    return;
                }
            } else if (!(cause instanceof NotLeaderException)
                    && !(cause instanceof NodeClosedException)
                    && !(cause instanceof IndeterminateResultException)
                    && !(cause instanceof OverloadedException)) {
                throw new IllegalStateException("membership: " + change + " failed unexpectedly: " + cause, cause);
            }
            next(10 + sim.random.nextInt(60)); // again: the change is idempotent
        }));
    }

    private void completed(Change change, Membership membership) {
        note("  -> " + membership);
        boolean done = switch (change.kind) {
            case ADD -> membership.isLearner(change.target) || membership.isVoter(change.target);
            case PROMOTE -> membership.isVoter(change.target);
            case REMOVE -> !membership.contains(change.target);
        };
        if (!done) {
            throw new IllegalStateException(
                    "membership: " + change + " completed with the membership " + membership + ", without the change");
        }
        pending = null;
        view = membership; // the newest the operator knows, until a leader reports a newer one
        switch (change.kind) {
            case ADD -> {}
            case PROMOTE -> promotions++;
            case REMOVE -> {
                removals++;
                NodeSimulation.Member removed = sim.memberOrNull(change.target);
                if (removed != null && sim.random.nextDouble() < retireShare) {
                    sim.retireLater(removed, sim.random.nextInt(300));
                }
            }
        }
        next(20 + sim.random.nextInt(300));
    }

    /** The node that leads in the newest term, or any running node (which may redirect). */
    private NodeSimulation.Member leaderOrAny() {
        NodeSimulation.Member best = null;
        long bestTerm = -1;
        List<NodeSimulation.Member> up = new ArrayList<>();
        for (NodeSimulation.Member node : sim.nodes) {
            if (node.up && node.loop != null && !node.loop.isClosed()) {
                up.add(node);
                var status = node.loop.status();
                if (status.role() == Role.LEADER && status.term() > bestTerm) {
                    best = node;
                    bestTerm = status.term();
                }
            }
        }
        if (best != null && sim.random.nextInt(6) != 0) {
            return best;
        }
        return up.isEmpty() ? null : up.get(sim.random.nextInt(up.size()));
    }

    /** The operator's last moves, for a failure's report. */
    String recentHistory() {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            String line = history.get(i);
            // Every disk event and every change's first attempt; the last lines whatever they are.
            if (line.contains("(fault)")
                    || line.contains("(operator)")
                    || line.contains("(attempt 1)")
                    || (line.contains("  -> ") && !line.contains("Exception"))
                    || i >= history.size() - 12) {
                shown.add(line);
            }
        }
        return String.join("\n    ", shown.subList(Math.max(0, shown.size() - 100), shown.size()));
    }

    void note(String line) {
        history.add((sim.now / NodeSimulation.MS) + "ms " + line);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
