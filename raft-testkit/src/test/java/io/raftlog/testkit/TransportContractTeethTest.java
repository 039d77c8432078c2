package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.transport.MessageHandler;
import io.raftlog.api.spi.transport.PeerTraffic;
import io.raftlog.api.spi.transport.Transport;
import io.raftlog.core.transport.InMemoryNetwork;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The transport contract's new rules have teeth: each transport below breaks one of them, and the
 * contract must fail it in the test for that rule, naming the rule. (The intact in-memory transport
 * passes everything: {@link InMemoryTransportContractTest}.)
 */
class TransportContractTeethTest {
    @Test
    void aTransportDeliveringOnTheSendersThreadFailsTheNeverBlocksRule() {
        assertFails(
                DeliversOnTheSendersThread.class,
                Map.of(
                        "sendNeverBlocksAndOtherLinksFlowWhileAReceiversHandlerIsBlocked",
                        "rule: send never blocks, also while the addressee's handler is blocked"));
    }

    @Test
    void aTransportKeepingEverythingForAStalledPeerFailsTheBoundedMemoryRule() {
        assertFails(
                KeepsEverythingForAStalledPeer.class,
                Map.of(
                        "aBlockedReceiverCostsBoundedMemoryAndDeliveryResumesInOrder",
                        "rule: a transport keeps a bounded number of messages for a peer that does not take them"));
    }

    @Test
    void aTransportThatAnInterruptBreaksFailsTheInterruptedSenderRules() {
        assertFails(
                ClosesItsChannelOnAnInterrupt.class,
                Map.of(
                        "sendOnAThreadWhoseInterruptFlagIsSetDeliversAndKeepsTheFlag",
                        "rule: send on an interrupted thread neither throws nor fails",
                        "sendersInterruptedWhileSendingBreakNothingForOtherSenders",
                        "rule: send on a thread interrupted while sending neither throws nor fails"));
        assertFails(
                DropsUncountedAfterAnInterrupt.class,
                Map.of(
                        "sendOnAThreadWhoseInterruptFlagIsSetDeliversAndKeepsTheFlag",
                        "rule: every message is delivered or dropped and counted in traffic()"));
    }

    @Test
    void aTransportClearingTheSendersInterruptFlagFailsTheFlagRule() {
        assertFails(
                ClearsTheSendersInterruptFlag.class,
                Map.of(
                        "sendOnAThreadWhoseInterruptFlagIsSetDeliversAndKeepsTheFlag",
                        "rule: send leaves the caller's interrupt flag as it was (set)"));
    }

    /** Runs the named tests against {@code contract}'s transport; each must fail with its text. */
    private static void assertFails(Class<? extends TransportContract> contract, Map<String, String> expected) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        expected.keySet().forEach(test -> selectors.add(selectNestedMethod(List.of(contract), groupOf(test), test)));
        Map<String, String> failed = new TreeMap<>();
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectors.toArray(DiscoverySelector[]::new))
                .execute()
                .testEvents()
                .failed()
                .stream()
                .forEach(event -> failed.put(
                        ((MethodSource) event.getTestDescriptor().getSource().orElseThrow()).getMethodName(),
                        event.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(String::valueOf)
                                .orElse("")));
        expected.forEach((test, text) -> {
            assertThat(failed)
                    .as("the tests the contract failed for %s", contract.getSimpleName())
                    .containsKey(test);
            assertThat(failed.get(test))
                    .as("why %s failed for %s", test, contract.getSimpleName())
                    .contains(text);
        });
    }

    private static Class<?> groupOf(String name) {
        for (Class<?> group : TransportContract.class.getDeclaredClasses()) {
            for (Class<?> type = group; type != null; type = type.getSuperclass()) {
                for (Method method : type.getDeclaredMethods()) {
                    if (method.getName().equals(name) && method.isAnnotationPresent(Test.class)) {
                        return group;
                    }
                }
            }
        }
        throw new IllegalArgumentException("TransportContract has no test named " + name);
    }

    // ---- the broken transports ------------------------------------------------------------------

    /** In-memory transports on one network, each wrapped by {@link #broken}; short patience. */
    abstract static class BrokenTransportContract extends TransportContract {
        private final InMemoryNetwork network = new InMemoryNetwork(inboxCapacity());

        int inboxCapacity() {
            return 65_536;
        }

        Transport broken(Transport intact) {
            return intact;
        }

        @Override
        protected Transport newTransport(NodeId id) {
            return broken(network.newTransport());
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }

    /** Queues a million messages for a peer, more than the contract sends a stalled one. */
    static class KeepsEverythingForAStalledPeer extends BrokenTransportContract {
        @Override
        int inboxCapacity() {
            return 1_000_000;
        }
    }

    /** Once a send is interrupted its "channel" is closed: it throws, and every later send fails. */
    static class ClosesItsChannelOnAnInterrupt extends BrokenTransportContract {
        @Override
        Transport broken(Transport intact) {
            return new ForwardingTransport(intact) {
                private volatile boolean channelClosed;

                @Override
                public void send(RaftMessage message) {
                    if (channelClosed || Thread.currentThread().isInterrupted()) {
                        channelClosed = true;
                        throw new IllegalStateException("java.nio.channels.ClosedByInterruptException");
                    }
                    delegate.send(message);
                }
            };
        }
    }

    /** Once a send is interrupted, every later message is lost without being counted. */
    static class DropsUncountedAfterAnInterrupt extends BrokenTransportContract {
        @Override
        Transport broken(Transport intact) {
            return new ForwardingTransport(intact) {
                private volatile boolean channelClosed;

                @Override
                public void send(RaftMessage message) {
                    if (Thread.currentThread().isInterrupted()) {
                        channelClosed = true;
                    }
                    if (!channelClosed) {
                        delegate.send(message);
                    }
                }
            };
        }
    }

    /** Clears the sender's interrupt flag, as a transport that swallows an InterruptedException does. */
    static class ClearsTheSendersInterruptFlag extends BrokenTransportContract {
        @Override
        Transport broken(Transport intact) {
            return new ForwardingTransport(intact) {
                @Override
                public void send(RaftMessage message) {
                    Thread.interrupted(); // clears the flag
                    delegate.send(message);
                }
            };
        }
    }

    /** Hands each message to the addressee's handler on the sender's thread: a stalled handler stalls send. */
    static class DeliversOnTheSendersThread extends TransportContract {
        private final Map<NodeId, MessageHandler> handlers = new ConcurrentHashMap<>();

        @Override
        protected Transport newTransport(NodeId id) {
            return new Transport() {
                private volatile NodeId self;

                @Override
                public void start(NodeId node, MessageHandler handler) {
                    if (self != null) {
                        throw new IllegalStateException("started twice");
                    }
                    self = node;
                    handlers.put(node, handler);
                }

                @Override
                public void send(RaftMessage message) {
                    MessageHandler handler = handlers.get(message.to());
                    if (handler != null) {
                        handler.onMessage(message);
                    }
                }

                @Override
                public Map<NodeId, PeerTraffic> traffic() {
                    return Map.of();
                }

                @Override
                public void close() {
                    if (self != null) {
                        handlers.remove(self);
                    }
                }
            };
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }
    }
}
