package io.raftlog.core;

import io.raftlog.api.NodeId;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.RaftException;
import io.raftlog.core.protocol.Ready;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The node's linearizable reads (ReadIndex, Raft thesis §6.4), owned by the event loop: each read
 * asks the protocol for a read index under its own id, then waits until the node has applied up
 * to that index; its future completes with the index, below which every record a read returns
 * from then on is one that was committed — and every write acknowledged before the read began is
 * among them. A read the protocol refuses, or that is not served within the deadline (no leader
 * confirmed it, or this node did not apply up to its index: cut off from its leader, or removed),
 * fails with {@link NotLeaderException}: nothing changed, and it may be retried anywhere.
 */
final class LinearizableReads {
    private record Asked(CompletableFuture<Long> future, long deadlineNanos) {}

    private final NodeId self;
    private final long timeoutNanos;
    private final Map<Long, Asked> asked = new HashMap<>();
    /** Granted reads waiting for the node to apply up to their index, by index. */
    private final TreeMap<Long, List<Asked>> waitingForApply = new TreeMap<>();

    private long nextRequestId;

    LinearizableReads(NodeId self, long timeoutNanos) {
        this.self = self;
        this.timeoutNanos = timeoutNanos;
    }

    /** Registers a read asked at {@code now}; returns the request id to give the protocol. */
    long register(CompletableFuture<Long> future, long now) {
        long requestId = ++nextRequestId;
        asked.put(requestId, new Asked(future, now + timeoutNanos));
        return requestId;
    }

    /** The protocol answered; {@code applied} is what the node has applied so far. */
    void answered(Ready.ReadState state, long applied) {
        Asked read = asked.remove(state.requestId());
        if (read == null) {
            return; // timed out meanwhile
        }
        if (!state.granted()) {
            read.future()
                    .completeExceptionally(new NotLeaderException(
                            self,
                            state.leader(),
                            "node " + self + " could not confirm a leader for a linearizable read ("
                                    + state.leader()
                                            .map(leader -> "the leader is " + leader)
                                            .orElse("no leader is known")
                                    + "); nothing changed, retry"));
        } else if (state.index() <= applied) {
            read.future().complete(state.index());
        } else {
            waitingForApply
                    .computeIfAbsent(state.index(), index -> new ArrayList<>(1))
                    .add(read);
        }
    }

    /** The node has applied up to {@code index}. */
    void applied(long index) {
        while (!waitingForApply.isEmpty() && waitingForApply.firstKey() <= index) {
            Map.Entry<Long, List<Asked>> first = waitingForApply.pollFirstEntry();
            for (Asked read : first.getValue()) {
                read.future().complete(first.getKey());
            }
        }
    }

    /** Fails the reads not served before their deadline. */
    void tick(long now) {
        if (!waitingForApply.isEmpty()) {
            failLateApplies(now);
        }
        if (asked.isEmpty()) {
            return;
        }
        for (Iterator<Asked> it = asked.values().iterator(); it.hasNext(); ) {
            Asked read = it.next();
            if (now - read.deadlineNanos() >= 0) {
                it.remove();
                read.future()
                        .completeExceptionally(new NotLeaderException(
                                self,
                                java.util.Optional.empty(),
                                "node " + self + " got no leader to confirm a linearizable read within "
                                        + timeoutNanos / 1_000_000 + " ms; nothing changed, retry"));
            }
        }
    }

    /**
     * Granted reads whose index this node has not applied by their deadline: it no longer hears
     * from its leader (it was removed, or is cut off), and may never get there.
     */
    private void failLateApplies(long now) {
        for (Iterator<Map.Entry<Long, List<Asked>>> it =
                        waitingForApply.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<Long, List<Asked>> waiting = it.next();
            for (Iterator<Asked> reads = waiting.getValue().iterator(); reads.hasNext(); ) {
                Asked read = reads.next();
                if (now - read.deadlineNanos() >= 0) {
                    reads.remove();
                    read.future()
                            .completeExceptionally(new NotLeaderException(
                                    self,
                                    java.util.Optional.empty(),
                                    "node " + self + " did not apply up to read index " + waiting.getKey()
                                            + " within " + timeoutNanos / 1_000_000 + " ms (it no longer hears from"
                                            + " its leader: cut off, or removed); nothing changed, retry elsewhere"));
                }
            }
            if (waiting.getValue().isEmpty()) {
                it.remove();
            }
        }
    }

    /** Whether no read is in flight. */
    boolean isEmpty() {
        return asked.isEmpty() && waitingForApply.isEmpty();
    }

    void close(RaftException error) {
        asked.values().forEach(read -> read.future().completeExceptionally(error));
        asked.clear();
        waitingForApply
                .values()
                .forEach(reads -> reads.forEach(read -> read.future().completeExceptionally(error)));
        waitingForApply.clear();
    }
}
