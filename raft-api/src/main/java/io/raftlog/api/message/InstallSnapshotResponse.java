package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * A follower's answer to an {@link InstallSnapshotRequest}: the offset of the snapshot it expects
 * next (all bytes before it are written), or that it refuses the transfer. The end of a transfer
 * is answered not by this message but by an {@link AppendEntriesResponse} for the snapshot's
 * index, once the snapshot is installed.
 *
 * @param term          the follower's current term
 * @param snapshotIndex the snapshot the answer is about
 * @param nextOffset    the offset the follower expects next
 * @param refused       the follower will not take this snapshot (it has a newer one, or its
 *                      term is higher); {@code nextOffset} is then 0
 */
public record InstallSnapshotResponse(
        NodeId from, NodeId to, long term, long snapshotIndex, long nextOffset, boolean refused)
        implements RaftMessage {
    public InstallSnapshotResponse {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("nextOffset", nextOffset);
        if (refused && nextOffset != 0) {
            throw new IllegalArgumentException("a refusal names no offset, got " + nextOffset);
        }
        if (snapshotIndex < 1) {
            throw new IllegalArgumentException("snapshotIndex must be >= 1, was " + snapshotIndex);
        }
    }
}
