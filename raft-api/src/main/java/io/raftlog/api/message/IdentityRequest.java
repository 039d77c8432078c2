package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.util.List;

/**
 * Sent by a starting node to each peer, until the peer answers: which store (data directory) it
 * runs on ({@code storeId}, random, drawn when the store was first used), how often it has started
 * on it ({@code generation}, one more at every start, saved before anything is sent), a random
 * boot id drawn at each start, and whether it is rejoining after losing its data. A peer
 * remembers the last of these it accepted for each member and refuses a store that is not the one
 * it knew (lost, replaced) or older than one it saw (restored from a copy: a lower generation, or
 * the same generation from another boot): such a node may have forgotten votes and
 * acknowledgements it gave. It also says what the store held when the node started
 * ({@code storeTerm}, {@code storeLastIndex}): a peer refuses a store whose term is below one the
 * node voted in for that peer, or whose log ends below a committed index the node had stored when
 * that peer led — a copy taken during the node's last run and restored at this start. Not a Raft
 * message: the protocol ignores it.
 *
 * @param term           the sender's current term (informational)
 * @param boots          the random boot ids of the last starts on this store, this one's first
 *                       (at most {@link #MAX_BOOTS}): a peer that saw an earlier start checks that
 *                       its boot is where it belongs in this history, which the starts of a
 *                       restored copy are not
 * @param storeTerm      the term in the store's hard state when the node started
 * @param storeLastIndex the store's last index when the node started
 * @param takesPart      a majority accepted this start already, so the node may have voted and
 *                       acknowledged since it started: what it promised since is not in the
 *                       values above, and a peer does not hold it against them
 * @param replaces       the stores this one replaced when the node rejoined on it after losing its
 *                       data, as the peers that accepted the rejoin knew them (at most {@link
 *                       #MAX_REPLACES}, newest first): a peer that missed the rejoin (a learner
 *                       then, or not yet a member) and still knows one of them takes this store for
 *                       its successor, while a restored copy of a replaced store, which does not
 *                       list this one, is still refused by the peers that know this one
 */
public record IdentityRequest(
        NodeId from,
        NodeId to,
        long term,
        long storeId,
        long generation,
        List<Long> boots,
        boolean rejoining,
        long storeTerm,
        long storeLastIndex,
        boolean takesPart,
        List<Long> replaces)
        implements RaftMessage {
    public IdentityRequest {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        Messages.requireNonNegative("generation", generation);
        Messages.requireNonNegative("storeTerm", storeTerm);
        Messages.requireNonNegative("storeLastIndex", storeLastIndex);
        boots = List.copyOf(boots);
        if (boots.isEmpty() || boots.size() > MAX_BOOTS) {
            throw new IllegalArgumentException("boots must hold 1 to " + MAX_BOOTS + " ids, got " + boots.size());
        }
        replaces = List.copyOf(replaces);
        if (replaces.size() > MAX_REPLACES) {
            throw new IllegalArgumentException(
                    "replaces must hold at most " + MAX_REPLACES + " ids, got " + replaces.size());
        }
    }

    /** A request from a store that replaced none. */
    public IdentityRequest(
            NodeId from,
            NodeId to,
            long term,
            long storeId,
            long generation,
            List<Long> boots,
            boolean rejoining,
            long storeTerm,
            long storeLastIndex,
            boolean takesPart) {
        this(from, to, term, storeId, generation, boots, rejoining, storeTerm, storeLastIndex, takesPart, List.of());
    }

    /** The most replaced stores a request lists. */
    public static final int MAX_REPLACES = 8;

    /** The most boot ids a request carries. */
    public static final int MAX_BOOTS = 16;

    /** This start's boot id. */
    public long boot() {
        return boots.get(0);
    }
}
