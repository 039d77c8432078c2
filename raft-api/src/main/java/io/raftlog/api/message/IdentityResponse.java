package io.raftlog.api.message;

import io.raftlog.api.NodeId;
import java.util.HashSet;
import java.util.List;

/**
 * A peer's answer to an {@link IdentityRequest}: accepted, or refused with a reason an operator can
 * act on. It carries the answering peer's current term, from which a rejoining node learns the
 * highest term any member has reached (it must never vote in one of those again).
 *
 * @param term   the answering peer's current term
 * @param boot   the boot id of the start it answers ({@link IdentityRequest#boot()}): an answer to
 *               an earlier start, arriving late, is not taken for an answer to this one
 * @param rejoining whether the request it answers said the node rejoins ({@link
 *               IdentityRequest#rejoining()}): a node that caught up knows which peers have heard so
 * @param reason why it refused (empty when accepted); at most {@link #MAX_REASON_CHARS} characters
 * @param membershipIndex the index of the configuration entry in effect on the answering peer (0
 *               for the membership it bootstrapped with); 0 when {@code voters} is empty
 * @param voters the voters of that membership, so that a node whose own log is out of date (it was
 *               away while members were replaced) learns whom its store must be vetted by; empty
 *               if not told
 * @param previousStore when the answering peer accepted a store other than the one it knew for the
 *               node (a rejoin after a lost disk), the one it knew; 0 otherwise (store ids are
 *               never 0). The rejoining node records it as replaced ({@link
 *               IdentityRequest#replaces()}), for the peers that missed its rejoin
 */
public record IdentityResponse(
        NodeId from,
        NodeId to,
        long term,
        boolean accepted,
        long boot,
        boolean rejoining,
        String reason,
        long membershipIndex,
        List<NodeId> voters,
        long previousStore)
        implements RaftMessage {
    /** The longest reason kept; a longer one is cut (it must fit the wire's 1,024 bytes). */
    public static final int MAX_REASON_CHARS = 340;

    public IdentityResponse {
        Messages.requireAddresses(from, to);
        Messages.requireNonNegative("term", term);
        if (reason == null) {
            throw new IllegalArgumentException("reason must not be null (empty when accepted)");
        }
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS);
        }
        Messages.requireNonNegative("membershipIndex", membershipIndex);
        voters = List.copyOf(voters);
        if (voters.isEmpty() && membershipIndex != 0) {
            throw new IllegalArgumentException("a membership index (" + membershipIndex + ") without its voters");
        }
        if (voters.size() > MAX_VOTERS) {
            throw new IllegalArgumentException("at most " + MAX_VOTERS + " voters, not " + voters.size());
        }
        if (new HashSet<>(voters).size() != voters.size()) {
            throw new IllegalArgumentException("a voter is listed twice in " + voters);
        }
    }

    /** The most voters an answer lists (a membership's most members). */
    public static final int MAX_VOTERS = 1024;

    /** An answer that tells no previous store. */
    public IdentityResponse(
            NodeId from,
            NodeId to,
            long term,
            boolean accepted,
            long boot,
            boolean rejoining,
            String reason,
            long membershipIndex,
            List<NodeId> voters) {
        this(from, to, term, accepted, boot, rejoining, reason, membershipIndex, voters, 0);
    }

    /** An answer that tells no membership. */
    public IdentityResponse(
            NodeId from, NodeId to, long term, boolean accepted, long boot, boolean rejoining, String reason) {
        this(from, to, term, accepted, boot, rejoining, reason, 0, List.of());
    }
}
