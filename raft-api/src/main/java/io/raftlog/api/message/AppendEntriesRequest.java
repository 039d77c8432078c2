package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.util.List;

/**
 * AppendEntries (Raft §5.3, Figure 2); with no entries it is a heartbeat.
 *
 * @param from         the leader
 * @param to           the follower
 * @param term         the leader's term
 * @param prevLogIndex index of the entry just before {@code entries}
 * @param prevLogTerm  term of that entry
 * @param entries      consecutive entries from {@code prevLogIndex + 1}
 * @param leaderCommit the leader's commit index
 * @param readContext  the leader's newest read-confirmation round (ReadIndex, Raft thesis §6.4): the
 *                     follower echoes it in its answer, which shows the leader that the follower
 *                     still took it for leader after every read registered up to that round; 0
 *                     when no read was ever asked of this leader
 */
public record AppendEntriesRequest(
        NodeId from,
        NodeId to,
        long term,
        long prevLogIndex,
        long prevLogTerm,
        List<LogEntry> entries,
        long leaderCommit,
        long readContext)
        implements RaftMessage {
    public AppendEntriesRequest {
        Messages.requireNonNegative("readContext", readContext);
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("prevLogIndex", prevLogIndex);
        Messages.requireNonNegative("prevLogTerm", prevLogTerm);
        Messages.requireNonNegative("leaderCommit", leaderCommit);
        entries = List.copyOf(entries);
        long expected = prevLogIndex + 1;
        for (LogEntry entry : entries) {
            if (entry.index() != expected) {
                throw new IllegalArgumentException(
                        "entries must be consecutive from " + (prevLogIndex + 1) + ", found index " + entry.index());
            }
            if (entry.term() > term) {
                throw new IllegalArgumentException(
                        "entry " + entry.index() + " has term " + entry.term() + " above the leader's term " + term);
            }
            expected++;
        }
    }

    /** An AppendEntries that carries no read-confirmation round ({@code readContext} 0). */
    public AppendEntriesRequest(
            NodeId from,
            NodeId to,
            long term,
            long prevLogIndex,
            long prevLogTerm,
            List<LogEntry> entries,
            long leaderCommit) {
        this(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, 0);
    }

    /** Index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }
}
