package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.A;
import static io.raftlog.testkit.TransportContract.B;
import static io.raftlog.testkit.TransportContract.C;
import static io.raftlog.testkit.TransportContract.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.raftlog.testkit.TransportContract.Node;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Peers that are down, come up, restart or close: send never blocks, links come back. */
abstract class TransportPeerRules extends TransportRules {
    TransportPeerRules(TransportContract contract) {
        super(contract);
    }

    @Test
    void sendNeverBlocksWhileAPeerIsDownAndOthersStillReceive() {
        Node a = start(A);
        Node c = start(C);
        int count = 20_000;
        long began = System.nanoTime();
        for (int i = 1; i <= count; i++) {
            a.transport().send(heartbeat(A, B, i)); // B never started
            if (i % 20 == 0) {
                a.transport().send(heartbeat(A, C, i / 20));
            }
        }
        Duration spent = Duration.ofNanos(System.nanoTime() - began);

        assertThat(spent)
                .as("rule: send never blocks, also while its peer is down (time to send %d messages)", count)
                .isLessThan(patience());
        await(count / 20 + " messages at " + C, () -> c.inbox.size() == count / 20);
        assertThat(sequences(c.received()))
                .as("rule: a peer that is down does not disturb the links to the others")
                .isEqualTo(oneTo(count / 20));
    }

    @Test
    void deliversOnceAPeerThatWasDownComesUp() {
        Node a = start(A);
        for (int i = 1; i <= 10; i++) {
            a.transport().send(heartbeat(A, B, i)); // may be dropped or queued: B is not there yet
        }
        Node b = start(B);

        long next = sendUntilDelivered(a, b, 1_000);
        assertFollowingMessagesArriveInOrder(a, b, next);
    }

    @Test
    void reconnectsAfterAPeerRestarts() {
        Node a = start(A);
        Node b = start(B);
        a.transport().send(heartbeat(A, B, 1));
        await("the first message at " + B, () -> !b.inbox.isEmpty());

        b.transport().close();
        for (int i = 2; i <= 50; i++) {
            a.transport().send(heartbeat(A, B, i)); // lost or queued while B is down
        }
        Node restarted = start(B);

        long next = sendUntilDelivered(a, restarted, 1_000);
        assertFollowingMessagesArriveInOrder(a, restarted, next);
        restarted.transport().send(heartbeat(B, A, 1));
        await("a message from the restarted " + B, () -> !a.inbox.isEmpty());
        assertThat(a.received())
                .as("rule: a restarted node's messages reach its peers")
                .containsExactly(heartbeat(B, A, 1));
    }

    @Test
    void aClosedTransportReceivesNothing() {
        Node a = start(A);
        Node b = start(B);
        Node c = start(C);
        b.transport().close();
        for (int i = 1; i <= 100; i++) {
            a.transport().send(heartbeat(A, B, i));
        }
        a.transport().send(heartbeat(A, C, 1));

        await("the marker at " + C, () -> !c.inbox.isEmpty());
        assertThat(b.received())
                .as("rule: a closed transport hands nothing to its handler")
                .isEmpty();
    }

    @Test
    void startingTwiceIsRefused() {
        Node a = start(A);
        Throwable second = catchThrowable(() -> a.transport().start(A, message -> {}));
        assertThat(second)
                .as("rule: start() of a started transport throws IllegalStateException")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClosedTransportDropsWhatIsSentSilently() {
        Node a = start(A);
        start(B);
        a.transport().close();
        Throwable thrown = catchThrowable(() -> {
            a.transport().send(heartbeat(A, B, 1));
            a.transport().send(java.util.List.of(heartbeat(A, B, 2), heartbeat(A, B, 3)));
        });
        assertThat(thrown)
                .as("rule: after close(), send drops silently (a node shutting down must not fail on its way out)")
                .isNull();
    }
}
