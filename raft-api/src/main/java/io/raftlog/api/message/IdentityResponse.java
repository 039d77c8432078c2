package io.raftlog.api.message;

import io.raftlog.api.NodeId;

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
 */
public record IdentityResponse(
        NodeId from, NodeId to, long term, boolean accepted, long boot, boolean rejoining, String reason)
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
    }
}
