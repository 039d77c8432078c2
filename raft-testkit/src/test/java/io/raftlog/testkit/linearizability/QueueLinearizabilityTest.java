package io.raftlog.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.testkit.linearizability.LinearizabilityResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's own state machine: a FIFO queue, the object of Herlihy &amp; Wing's first examples,
 * written as a user would write it — a {@link DeterministicModel} of a dozen lines.
 */
class QueueLinearizabilityTest {
    /** {@code enq x} returns "ok"; {@code deq} returns the head, or "empty". */
    record QueueOp(String name, String item) {
        static QueueOp enq(String item) {
            return new QueueOp("enq", item);
        }

        static QueueOp deq() {
            return new QueueOp("deq", "");
        }

        @Override
        public String toString() {
            return name + "(" + item + ")";
        }
    }

    static final class FifoQueueModel implements DeterministicModel<List<String>, QueueOp, String> {
        @Override
        public List<String> initialState() {
            return List.of();
        }

        @Override
        public Transition<List<String>, String> apply(List<String> queue, QueueOp op) {
            if (op.name().equals("enq")) {
                List<String> next = new ArrayList<>(queue);
                next.add(op.item());
                return new Transition<>(List.copyOf(next), "ok");
            }
            return queue.isEmpty()
                    ? new Transition<>(queue, "empty")
                    : new Transition<>(List.copyOf(queue.subList(1, queue.size())), queue.get(0));
        }
    }

    private static Operation<QueueOp, String> op(int process, QueueOp input, String output, long invoke, long ret) {
        return Operation.completed(process, input, invoke, output, ret);
    }

    private static Verdict check(List<Operation<QueueOp, String>> ops) {
        return LinearizabilityChecker.check(new FifoQueueModel(), ops).verdict();
    }

    @Test
    void overlappingEnqueuesMayBeDequeuedInEitherOrder() {
        // A: enq(x) ------------   deq -> y
        // B:    enq(y) ----           deq -> x
        var ops = List.of(
                op(1, QueueOp.enq("x"), "ok", 0, 10),
                op(2, QueueOp.enq("y"), "ok", 2, 6),
                op(1, QueueOp.deq(), "y", 11, 12),
                op(2, QueueOp.deq(), "x", 13, 14));

        assertThat(check(ops)).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void anEnqueueThatFinishedFirstIsDequeuedFirst() {
        // A: enq(x) --   deq -> y
        // B:        enq(y) --
        var ops = List.of(
                op(1, QueueOp.enq("x"), "ok", 0, 1),
                op(2, QueueOp.enq("y"), "ok", 2, 3),
                op(1, QueueOp.deq(), "y", 4, 5));

        assertThat(check(ops)).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void anItemIsDequeuedOnce() {
        var ops = List.of(
                op(1, QueueOp.enq("x"), "ok", 0, 1),
                op(2, QueueOp.enq("y"), "ok", 0, 1),
                op(1, QueueOp.deq(), "y", 2, 5),
                op(2, QueueOp.deq(), "y", 3, 6));

        assertThat(check(ops)).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aDequeueOverlappingTheEnqueueMayFindTheQueueEmpty() {
        var ops = List.of(op(1, QueueOp.enq("x"), "ok", 0, 10), op(2, QueueOp.deq(), "empty", 1, 2));

        assertThat(check(ops)).isEqualTo(Verdict.LINEARIZABLE);
    }
}
