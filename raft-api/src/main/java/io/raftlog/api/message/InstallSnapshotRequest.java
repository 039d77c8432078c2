package io.raftlog.api.message;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import java.util.Objects;

/**
 * One chunk of a leader's snapshot, sent to a follower that needs entries the leader no longer
 * holds (Raft §7). The chunks of a snapshot go in order; the follower writes each, acknowledges it
 * with an {@link InstallSnapshotResponse} naming the offset it expects next, and installs the
 * snapshot once the last chunk is in and the whole checks out. A chunk at another offset than
 * the expected one is answered with that offset, so a transfer cut short resumes where it stopped.
 *
 * @param term          the leader's term
 * @param snapshotIndex the index of the last entry the snapshot includes
 * @param snapshotTerm  that entry's term
 * @param totalBytes    the snapshot's whole length
 * @param offset        where in the snapshot this chunk starts
 * @param data          the chunk's bytes
 * @param last          whether this chunk ends the snapshot ({@code offset + data.size() == totalBytes})
 */
public record InstallSnapshotRequest(
        NodeId from,
        NodeId to,
        long term,
        long snapshotIndex,
        long snapshotTerm,
        long totalBytes,
        long offset,
        Bytes data,
        boolean last)
        implements RaftMessage {
    public InstallSnapshotRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Objects.requireNonNull(data, "data");
        if (snapshotIndex < 1 || snapshotTerm < 1 || snapshotTerm > term) {
            throw new IllegalArgumentException("a snapshot has index >= 1 and a term from 1 to the message's term "
                    + term + ", got index " + snapshotIndex + ", term " + snapshotTerm);
        }
        if (offset < 0 || totalBytes < 0 || offset > totalBytes - data.size()) {
            throw new IllegalArgumentException("a chunk of " + data.size() + " bytes at offset " + offset
                    + " does not fit a snapshot of " + totalBytes + " bytes");
        }
        if (last != (offset == totalBytes - data.size())) {
            throw new IllegalArgumentException("the last chunk, and only it, ends the snapshot: offset " + offset
                    + " + " + data.size() + " bytes, of " + totalBytes + ", last=" + last);
        }
    }
}
