package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * Sent by a starting node to each peer, until the peer answers: which store (data directory) it
 * runs on ({@code storeId}, random, drawn when the store was first used), how often it has started
 * on it ({@code generation}, one more at every start, saved before anything is sent), a random
 * {@code boot} drawn at this start, and whether it is rejoining after losing its data. A peer
 * remembers the last of these it accepted for each member and refuses a store that is not the one
 * it knew (lost, replaced) or older than one it saw (restored from a copy: a lower generation, or
 * the same generation from another boot): such a node may have forgotten votes and
 * acknowledgements it gave. Not a Raft message: the protocol ignores it.
 *
 * @param term the sender's current term (informational)
 */
public record IdentityRequest(
        NodeId from, NodeId to, long term, long storeId, long generation, long boot, boolean rejoining)
        implements RaftMessage {
    public IdentityRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("generation", generation);
    }
}
