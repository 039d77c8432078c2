package io.raftlog.api.spi.storage;

import io.raftlog.api.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The state a node must never forget (Raft Figure 2, "persistent state on all servers"): its
 * current term and whom it voted for in that term. Always saved as one atomic unit, so a crash can
 * never leave a vote paired with the wrong term.
 *
 * <p>{@link LogStore#saveHardState} replaces term and vote together (a vote is never carried into a
 * new term), durably, on the node's I/O thread; the node sends the vote or the acknowledgement
 * that depends on a hard state only after that call returned (Raft §5.1, §5.2).
 * {@link LogStore#hardState} may be read on any thread at the same time and sees the old state or
 * the new one, whole. A record: immutable and thread-safe.
 *
 * @param term     the current term, from 0
 * @param votedFor the candidate voted for in {@code term}, if any
 */
public record HardState(long term, Optional<NodeId> votedFor) {
    /** The state of a node that has never run. */
    public static final HardState INITIAL = new HardState(0, Optional.empty());

    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("term must be >= 0, was " + term);
        }
        Objects.requireNonNull(votedFor, "votedFor");
    }
}
