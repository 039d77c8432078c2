package io.raftlog.core.protocol;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.storage.HardState;
import java.util.List;
import java.util.Optional;

/**
 * What the protocol asks its driver to do after some inputs, collected by
 * {@link RaftProtocol#ready()}. The driver must, in this order:
 * <ol>
 *   <li>send {@link #messages()} — they depend on nothing unsaved (a leader's AppendEntries go out
 *       while its own write is in flight);</li>
 *   <li>durably save {@link #hardState()} if present and append {@link #entries()}, first
 *       truncating its log from {@code entries().get(0).index()} if it already holds that index;</li>
 *   <li>only once this Ready's writes <em>and those of every earlier Ready</em> are durable, send
 *       {@link #messagesAfterPersist()} (votes and acknowledgements promise durable state) and call
 *       {@link RaftProtocol#persisted(long, long, long)} with the last entry and {@link #logEpoch()};</li>
 *   <li>apply committed entries up to {@link #commitIndex()}, which never exceeds what is durable;</li>
 *   <li>complete each of {@link #readStates()}: a granted read index may be served once this node
 *       has applied up to it;</li>
 *   <li>stream each of {@link #snapshotsToSend()} to its peer (a leader's follower that needs
 *       entries this log no longer holds), in {@link io.raftlog.api.message.InstallSnapshotRequest}
 *       chunks, for as long as {@link RaftProtocol#sendingSnapshot} says so.</li>
 * </ol>
 *
 * @param hardState            term and vote to save, when they changed
 * @param entries              entries to append (possibly replacing a conflicting suffix)
 * @param messages             messages to send now
 * @param messagesAfterPersist messages to send once the writes above are durable
 * @param commitIndex          highest index that is committed and durable here
 * @param logEpoch             the log's hand-out epoch when these entries were handed out, to pass
 *                             back with their durability report (a report from before a
 *                             truncation of handed-out entries is ignored)
 * @param snapshotsToSend      snapshots to start streaming to followers
 * @param readStates           answers to {@link RaftProtocol#readIndex(long)} calls
 */
public record Ready(
        Optional<HardState> hardState,
        List<LogEntry> entries,
        List<RaftMessage> messages,
        List<RaftMessage> messagesAfterPersist,
        long commitIndex,
        long logEpoch,
        List<SnapshotToSend> snapshotsToSend,
        List<ReadState> readStates) {

    /** A follower needs the snapshot ending at ({@code index}, {@code term}). */
    public record SnapshotToSend(NodeId peer, long index, long term) {}

    /**
     * The answer to a {@link RaftProtocol#readIndex(long)}: when {@code granted}, every write
     * acknowledged (by any leader) before the read was asked is at or below {@code index}, so
     * a read served once this node has applied up to {@code index} is linearizable. When refused
     * (no leader known, leadership lost or changed before it was confirmed), the caller retries,
     * ideally at {@code leader}.
     */
    public record ReadState(long requestId, long index, boolean granted, Optional<NodeId> leader) {
        static ReadState granted(long requestId, long index) {
            return new ReadState(requestId, index, true, Optional.empty());
        }

        static ReadState refused(long requestId, Optional<NodeId> leader) {
            return new ReadState(requestId, 0, false, leader);
        }
    }

    public Ready(
            Optional<HardState> hardState,
            List<LogEntry> entries,
            List<RaftMessage> messages,
            List<RaftMessage> messagesAfterPersist,
            long commitIndex,
            long logEpoch,
            List<SnapshotToSend> snapshotsToSend) {
        this(hardState, entries, messages, messagesAfterPersist, commitIndex, logEpoch, snapshotsToSend, List.of());
    }

    public Ready(
            Optional<HardState> hardState,
            List<LogEntry> entries,
            List<RaftMessage> messages,
            List<RaftMessage> messagesAfterPersist,
            long commitIndex,
            long logEpoch) {
        this(hardState, entries, messages, messagesAfterPersist, commitIndex, logEpoch, List.of());
    }

    public Ready {
        snapshotsToSend = List.copyOf(snapshotsToSend);
        readStates = List.copyOf(readStates);
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        messagesAfterPersist = List.copyOf(messagesAfterPersist);
    }

    /** The last entry to persist, or {@code null} if there is none. */
    public LogEntry lastEntry() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** True when there is something to write to storage. */
    public boolean mustPersist() {
        return hardState.isPresent() || !entries.isEmpty();
    }
}
