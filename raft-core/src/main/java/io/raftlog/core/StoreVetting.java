package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.IdentityRequest;
import java.util.Optional;

/**
 * What a peer would answer a member starting on a given store, worked out from the stores alone:
 * for a tool that checks a restored data directory before starting its node, and for simulations
 * that restore older copies and expect them caught.
 */
public final class StoreVetting {
    /** The metadata record (see {@code LogStore#metadata}) of a store's own identity. */
    public static final String IDENTITY_RECORD = StoreIdentity.NAME;
    /** The metadata record of what a node knows of its peers' stores. */
    public static final String PEERS_RECORD = StoreIdentity.PEERS;

    private StoreVetting() {}

    /**
     * Why {@code peer} would refuse {@code member}'s next start on a store, or empty if it would
     * accept it.
     *
     * @param peer           the answering peer
     * @param peersRecord    the peer's {@link #PEERS_RECORD} (empty: it knows no member yet)
     * @param member         the starting member
     * @param identityRecord the store's {@link #IDENTITY_RECORD} (empty: a blank store, which the
     *                       start mode decides about, not the peers)
     * @param term           the term in the store's hard state
     * @param lastIndex      the store's last index
     */
    public static Optional<String> refusal(
            NodeId peer,
            Optional<Bytes> peersRecord,
            NodeId member,
            Optional<Bytes> identityRecord,
            long term,
            long lastIndex) {
        if (identityRecord.isEmpty() || peersRecord.isEmpty()) {
            return Optional.empty();
        }
        StoreIdentity.Seen known = StoreIdentity.decodePeers(peersRecord.get()).get(member);
        // A new start draws a new boot id; any but the one the peer saw will do.
        StoreIdentity next = StoreIdentity.decode(identityRecord.get()).next(known == null ? 0 : ~known.boot());
        IdentityRequest request = new IdentityRequest(
                member,
                peer,
                term,
                next.storeId(),
                next.generation(),
                next.boots(),
                next.rejoining(),
                term,
                lastIndex,
                false,
                next.replaced());
        return Optional.ofNullable(IdentityGate.refusal(peer, known, request));
    }
}
