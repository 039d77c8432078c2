package io.raftlog.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The example of {@code docs/TESTING.md}, as written there: a user's counter, checked. */
class CounterLinearizabilityTest {
    record Counter(long value) {} // the state: equals and hashCode

    static class CounterModel implements DeterministicModel<Counter, String, Long> {
        @Override
        public Counter initialState() {
            return new Counter(0);
        }

        @Override
        public Transition<Counter, Long> apply(Counter c, String op) { // "incr" returns the new value
            return op.equals("incr")
                    ? new Transition<>(new Counter(c.value() + 1), c.value() + 1)
                    : new Transition<>(c, c.value()); // "get" returns the value
        }
    }

    @Test
    void anAtomicCounterHitByThreadsIsLinearizableAndALostIncrementIsCaught() throws InterruptedException {
        AtomicLong counter = new AtomicLong();
        History<String, Long> history = new History<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int clientId = t;
            clients.add(new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    boolean incr = (i + clientId) % 3 != 0;
                    var call = history.invoke(clientId, incr ? "incr" : "get");
                    call.ok(incr ? counter.incrementAndGet() : counter.get());
                }
            }));
        }
        clients.forEach(Thread::start);
        for (Thread client : clients) {
            client.join();
        }

        LinearizabilityChecker.check(new CounterModel(), history).assertLinearizable();

        // the same history where one increment answered what the one before it did
        List<Operation<String, Long>> ops = new ArrayList<>(history.operations());
        int last = ops.size() - 1;
        while (!ops.get(last).input().equals("incr")) {
            last--;
        }
        Operation<String, Long> op = ops.get(last);
        long answered = op.output().orElseThrow();
        ops.set(last, Operation.completed(op.process(), "incr", op.invokeTime(), answered - 1, op.returnTime()));
        assertThat(LinearizabilityChecker.check(new CounterModel(), ops).isLinearizable())
                .isFalse();
    }
}
