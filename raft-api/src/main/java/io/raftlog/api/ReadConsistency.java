package io.raftlog.api;

/** How up to date a read must be. */
public enum ReadConsistency {
    /**
     * The serving node's committed prefix, as far as it has applied it: cheap (no message leaves
     * the node), never an uncommitted record, but a follower — or a deposed leader that does not
     * know it yet — may lag, so a write acknowledged elsewhere may not be visible yet.
     */
    COMMITTED,
    /**
     * Linearizable (ReadIndex, Raft thesis §6.4): the read sees every write acknowledged before it
     * began, on whichever node serves it. It costs one round of heartbeats from the leader (a
     * follower asks the leader first) and nothing in the log; with no leader able to confirm
     * its leadership (a partitioned old leader, an election) it fails with
     * {@link NotLeaderException} rather than return a stale result.
     */
    LINEARIZABLE
}
