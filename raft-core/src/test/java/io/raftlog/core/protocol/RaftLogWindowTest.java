package io.raftlog.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The log's in-memory window of durable, unapplied entries (and the ring under it). */
class RaftLogWindowTest {
    private final InMemoryLogStore backing = new InMemoryLogStore();
    private final AtomicInteger storeReads = new AtomicInteger();
    /** The store as the log sees it, counting reads of entries and terms. */
    private final LogStore store = (LogStore) Proxy.newProxyInstance(
            LogStore.class.getClassLoader(), new Class<?>[] {LogStore.class}, (proxy, method, args) -> {
                if (List.of("read", "forEach", "term").contains(method.getName())) {
                    storeReads.incrementAndGet();
                }
                try {
                    return method.invoke(backing, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    private static final Membership MEMBERS = Membership.ofVoters(List.of(NodeId.of("n1")));

    private static List<LogEntry> entries(long from, int count, long term, String tag) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(LogEntry.data(from + i, term, Bytes.ofUtf8(tag + (from + i))));
        }
        return entries;
    }

    /** What the driver does: write what the log hands out, then report it durable. */
    private void persist(RaftLog log) {
        List<LogEntry> handed = log.takeEntriesToPersist();
        if (handed.isEmpty()) {
            return;
        }
        long first = handed.get(0).index();
        if (first <= backing.lastIndex()) {
            backing.truncateSuffix(first);
        }
        backing.append(handed);
        LogEntry last = handed.get(handed.size() - 1);
        assertThat(log.stableTo(last.index(), last.term(), log.epoch())).isTrue();
    }

    private List<String> visit(RaftLog log, long from, int max) {
        List<String> seen = new ArrayList<>();
        long next = from;
        while (seen.size() < max) {
            int visited = log.forEach(
                    next,
                    max - seen.size(),
                    Long.MAX_VALUE,
                    e -> seen.add(e.payload().toUtf8()));
            if (visited == 0) {
                break;
            }
            next += visited;
        }
        return seen;
    }

    @Test
    void durableEntriesNotYetAppliedAreServedFromMemory() {
        RaftLog log = new RaftLog(store, 0, MEMBERS, 0, 1 << 20);
        log.append(entries(1, 100, 1, "a"));
        persist(log);
        log.commitTo(100);
        storeReads.set(0);

        assertThat(log.term(50)).isEqualTo(1);
        assertThat(log.entries(1, 100, Long.MAX_VALUE)).hasSize(100);
        assertThat(visit(log, 1, 100)).hasSize(100).startsWith("a1").endsWith("a100");
        assertThat(storeReads).as("store reads").hasValue(0);

        log.appliedTo(100); // applied: the window lets them go, the store answers from now on
        assertThat(log.term(50)).isEqualTo(1);
        assertThat(visit(log, 1, 100)).hasSize(100).startsWith("a1").endsWith("a100");
        assertThat(storeReads.get()).isPositive();
    }

    @Test
    void theWindowKeepsAtMostItsBytesOfDurableEntries() {
        RaftLog log = new RaftLog(store, 0, MEMBERS, 0, 0);
        log.append(entries(1, 10, 1, "a"));
        assertThat(log.term(5)).isEqualTo(1); // unstable: always in memory
        assertThat(storeReads).hasValue(0);
        persist(log);
        assertThat(log.term(5)).isEqualTo(1);
        assertThat(storeReads)
                .as("no cache: a durable entry is read from the store")
                .hasValue(1);
    }

    @Test
    void aFollowerReplacingCachedDurableEntriesSeesOnlyTheNewOnes() {
        RaftLog log = new RaftLog(store, 0, MEMBERS, 0, 1 << 20);
        log.appendFromLeader(entries(1, 10, 1, "old"));
        persist(log);
        log.commitTo(4);
        // A new leader of term 2 replaces 6..10 (durable and cached) with 6..8.
        log.appendFromLeader(entries(6, 3, 2, "new"));
        assertThat(log.lastIndex()).isEqualTo(8);
        assertThat(log.stableIndex()).isEqualTo(5);
        assertThat(log.term(5)).isEqualTo(1);
        assertThat(log.term(6)).isEqualTo(2);
        persist(log);
        assertThat(backing.lastIndex()).isEqualTo(8);
        assertThat(visit(log, 1, 8)).containsExactly("old1", "old2", "old3", "old4", "old5", "new6", "new7", "new8");
        assertThat(log.entries(1, 100, Long.MAX_VALUE).stream()
                        .map(LogEntry::term)
                        .toList())
                .containsExactly(1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L);
    }

    @Test
    void aReplacementBelowTheWindowClearsIt() {
        RaftLog log = new RaftLog(store, 0, MEMBERS, 0, 1 << 20);
        log.appendFromLeader(entries(1, 10, 1, "old"));
        persist(log);
        log.commitTo(2);
        log.appliedTo(2);
        log.appendFromLeader(entries(8, 3, 1, "old")); // duplicates: nothing changes
        assertThat(log.lastIndex()).isEqualTo(10);
        log.appendFromLeader(entries(3, 2, 3, "new")); // replaces 3..10
        persist(log);
        assertThat(visit(log, 1, 10)).containsExactly("old1", "old2", "new3", "new4");
        assertThat(log.lastIndex()).isEqualTo(4);
    }

    @Test
    void theRingWrapsAroundAndGrows() {
        EntryRing ring = new EntryRing();
        long next = 1;
        long front = 1;
        for (int round = 0; round < 50; round++) {
            ring.addAll(entries(next, 37, 1, "e"));
            next += 37;
            for (int i = 0; i < 30; i++) {
                assertThat(ring.first().index()).isEqualTo(front);
                ring.removeFirst();
                front++;
            }
        }
        assertThat(ring.size()).isEqualTo((int) (next - front));
        for (int i = 0; i < ring.size(); i++) {
            assertThat(ring.get(i).index()).isEqualTo(front + i);
        }
        assertThat(ring.copy(2, 5)).extracting(LogEntry::index).containsExactly(front + 2, front + 3, front + 4);
        ring.truncateTo(3);
        assertThat(ring.size()).isEqualTo(3);
        ring.addAll(entries(front + 3, 1, 2, "x"));
        assertThat(ring.get(3).term()).isEqualTo(2);
    }
}
