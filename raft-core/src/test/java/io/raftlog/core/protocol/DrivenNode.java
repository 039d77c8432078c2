package io.raftlog.core.protocol;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * One {@link RaftProtocol} on its own store, driven by hand for tests of a single node: every input
 * is followed by collecting the {@link Ready}, persisting it at once and reporting it durable, and
 * the Ready is returned so a test can look at what the node asked its driver to do.
 */
final class DrivenNode {
    final RaftProtocol raft;
    final InMemoryLogStore store;

    private DrivenNode(int n, int clusterSize, ProtocolConfig config, long seed, InMemoryLogStore store) {
        List<io.raftlog.api.NodeId> members = new ArrayList<>();
        for (int i = 1; i <= clusterSize; i++) {
            members.add(TestCluster.id(i));
        }
        this.store = store;
        this.raft = new RaftProtocol(TestCluster.id(n), members, config, store, new SplittableRandom(seed));
    }

    /** Node {@code n} of a cluster of {@code clusterSize}, with an empty log in term 0. */
    static DrivenNode fresh(int n, int clusterSize, ProtocolConfig config) {
        return new DrivenNode(n, clusterSize, config, n, new InMemoryLogStore());
    }

    /** Node {@code n} whose store already holds {@code term} and entries of the given terms from index 1. */
    static DrivenNode withLog(int n, int clusterSize, ProtocolConfig config, long term, long... entryTerms) {
        InMemoryLogStore store = new InMemoryLogStore();
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < entryTerms.length; i++) {
            entries.add(TestCluster.entry(i + 1, entryTerms[i]));
        }
        store.append(entries);
        store.saveHardState(new HardState(term, Optional.empty()));
        return new DrivenNode(n, clusterSize, config, n, store);
    }

    /** A node on a fresh store whose election jitter comes from {@code seed}. */
    static DrivenNode seeded(int n, int clusterSize, ProtocolConfig config, long seed) {
        return new DrivenNode(n, clusterSize, config, seed, new InMemoryLogStore());
    }

    Ready step(RaftMessage message) {
        raft.step(message);
        return drive();
    }

    Ready tick() {
        raft.tick();
        return drive();
    }

    /**
     * Ticks, driving each Ready, until {@code condition} holds; fails (rather than spinning) if it
     * does not within {@code maxTicks}. Returns the Ready of the last tick.
     */
    Ready tickUntil(Predicate<RaftProtocol> condition, int maxTicks) {
        Ready ready = null;
        for (int i = 0; i < maxTicks && !condition.test(raft); i++) {
            ready = tick();
        }
        if (!condition.test(raft)) {
            throw new AssertionError("condition not reached in " + maxTicks + " ticks: " + raft);
        }
        return ready;
    }

    /** Ticks {@code raft} alone (collecting nothing) until {@code condition} holds; fails after {@code maxTicks}. */
    static void tickUntil(RaftProtocol raft, Predicate<RaftProtocol> condition, int maxTicks) {
        for (int i = 0; i < maxTicks && !condition.test(raft); i++) {
            raft.tick();
        }
        if (!condition.test(raft)) {
            throw new AssertionError("condition not reached in " + maxTicks + " ticks: " + raft);
        }
    }

    /** Collects the Ready, persists it and reports the write durable. */
    Ready drive() {
        Ready ready = raft.ready();
        persist(ready);
        return ready;
    }

    /** Writes a Ready collected earlier to the store and reports it durable. */
    void persist(Ready ready) {
        TestCluster.persist(store, ready);
        LogEntry last = ready.lastEntry();
        if (last != null) {
            raft.persisted(last.index(), last.term(), ready.logEpoch());
        }
    }

    /** The terms of the whole log, index 1 first. */
    List<Long> terms() {
        List<Long> terms = new ArrayList<>();
        for (long i = 1; i <= raft.lastIndex(); i++) {
            terms.add(raft.termAt(i));
        }
        return terms;
    }
}
