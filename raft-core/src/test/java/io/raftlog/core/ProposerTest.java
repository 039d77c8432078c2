package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.metrics.NodeMetrics;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.storage.InMemoryLogStore;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How committed entries rebuild the producers' state, including batches a later leader cut short. */
class ProposerTest {
    private static final long PRODUCER = 42;

    private static Proposer proposerOver(List<LogEntry> committed) {
        InMemoryLogStore store = new InMemoryLogStore();
        store.append(committed);
        NodeId id = NodeId.of("n1");
        NodeConfig config = NodeConfig.of(id, List.of(id, NodeId.of("n2"), NodeId.of("n3")));
        RaftProtocol raft = new RaftProtocol(id, config.members(), config.protocol(), store, new SplittableRandom(1));
        Proposer proposer = new Proposer(
                config,
                raft,
                new AppendTracker(NodeMetrics.NONE, NodeClock.system()),
                NodeMetrics.NONE,
                () -> 0L,
                Proposer.EntrySink.NONE);
        proposer.applied(1, committed.size());
        return proposer;
    }

    private static LogEntry header(long index, long term, long firstSequence, int count) {
        return new LogEntry(
                index,
                term,
                EntryType.PRODUCER_BATCH,
                new ProducerTable.Header(PRODUCER, firstSequence, count, 0).encode());
    }

    private static LogEntry data(long index, long term) {
        return LogEntry.data(index, term, Bytes.ofUtf8("r" + index));
    }

    @Test
    void aWholeBatchIsRememberedWithItsOffsets() {
        Proposer proposer = proposerOver(List.of(
                new LogEntry(1, 1, EntryType.NOOP, Bytes.EMPTY),
                header(2, 1, 0, 2),
                data(3, 1),
                data(4, 1),
                data(5, 1)));
        assertThat(proposer.producers().check(PRODUCER, 0, 2))
                .isEqualTo(new ProducerTable.AlreadyCommitted(List.of(3L, 4L)));
    }

    @Test
    void aBatchCutShortByALaterLeaderCountsOnlyTheRecordsBeforeTheCut() {
        // Term 1's leader appended a 3-record batch at 2..5 but only 2..4 reached the next leader,
        // whose no-op (term 2) sits at 5.
        Proposer proposer = proposerOver(List.of(
                new LogEntry(1, 1, EntryType.NOOP, Bytes.EMPTY),
                header(2, 1, 0, 3),
                data(3, 1),
                data(4, 1),
                new LogEntry(5, 2, EntryType.NOOP, Bytes.EMPTY)));
        assertThat(proposer.producers().check(PRODUCER, 0, 3)).isEqualTo(new ProducerTable.Partial(List.of(3L, 4L), 2));
    }
}
