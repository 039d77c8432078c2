package io.raftlog.core.protocol;

/**
 * Tuning of the Raft protocol, in ticks and bytes. Time is counted in ticks: the driver decides
 * how long a tick lasts.
 *
 * @param electionTicks         a follower that hears nothing from a leader for a randomized
 *                              timeout in {@code [electionTicks, 2 * electionTicks)} campaigns;
 *                              with CheckQuorum a leader that hears from no majority for
 *                              {@code 2 * electionTicks} (as long as a follower may wait) steps
 *                              down, checked every {@code electionTicks}
 * @param heartbeatTicks        a leader sends heartbeats every {@code heartbeatTicks}; must be
 *                              smaller than {@code electionTicks}
 * @param preVote               run a pre-vote before raising the term (Raft thesis §9.6)
 * @param checkQuorum           leaders step down without a live majority, and followers in
 *                              contact with a leader ignore disruptive vote requests
 * @param maxAppendEntries      most entries in one AppendEntries message
 * @param maxAppendBytes        soft bound on the bytes of entries in one AppendEntries message
 *                              (one entry larger than this still travels alone)
 * @param maxInflightMessages   most AppendEntries messages in flight to one follower
 * @param maxInflightBytes      most bytes of entries in flight to one follower
 * @param maxUncommittedBytes   most payload bytes a leader holds uncommitted; proposals beyond it
 *                              fail fast with {@link io.raftlog.api.OverloadedException}
 * @param logCacheBytes         most payload bytes of durable entries not yet applied that the log
 *                              keeps in memory (besides the entries not yet durable, always
 *                              there), so that applying, term lookups and replication of recent
 *                              entries need no store read; 0 reads every durable entry from the
 *                              store
 */
public record ProtocolConfig(
        int electionTicks,
        int heartbeatTicks,
        boolean preVote,
        boolean checkQuorum,
        int maxAppendEntries,
        long maxAppendBytes,
        int maxInflightMessages,
        long maxInflightBytes,
        long maxUncommittedBytes,
        long logCacheBytes) {

    public ProtocolConfig {
        requirePositive("electionTicks", electionTicks);
        requirePositive("heartbeatTicks", heartbeatTicks);
        if (heartbeatTicks >= electionTicks) {
            throw new IllegalArgumentException("heartbeatTicks (" + heartbeatTicks
                    + ") must be smaller than electionTicks (" + electionTicks + ")");
        }
        requirePositive("maxAppendEntries", maxAppendEntries);
        requirePositive("maxAppendBytes", maxAppendBytes);
        requirePositive("maxInflightMessages", maxInflightMessages);
        requirePositive("maxInflightBytes", maxInflightBytes);
        requirePositive("maxUncommittedBytes", maxUncommittedBytes);
        if (logCacheBytes < 0) {
            throw new IllegalArgumentException("logCacheBytes must be >= 0, was " + logCacheBytes);
        }
    }

    /** Defaults: 10 election ticks, heartbeat every tick, PreVote and CheckQuorum on, a 32 MiB log cache. */
    public static ProtocolConfig defaults() {
        return new ProtocolConfig(10, 1, true, true, 4096, 1 << 20, 256, 64L << 20, 256L << 20, 32L << 20);
    }

    public ProtocolConfig withElectionTicks(int ticks) {
        return new ProtocolConfig(
                ticks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withHeartbeatTicks(int ticks) {
        return new ProtocolConfig(
                electionTicks,
                ticks,
                preVote,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withPreVote(boolean enabled) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                enabled,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withCheckQuorum(boolean enabled) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                preVote,
                enabled,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withAppendLimits(int entries, long bytes) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                entries,
                bytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withInflightLimits(int messages, long bytes) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                messages,
                bytes,
                maxUncommittedBytes,
                logCacheBytes);
    }

    public ProtocolConfig withMaxUncommittedBytes(long bytes) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                bytes,
                logCacheBytes);
    }

    /** A copy that keeps up to {@code bytes} of durable, unapplied entries in memory (0: none). */
    public ProtocolConfig withLogCacheBytes(long bytes) {
        return new ProtocolConfig(
                electionTicks,
                heartbeatTicks,
                preVote,
                checkQuorum,
                maxAppendEntries,
                maxAppendBytes,
                maxInflightMessages,
                maxInflightBytes,
                maxUncommittedBytes,
                bytes);
    }

    private static void requirePositive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
