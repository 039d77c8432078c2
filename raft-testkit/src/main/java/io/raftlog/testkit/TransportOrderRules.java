package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.A;
import static io.raftlog.testkit.TransportContract.B;
import static io.raftlog.testkit.TransportContract.C;
import static io.raftlog.testkit.TransportContract.STRANGER;
import static io.raftlog.testkit.TransportContract.heartbeat;
import static io.raftlog.testkit.TransportContract.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.testkit.TransportContract.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Each link keeps the order of what is sent on it, also from several threads; no misdelivery. */
abstract class TransportOrderRules extends TransportRules {
    TransportOrderRules(TransportContract contract) {
        super(contract);
    }

    @Test
    void keepsTheOrderOfEachLink() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        int count = 2_000;
        for (int i = 1; i <= count; i++) {
            a.transport().send(heartbeat(A, B, i));
            a.transport().send(heartbeat(A, C, i));
        }

        await(
                count + " messages at each of " + B + " and " + C,
                () -> b.inbox.size() == count && c.inbox.size() == count);
        assertThat(sequences(b.received()))
                .as("rule: a link keeps the order of the messages sent on it (A to B)")
                .isEqualTo(oneTo(count));
        assertThat(sequences(c.received()))
                .as("rule: a link keeps the order of the messages sent on it (A to C)")
                .isEqualTo(oneTo(count));
    }

    @Test
    void keepsEachSendersOrderWhenThreadsSendConcurrently() throws InterruptedException {
        Node a = start(A);
        Node b = start(B);
        int threads = 4;
        int perThread = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 1; t <= threads; t++) {
            long term = t;
            Thread sender = new Thread(
                    () -> {
                        awaitLatch(go);
                        for (int i = 1; i <= perThread; i++) {
                            a.transport().send(new AppendEntriesRequest(A, B, term, i, 0, List.of(), 0));
                        }
                    },
                    "contract-sender-" + t);
            senders.add(sender);
            sender.start();
        }
        go.countDown();
        for (Thread sender : senders) {
            sender.join(patience().toMillis());
        }

        await(threads * perThread + " messages at " + B, () -> b.inbox.size() == threads * perThread);
        Map<Long, List<Long>> byTerm = new HashMap<>();
        for (RaftMessage message : b.received()) {
            byTerm.computeIfAbsent(message.term(), unused -> new ArrayList<>()).add(sequence(message));
        }
        for (long term = 1; term <= threads; term++) {
            assertThat(byTerm.get(term))
                    .as("rule: what one thread sends on a link arrives in its order (sender thread %d)", term)
                    .isEqualTo(oneTo(perThread));
        }
    }

    @Test
    void neverDeliversToAnotherNode() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        for (int i = 1; i <= 100; i++) {
            a.transport().send(heartbeat(A, B, i));
            a.transport().send(heartbeat(A, STRANGER, i));
            a.transport().send(heartbeat(A, C, 1000 + i));
            b.transport().send(heartbeat(B, C, 2000 + i));
        }

        await("every message for a member", () -> b.inbox.size() == 100 && c.inbox.size() == 200);
        assertThat(b.received())
                .as("rule: a message is delivered only to its to() (at B)")
                .allSatisfy(message -> assertThat(message.to()).isEqualTo(B));
        assertThat(c.received())
                .as("rule: a message is delivered only to its to() (at C)")
                .allSatisfy(message -> assertThat(message.to()).isEqualTo(C));
        assertThat(a.received())
                .as("rule: nothing is delivered to the sender, nor for a node that is not a member")
                .isEmpty();
        assertThat(sequences(b.received()))
                .as("rule: messages for a stranger do not disturb a member's link")
                .isEqualTo(oneTo(100));
    }
}
