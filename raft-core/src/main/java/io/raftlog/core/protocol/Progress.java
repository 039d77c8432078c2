package io.raftlog.core.protocol;

/**
 * A leader's view of one follower's log (etcd's tracker.Progress): what is known to match, what to
 * send next, and how to send it.
 *
 * <ul>
 *   <li>{@link Mode#PROBE}: the leader does not know where the logs agree; it sends one
 *       AppendEntries and waits for the answer (or the next heartbeat) before sending another;</li>
 *   <li>{@link Mode#REPLICATE}: the logs agree up to {@code match}; the leader streams entries
 *       optimistically from {@code next}, up to the in-flight window;</li>
 *   <li>{@link Mode#SNAPSHOT}: the follower needs entries the leader's log no longer holds; the
 *       driver streams it the snapshot {@code pendingSnapshot}, and nothing else is sent until the
 *       follower says it installed it (or the transfer stalls, and probing starts over).</li>
 * </ul>
 */
final class Progress {
    enum Mode {
        PROBE,
        REPLICATE,
        SNAPSHOT
    }

    long match;
    long next;
    Mode mode = Mode.PROBE;
    /** In probe mode: a probe is outstanding, send nothing more until an answer or a heartbeat. */
    boolean probeSent;
    /** Leader ticks since entries were sent that the follower has not acknowledged. */
    int stalledTicks;

    final Inflights inflights;
    /** In snapshot mode: the index of the snapshot being sent. */
    long pendingSnapshot;
    /**
     * Ticks since this follower last answered anything (it may be down when this grows);
     * {@link Integer#MAX_VALUE} until it answers this leader at all: a new leader has heard from
     * nobody, and must not take a follower that is down for live.
     */
    int ticksSinceHeard = Integer.MAX_VALUE;
    /** The newest read-confirmation round this follower echoed in the leader's term. */
    long readAck;

    Progress(long next, int maxInflightMessages, long maxInflightBytes) {
        this.next = next;
        this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
    }

    boolean paused() {
        return switch (mode) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    /** Records a success up to {@code index}; false if it told us nothing new. */
    boolean acknowledge(long index) {
        boolean advanced = index > match;
        if (advanced) {
            match = index;
            stalledTicks = 0;
        }
        next = Math.max(next, index + 1);
        probeSent = false;
        return advanced;
    }

    void becomeProbe() {
        mode = Mode.PROBE;
        probeSent = false;
        stalledTicks = 0;
        next = match + 1;
        inflights.reset();
    }

    void becomeSnapshot(long snapshotIndex) {
        mode = Mode.SNAPSHOT;
        pendingSnapshot = snapshotIndex;
        probeSent = false;
        stalledTicks = 0;
        inflights.reset();
    }

    void becomeReplicate() {
        mode = Mode.REPLICATE;
        next = match + 1;
        inflights.reset();
    }

    @Override
    public String toString() {
        return mode + "{match=" + match + ", next=" + next + ", inflight=" + inflights.count() + "}";
    }
}
