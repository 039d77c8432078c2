package io.raftlog.testkit.linearizability;

import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The search for one object's history: Wing &amp; Gong's backtracking over the entry list (1993),
 * with Lowe's cache of visited configurations (2017, "Testing for linearizability", §4).
 *
 * <p>The history is a doubly linked list of call and return entries in time order. Scanning from
 * its head, every call met before the first return belongs to an operation that may take effect
 * next: apply it to the model and, if the model accepts it and the configuration (operations
 * applied, state) is new, take it out of the list (its return too) and start again from the head.
 * Meeting a return means that operation had to take effect before now and none of the calls
 * before it could be next: undo the last choice and try the call after it. Indeterminate
 * operations have no return entry, so they never force anything and may be left out for good;
 * the search succeeds once every completed operation is applied.
 */
final class WingGongSearch<S, I, O> {
    /** A call or a return of one operation. */
    private static final class Entry {
        final int op;
        final boolean isCall;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean isCall, long time) {
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    /** A choice made: the call taken out of the list and the state before it. */
    private record Frame<S>(Entry call, S stateBefore) {}

    /** A configuration explored; the bits are a copy nobody changes. */
    private record Visited(BitSet linearized, Object state) {}

    /** The deepest dead end met: the order that led there, the state, what blocked it. */
    record DeadEnd<S>(List<Integer> prefix, S state, int blocking, List<Integer> candidates) {}

    /** What the search found: a witness, a dead end (not linearizable), or neither (out of budget). */
    record Outcome<S>(Verdict verdict, List<Integer> witness, DeadEnd<S> deepest, int depthReached) {}

    /** Counts steps against the budget, shared by the objects of one check. */
    interface Meter {
        /** Counts one step; true once the budget is spent. */
        boolean spend();
    }

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final Meter meter;
    private final Entry head = new Entry(-1, true, Long.MIN_VALUE);
    /** Per operation with an order key: how many completed operations have a smaller one; else -1. */
    private final int[] smallerKeys;
    /** Per operation: whether the model says it never changes the state ({@link Model#isReadOnly}). */
    private final boolean[] readOnly;

    // The search's position: the state, what is applied (also as a stack of choices), what is left.
    private final BitSet linearized;
    private final Set<Visited> visited = new HashSet<>();
    private final List<Frame<S>> stack = new ArrayList<>();
    private S state;
    private int remaining;
    /** How many completed operations with an order key are applied; they are always the smallest. */
    private int keyedApplied;

    private DeadEnd<S> deepest;
    private int depthReached;

    WingGongSearch(Model<S, I, O> model, List<Operation<I, O>> ops, Meter meter) {
        this.model = model;
        this.ops = ops;
        this.meter = meter;
        this.smallerKeys = OrderKeys.smallerCompleted(model, ops);
        this.readOnly = new boolean[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            Operation<I, O> op = ops.get(i);
            readOnly[i] = op.output().isPresent()
                    && model.isReadOnly(op.input(), op.output().get());
            remaining += op.isIndeterminate() ? 0 : 1;
        }
        this.linearized = new BitSet(ops.size());
        this.state = model.initialState();
        link();
    }

    /** Builds the entry list: by time, calls before returns at equal times (so ties overlap). */
    private void link() {
        List<Entry> entries = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation<I, O> op = ops.get(i);
            Entry call = new Entry(i, true, op.invokeTime());
            entries.add(call);
            if (!op.isIndeterminate()) {
                Entry ret = new Entry(i, false, op.returnTime());
                call.match = ret;
                entries.add(ret);
            }
        }
        entries.sort(Comparator.<Entry>comparingLong(e -> e.time)
                .thenComparing(e -> !e.isCall)
                .thenComparingInt(e -> e.op));
        Entry last = head;
        for (Entry entry : entries) {
            last.next = entry;
            entry.prev = last;
            last = entry;
        }
    }

