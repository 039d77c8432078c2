package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.Role;
import io.raftlog.api.StateMachine;
import io.raftlog.core.protocol.ProtocolConfig;
import io.raftlog.core.transport.InMemoryNetwork;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A caller faster than the node cannot grow its memory without bound: while the node's loop is
 * busy and takes nothing from its queue, appends beyond {@code maxUncommittedBytes} of queued
 * payload fail at once with {@link OverloadedException} (once taken, the protocol bounds the
 * uncommitted bytes: {@code ReplicationFlowControlTest}).
 */
class AppendBudgetTest {
    private static final int RECORD = 256;
    private static final long BUDGET = 1 << 20;

    @Test
    void appendsBeyondTheBudgetFailFastWhileTheLoopIsStalled() throws Exception {
        CountDownLatch applying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateMachine stalling = new StateMachine() {
            @Override
            public void apply(CommittedRecord record) {
                if (record.payload().size() == 1) { // the stall marker: the loop thread waits here
                    applying.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public Snapshot snapshot() {
                return out -> {};
            }

            @Override
            public void restore(InputStream in) {}
        };
        NodeId id = NodeId.of("solo");
        NodeConfig config = NodeConfig.of(id, List.of(id))
                .withProtocol(ProtocolConfig.defaults().withMaxUncommittedBytes(BUDGET));
        RaftNode node = Guice.createInjector(
                        new RaftModule(config),
                        new InMemoryStorageModule(),
                        new InMemoryTransportModule(new InMemoryNetwork()),
                        new AbstractModule() {
                            @Override
                            protected void configure() {
                                OptionalBinder.newOptionalBinder(binder(), StateMachine.class)
                                        .setBinding()
                                        .toInstance(stalling);
                            }
                        })
                .getInstance(RaftNode.class);
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> node.status().role() == Role.LEADER);
            CompletableFuture<Long> marker = node.append(Bytes.wrap(new byte[1]));
            assertThat(applying.await(10, TimeUnit.SECONDS)).isTrue();

            Bytes record = Bytes.wrap(new byte[RECORD]);
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                appends.add(node.append(record));
            }
            // The loop is still stalled, yet every append beyond the budget has already failed.
            long refused = appends.stream()
                    .filter(CompletableFuture::isCompletedExceptionally)
                    .count();
            long held = appends.size() - refused;
            assertThat(held).isBetween(BUDGET / RECORD - 1, BUDGET / RECORD);
            List<Throwable> causes = appends.stream()
                    .filter(CompletableFuture::isCompletedExceptionally)
                    .map(refusal -> refusal.handle(
                                    (offset, error) -> error instanceof java.util.concurrent.CompletionException
                                            ? error.getCause()
                                            : error)
                            .join())
                    .toList();
            assertThat(causes.get(0))
                    .isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("maxUncommittedBytes is " + BUDGET);
            assertThat(causes.stream().filter(cause -> !(cause instanceof OverloadedException)))
                    .as("refusals that are not overloads")
                    .isEmpty();

            release.countDown();
            marker.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Long> append : appends) {
                if (!append.isCompletedExceptionally()) {
                    assertThat(append.get(10, TimeUnit.SECONDS)).isPositive();
                }
            }
            // Appends the loop took return their bytes: the queue takes a full bound again.
            assertThat(node.append(record).get(10, TimeUnit.SECONDS)).isPositive();
        } finally {
            release.countDown();
            node.close();
        }
    }
}
