package io.raftlog.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.testkit.linearizability.RegisterModel.Op;
import io.raftlog.testkit.linearizability.RegisterModel.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What {@link History} turns calls into. */
class HistoryLinearizabilityTest {
    private final AtomicLong time = new AtomicLong();
    private final History<Op<Integer>, Result<Integer>> history = new History<>(time::incrementAndGet);

    @Test
    void okIsCompletedInfoAndUnfinishedAreIndeterminateFailIsLeftOut() {
        history.invoke(1, RegisterModel.put(1)).ok(RegisterModel.ok());
        history.invoke(2, RegisterModel.put(2)).info();
        history.invoke(3, RegisterModel.put(3)).fail();
        history.invoke(4, RegisterModel.put(4)); // never returns

        List<Operation<Op<Integer>, Result<Integer>>> ops = history.operations();

        assertThat(ops)
                .extracting(Operation::input)
                .containsExactly(RegisterModel.put(1), RegisterModel.put(2), RegisterModel.put(4));
        assertThat(ops).extracting(Operation::isIndeterminate).containsExactly(false, true, true);
        assertThat(ops.get(0).invokeTime()).isEqualTo(1);
        assertThat(ops.get(0).returnTime()).isEqualTo(2);
        assertThat(ops.get(1).returnTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(ops.get(1).output()).isEmpty();
    }

    @Test
    void aCallEndsOnce() {
        var call = history.invoke(1, RegisterModel.get());
        call.ok(RegisterModel.value(0));

        assertThatThrownBy(call::info)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call already ended: p1 get()");
    }

    @Test
    void timesAreTakenWhenTheEventsAreRecorded() {
        var first = history.invoke(1, RegisterModel.put(1));
        var second = history.invoke(2, RegisterModel.get());
        second.ok(RegisterModel.value(0));
        first.ok(RegisterModel.ok());

        var ops = history.operations();

        assertThat(ops.get(0).invokeTime()).isEqualTo(1);
        assertThat(ops.get(0).returnTime()).isEqualTo(4);
        assertThat(ops.get(1).invokeTime()).isEqualTo(2);
        assertThat(ops.get(1).returnTime()).isEqualTo(3);
        assertThat(LinearizabilityChecker.check(RegisterModel.startingAt(0), history)
                        .isLinearizable())
                .isTrue();
    }

    @Test
    void clientThreadsRecordAtOnce() throws InterruptedException {
        History<Op<Integer>, Result<Integer>> shared = new History<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int process = t;
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < 1000; i++) {
                    shared.invoke(process, RegisterModel.get()).ok(RegisterModel.value(0));
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(shared.operations()).hasSize(4000).noneMatch(Operation::isIndeterminate);
        assertThat(LinearizabilityChecker.check(RegisterModel.startingAt(0), shared)
                        .isLinearizable())
                .isTrue();
    }

    @Test
    void anOperationCannotReturnBeforeItWasInvoked() {
        assertThatThrownBy(() -> Operation.completed(1, RegisterModel.get(), 5, RegisterModel.value(0), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returnTime 4 is before invokeTime 5");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