    Outcome<S> run() {
        Entry entry = head.next;
        while (remaining > 0) {
            Step step;
            if (!entry.isCall) {
                // entry's operation had to take effect by now: the last choice was wrong
                if (deepest == null || stack.size() > deepest.prefix().size()) {
                    deepest = new DeadEnd<>(ops(stack), state, entry.op, pendingCalls(entry));
                }
                step = Step.DEAD_END;
            } else if (smallerKeys[entry.op] > keyedApplied) {
                step = Step.NOT_APPLIED; // a completed operation with a smaller key must come first
            } else if (meter.spend()) {
                return new Outcome<>(Verdict.UNKNOWN, List.of(), deepest, depthReached);
            } else {
                step = tryApply(entry);
            }
            if (step == Step.DEAD_END) {
                Entry undone = backtrack();
                if (undone == null) {
                    return new Outcome<>(Verdict.NOT_LINEARIZABLE, List.of(), deepest, depthReached);
                }
                entry = undone.next;
            } else {
                entry = step == Step.APPLIED ? head.next : entry.next;
            }
        }
        return new Outcome<>(Verdict.LINEARIZABLE, ops(stack), null, depthReached);
    }

    /** What trying one call did. */
    private enum Step {
        APPLIED,
        NOT_APPLIED,
        /** Nothing can succeed from the current configuration. */
        DEAD_END
    }

    /** Applies the call's operation and takes it out of the list, if the model and the cache allow. */
    private Step tryApply(Entry call) {
        Operation<I, O> op = ops.get(call.op);
        Optional<S> next = apply(state, op);
        if (next.isEmpty() || !worthApplying(op, state, next.get())) {
            return Step.NOT_APPLIED;
        }
        BitSet after = (BitSet) linearized.clone();
        after.set(call.op);
        if (!visited.add(new Visited(after, next.get()))) {
            // Explored before, from another order, and it failed there. For a read-only operation
            // that is as good as trying it here (see backtrack), so this configuration fails too.
            return readOnly[call.op] ? Step.DEAD_END : Step.NOT_APPLIED;
        }
        stack.add(new Frame<>(call, state));
        state = next.get();
        linearized.set(call.op);
        lift(call);
        remaining -= op.isIndeterminate() ? 0 : 1;
        keyedApplied += countsAsKeyed(call.op) ? 1 : 0;
        depthReached = Math.max(depthReached, stack.size());
        return Step.APPLIED;
    }

    /**
     * Undoes choices up to the last one with an alternative left: a read-only operation was applied
     * as soon as it could be, which is as good as any later place (it changes no state), so when it
     * fails the configuration before it fails too, and the choice before it is undone as well.
     *
     * @return the call of the undone operation whose successors the scan continues with, or null if
     *     no choice is left
     */
    private Entry backtrack() {
        while (!stack.isEmpty()) {
            Frame<S> frame = stack.remove(stack.size() - 1);
            Entry call = frame.call();
            state = frame.stateBefore();
            linearized.clear(call.op);
            unlift(call);
            remaining += ops.get(call.op).isIndeterminate() ? 0 : 1;
            keyedApplied -= countsAsKeyed(call.op) ? 1 : 0;
            if (!readOnly[call.op]) {
                return call;
            }
        }
        return null;
    }

    private boolean countsAsKeyed(int op) {
        return smallerKeys[op] >= 0 && !ops.get(op).isIndeterminate();
    }

    private Optional<S> apply(S state, Operation<I, O> op) {
        Optional<O> output = op.output();
        return output.isPresent()
                ? model.step(state, op.input(), output.get())
                : model.stepUnobserved(state, op.input());
    }

    /**
     * An indeterminate operation that changes nothing is as good as one that never happened, which
     * is always allowed: applying it would only multiply the configurations to explore.
     */
    private static <S> boolean worthApplying(Operation<?, ?> op, S before, S after) {
        return !op.isIndeterminate() || !after.equals(before);
    }

    private static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    /** Undoes {@link #lift}; the entries' own links still point where they were. */
    private static void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void unlink(Entry entry) {
        entry.prev.next = entry.next;
        if (entry.next != null) {
            entry.next.prev = entry.prev;
        }
    }

    private static void relink(Entry entry) {
        entry.prev.next = entry;
        if (entry.next != null) {
            entry.next.prev = entry;
        }
    }

    private static <S> List<Integer> ops(List<Frame<S>> stack) {
        return stack.stream().map(frame -> frame.call().op).toList();
    }

    /** The operations whose calls come before {@code ret} in the list: those that could go next. */
    private List<Integer> pendingCalls(Entry ret) {
        List<Integer> pending = new ArrayList<>();
        for (Entry e = head.next; e != ret; e = e.next) {
            pending.add(e.op);
        }
        return List.copyOf(pending);
    }
}
