package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.core.protocol.ProtocolConfig;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A restarting node finds its membership in its store, even around damaged entries. */
class MembershipRecoveryTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final List<NodeId> BOOTSTRAP = List.of(N1, NodeId.of("n2"), NodeId.of("n3"));

    private static final Membership FIRST = Membership.ofVoters(BOOTSTRAP).withLearner(NodeId.of("n4"), "h4:1");
    private static final Membership SECOND = FIRST.promote(NodeId.of("n4"));

    /** Data entries 1..count, with configuration entries at {@code first} and {@code second}. */
    private static FaultyLogStore storeWith(int count, long first, long second) {
        FaultyLogStore store = new FaultyLogStore(new InMemoryLogStore());
        List<LogEntry> entries = new ArrayList<>();
        for (long index = 1; index <= count; index++) {
            entries.add(
                    index == first
                            ? new LogEntry(index, 1, EntryType.CONFIGURATION, FIRST.encode())
                            : index == second
                                    ? new LogEntry(index, 1, EntryType.CONFIGURATION, SECOND.encode())
                                    : LogEntry.data(index, 1, Bytes.ofUtf8("r" + index)));
        }
        store.append(entries);
        return store;
    }

    private static RaftProtocol open(FaultyLogStore store, Membership base, long baseIndex) {
        return new RaftProtocol(N1, base, baseIndex, ProtocolConfig.defaults(), store, new SplittableRandom(1), 0);
    }

    @Test
    void theNewestConfigurationEntryInTheStoreIsInEffect() {
        RaftProtocol raft = open(storeWith(10_000, 3_000, 9_000), Membership.ofVoters(BOOTSTRAP), 0);

        assertThat(raft.membership()).isEqualTo(SECOND);
        assertThat(raft.membershipIndex()).isEqualTo(9_000);
        assertThat(raft.membershipAt(5_000)).isEqualTo(FIRST);
        assertThat(raft.membershipAt(2_999)).isEqualTo(Membership.ofVoters(BOOTSTRAP));
    }

    @Test
    void entriesAtOrBelowTheSnapshotsIndexAreInItsMembershipAlready() {
        Membership snapshot = Membership.ofVoters(List.of(N1));
        RaftProtocol raft = open(storeWith(100, 20, 40), snapshot, 50);

        assertThat(raft.membership())
                .as("the snapshot at 50 is newer than both entries")
                .isEqualTo(snapshot);
        assertThat(raft.membershipIndex()).isEqualTo(50);
    }

    @Test
    void aDamagedConfigurationEntryTakesEffectOnceRepaired() {
        FaultyLogStore store = storeWith(50, 10, 30);
        store.corrupt.add(30L);
        store.corrupt.add(31L);
        RaftProtocol raft = open(store, Membership.ofVoters(BOOTSTRAP), 0);
        assertThat(raft.membership())
                .as("entry 30 could not be read: the one before is in effect")
                .isEqualTo(FIRST);

        raft.entryRepaired(LogEntry.data(31, 1, Bytes.ofUtf8("r31")));
        raft.entryRepaired(new LogEntry(30, 1, EntryType.CONFIGURATION, SECOND.encode()));

        assertThat(raft.membership()).isEqualTo(SECOND);
        assertThat(raft.membershipIndex()).isEqualTo(30);
    }
}
