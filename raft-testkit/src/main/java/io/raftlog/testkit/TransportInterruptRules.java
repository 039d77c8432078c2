package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.A;
import static io.raftlog.testkit.TransportContract.B;
import static io.raftlog.testkit.TransportContract.C;
import static io.raftlog.testkit.TransportContract.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.testkit.TransportContract.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Senders with their interrupt flag set, or interrupted while they send: {@code send} neither
 * throws nor breaks the transport for other senders, leaves the flag as it was, and delivers each
 * message or drops and counts it. (A transport writing to a {@link java.nio.channels.SocketChannel}
 * on the caller's thread fails this: the interrupt closes the channel.)
 */
abstract class TransportInterruptRules extends TransportRules {
    private static final int MESSAGES = 200;

    TransportInterruptRules(TransportContract contract) {
        super(contract);
    }

    /** The first sends of a transport (a connection opens for them) come from an interrupted thread. */
    @Test
    void sendOnAThreadWhoseInterruptFlagIsSetDeliversAndKeepsTheFlag() throws Exception {
        Node a = start(A);
        Node b = start(B);
        String outcome = onNewThread("contract-interrupted-sender", () -> {
            Thread.currentThread().interrupt();
            for (int i = 1; i <= MESSAGES; i++) {
                a.transport().send(heartbeat(A, B, i));
            }
            List<RaftMessage> batch = new ArrayList<>();
            for (int i = MESSAGES + 1; i <= 2 * MESSAGES; i++) {
                batch.add(heartbeat(A, B, i));
            }
            a.transport().send(batch);
            return Thread.currentThread().isInterrupted() ? "flag kept" : "flag cleared";
        });
        assertThat(outcome)
                .as("rule: send leaves the caller's interrupt flag as it was (set)")
                .isEqualTo("flag kept");

        awaitDeliveredOrCounted(a, b, 2 * MESSAGES, 0, 0, "sent on a thread whose interrupt flag is set");
        assertThat(sequences(b.received()))
                .as("rule: what is sent on an interrupted thread keeps the link's order")
                .isSorted();
        assertLinkStillWorks(a, b, 10_000);
    }

    /** One thread is interrupted again and again while it sends; another sends beside it. */
    @Test
    void sendersInterruptedWhileSendingBreakNothingForOtherSenders() throws Exception {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        int count = 2_000;
        FutureTask<Void> interrupted = sender(a, 1, count, false);
        FutureTask<Void> steady = sender(a, 2, count, true);
        Thread interruptedThread = new Thread(interrupted, "contract-sender-interrupted-meanwhile");
        interruptedThread.setDaemon(true);
        Thread steadyThread = new Thread(steady, "contract-sender-never-interrupted");
        steadyThread.setDaemon(true);
        steadyThread.start();
        interruptedThread.start();
        long deadline = System.nanoTime() + patience().toNanos();
        while (!interrupted.isDone() && System.nanoTime() < deadline) {
            interruptedThread.interrupt();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20)); // pace the interrupts, not a wait
        }
        finish(interrupted, "interrupted while sending");
        finish(steady, "beside a sender that is interrupted");

        await(
                "rule: a sender that is never interrupted loses nothing beside one that is (" + count + " at C)",
                () -> c.inbox.size() >= count);
        assertThat(sequences(c.received()))
                .as("rule: a sender that is never interrupted loses nothing beside one that is")
                .isEqualTo(oneTo(count));
        awaitDeliveredOrCounted(a, b, 2L * count, 0, 0, "two senders, one interrupted meanwhile");
        for (long term = 1; term <= 2; term++) {
            long sender = term;
            List<Long> seen = b.received().stream()
                    .filter(message -> message.term() == sender)
                    .map(TransportContract::sequence)
                    .toList();
            assertThat(seen)
                    .as("rule: each sender's messages keep their order, interrupted or not (sender %d)", sender)
                    .isSorted();
        }
        assertLinkStillWorks(a, b, 100_000);
    }

    /** Sends {@code count} messages to B (and, if {@code alsoToC}, to C) in {@code term}. */
    private static FutureTask<Void> sender(Node a, long term, int count, boolean alsoToC) {
        return new FutureTask<>(
                () -> {
                    for (int i = 1; i <= count; i++) {
                        a.transport().send(new AppendEntriesRequest(A, B, term, i, 0, List.of(), 0));
                        if (alsoToC) {
                            a.transport().send(heartbeat(A, C, i));
                        }
                    }
                    Thread.interrupted(); // the interrupts were for the sends; the thread ends here
                },
                null);
    }

    private void finish(FutureTask<Void> sender, String how) throws Exception {
        try {
            sender.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "rule: send on a thread " + how + " neither throws nor fails; it threw " + e.getCause(),
                    e.getCause());
        }
    }

    /** From the test's own thread, after the interrupted senders: a burst arrives whole and in order. */
    private void assertLinkStillWorks(Node a, Node b, long firstSequence) {
        int before = b.inbox.size();
        for (long i = firstSequence; i < firstSequence + 100; i++) {
            a.transport().send(heartbeat(A, B, i));
        }
        await(
                "rule: an interrupted sender breaks nothing for the senders after it (100 more at B)",
                () -> b.inbox.size() >= before + 100);
        List<RaftMessage> received = b.received();
        assertThat(received.subList(received.size() - 100, received.size()).stream()
                        .map(TransportContract::sequence)
                        .toList())
                .as("rule: an interrupted sender breaks nothing for the senders after it")
                .isEqualTo(java.util.stream.LongStream.range(firstSequence, firstSequence + 100)
                        .boxed()
                        .toList());
        assertThat(Thread.currentThread().isInterrupted())
                .as("rule: a transport never interrupts a thread that was not interrupted")
                .isFalse();
    }

    private <T> T onNewThread(String name, java.util.concurrent.Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(body);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "rule: send on an interrupted thread neither throws nor fails; it threw " + e.getCause(),
                    e.getCause());
        }
    }
}
