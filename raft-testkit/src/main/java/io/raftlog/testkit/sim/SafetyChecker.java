package io.raftlog.testkit.sim;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks Raft's safety properties (Raft §5.4, Figure 3) incrementally as a simulation runs, so
 * each check costs O(1) per entry or per election instead of comparing whole logs each step:
 * <ul>
 *   <li><b>Election Safety</b>: at most one leader per term;</li>
 *   <li><b>Leader Append-Only</b>: a leader never overwrites or deletes entries of its log;</li>
 *   <li><b>Log Matching</b>: two logs with an entry of the same index and term agree on every
 *       entry up to it — checked through a hash of each log prefix, recorded per (index, term);</li>
 *   <li><b>Leader Completeness</b>: a new leader's log holds every entry committed so far;</li>
 *   <li><b>State Machine Safety</b>: no two nodes apply different entries at one index;</li>
 *   <li>every acknowledged append stays at its acknowledged offset.</li>
 * </ul>
 * A violation throws {@link IllegalStateException}; the simulation reports it with its seed.
 */
final class SafetyChecker {
    private final Map<Long, NodeId> leaderByTerm = new HashMap<>();
    /** Prefix hash of every (index, term) seen in any log. */
    private final Map<Long, Long> prefixHashByIndexTerm = new HashMap<>();
    /** The committed log as learnt from every node's applied entries; index i at position i-1. */
    private final List<LogEntry> committed = new ArrayList<>();
    /** Per committed index: the application's hash of the data records up to it, and the log start after it. */
    private long[] dataHashes = new long[1024];

    private long[] logStarts = new long[1024];

    private final Map<Long, Bytes> acknowledged = new HashMap<>();
    /**
     * Per (term, candidate): how much of the log was known committed when the first vote for it
     * was granted. Only what was committed before that can be required of it as leader: a
     * candidate whose votes reach it late (it was paused) may win an older term after a newer
     * term committed entries it need not have (Raft §5.4: completeness is for higher terms).
     */
    private final Map<List<Object>, Long> committedAtFirstGrant = new HashMap<>();

    /** A vote for {@code candidate} in {@code term} was granted (sent). */
    void onVoteGranted(NodeId candidate, long term) {
        committedAtFirstGrant.putIfAbsent(List.of(candidate, term), (long) committed.size());
    }

    /** Records that {@code node} leads {@code term}; checks Election Safety and Leader Completeness. */
    void onLeader(NodeId node, long term, LogView log) {
        NodeId previous = leaderByTerm.putIfAbsent(term, node);
        if (previous == null) {
            long lastCommitted = committedAtFirstGrant.getOrDefault(List.of(node, term), (long) committed.size());
            long termThere = lastCommitted > 0 ? log.termAt(lastCommitted) : 0;
            if (lastCommitted > 0
                    && (log.lastIndex() < lastCommitted
                            || (termThere >= 0
                                    && termThere
                                            != committed
                                                    .get((int) lastCommitted - 1)
                                                    .term()))) {
                throw new IllegalStateException("Leader Completeness: " + node + " leads term " + term
                        + " without committed entry " + committed.get((int) lastCommitted - 1));
            }
        } else if (!previous.equals(node)) {
            throw new IllegalStateException(
                    "Election Safety: " + previous + " and " + node + " both lead term " + term);
        }
    }

    /**
     * {@code node} hands {@code entries} to its disk, replacing whatever it had from their first
     * index. Checks Leader Append-Only and Log Matching and extends the node's prefix hashes.
     */
    void onEntries(NodeId node, boolean isLeader, long lastHandedIndex, List<LogEntry> entries, PrefixHashes hashes) {
        long first = entries.get(0).index();
        if (isLeader && first <= lastHandedIndex) {
            throw new IllegalStateException("Leader Append-Only: leader " + node + " rewrites its log from index "
                    + first + " (it had " + lastHandedIndex + ")");
        }
        hashes.truncate(first - 1);
        for (LogEntry entry : entries) {
            long hash = hashes.append(entry);
            Long known = prefixHashByIndexTerm.putIfAbsent(key(entry.index(), entry.term()), hash);
            if (known != null && known != hash) {
                throw new IllegalStateException("Log Matching: " + node + " holds entry " + entry.index() + " of term "
                        + entry.term() + " after a prefix that differs from another node's");
            }
        }
    }

    /** {@code node} applies committed {@code entries}; checks State Machine Safety. */
    void onApply(NodeId node, List<LogEntry> entries) {
        for (LogEntry entry : entries) {
            int position = (int) entry.index() - 1;
            if (position < committed.size()) {
                LogEntry known = committed.get(position);
                if (!known.equals(entry)) {
                    throw new IllegalStateException("State Machine Safety: " + node + " applies " + entry + " where "
                            + known + " was applied elsewhere");
                }
            } else if (position == committed.size()) {
                committed.add(entry);
                recordDerived(entry);
            } else {
                throw new IllegalStateException(node + " applies index " + entry.index() + " before index "
                        + (committed.size() + 1) + " was applied anywhere");
            }
        }
    }

    /** Extends the application's hash and the log start with the committed {@code entry}. */
    private void recordDerived(LogEntry entry) {
        int position = (int) entry.index() - 1;
        if (position == dataHashes.length) {
            dataHashes = java.util.Arrays.copyOf(dataHashes, position * 2);
            logStarts = java.util.Arrays.copyOf(logStarts, position * 2);
        }
        long hash = position == 0 ? SimStateMachine.INITIAL : dataHashes[position - 1];
        long start = position == 0 ? 1 : logStarts[position - 1];
        if (entry.type() == io.raftlog.api.message.EntryType.DATA) {
            hash = SimStateMachine.extend(hash, entry.payload());
        } else if (entry.type() == io.raftlog.api.message.EntryType.LOG_START) {
            start = Math.max(start, Math.min(entry.payload().asReadOnlyBuffer().getLong(), entry.index()));
        }
        dataHashes[position] = hash;
        logStarts[position] = start;
    }

    /**
     * {@code node}'s application state — the hash of the records it applied, the last at
     * {@code lastOffset} — after it applied up to {@code applied}: it must be the hash of the
     * committed records up to {@code applied}, whether it applied them one by one or restored
     * them from a snapshot (its own, or a leader's).
     */
    void onApplicationState(NodeId node, long lastOffset, long hash, long applied) {
        if (applied == 0 || applied > committed.size()) {
            return;
        }
        if (lastOffset > applied || hash != dataHashes[(int) applied - 1]) {
            throw new IllegalStateException("State Machine Safety: " + node + "'s application state after applying "
                    + applied + " (last record " + lastOffset + ") is not that of the committed records up to it");
        }
    }

    /**
     * {@code node}'s log start after applying up to {@code applied}: the one the committed log's
     * LOG_START entries give, or just past a leader's snapshot it installed; never above what its
     * store physically holds from.
     */
    void onLogStart(NodeId node, long logStart, long applied, long snapshotIndex, long physicalFirst) {
        if (applied == 0 || applied > committed.size()) {
            return;
        }
        long expected = logStarts[(int) applied - 1];
        if (logStart < expected || logStart > Math.max(expected, snapshotIndex + 1)) {
            throw new IllegalStateException(node + " has log start " + logStart + " after applying " + applied
                    + ", where the committed log gives " + expected + " (its snapshot ends at " + snapshotIndex + ")");
        }
        if (physicalFirst > logStart) {
            throw new IllegalStateException(node + " holds its log from " + physicalFirst + ", past its log start "
                    + logStart + ": records readers may ask for are gone");
        }
    }

    /** The log start the committed log gives after {@code index} (1 before anything). */
    long logStartAfter(long index) {
        return index < 1 || index > committed.size() ? 1 : logStarts[(int) index - 1];
    }

    /** The client was told {@code payload} committed at {@code offset}. */
    void onAcknowledged(long offset, Bytes payload) {
        LogEntry entry = committedAt(offset);
        if (entry == null || !entry.payload().equals(payload)) {
            throw new IllegalStateException(
                    "acknowledged " + payload + " at offset " + offset + " but the committed entry is " + entry);
        }
        if (acknowledged.put(offset, payload) != null) {
            throw new IllegalStateException("offset " + offset + " acknowledged twice");
        }
    }

    /** The committed entry at {@code index}, or null if none is known yet. */
    LogEntry committedAt(long index) {
        return index >= 1 && index <= committed.size() ? committed.get((int) index - 1) : null;
    }

    long committedIndex() {
        return committed.size();
    }

    Map<Long, Bytes> acknowledged() {
        return acknowledged;
    }

    int elections() {
        return leaderByTerm.size();
    }

    private static long key(long index, long term) {
        return (index << 24) ^ term;
    }

    /** Read access to a node's log for the Leader Completeness check. */
    interface LogView {
        long lastIndex();

        /** The term at {@code index}, or -1 if the view cannot tell yet (not durable there). */
        long termAt(long index);
    }

    /**
     * {@code node} installed a snapshot ending at ({@code index}, {@code term}): its log now starts
     * after it. The entry must be one some log held (a snapshot is of committed state), and the
     * node's prefix hashes go on from that entry's.
     */
    void onSnapshotInstalled(NodeId node, long index, long term, PrefixHashes hashes) {
        Long hash = prefixHashByIndexTerm.get(key(index, term));
        if (hash == null) {
            throw new IllegalStateException(node + " installed a snapshot ending at entry " + index + " of term " + term
                    + ", which no log ever held");
        }
        hashes.resetTo(index, hash);
    }

    /** The prefix hash recorded for ({@code index}, {@code term}), or null if no log held it. */
    Long prefixHash(long index, long term) {
        return index == 0 ? PrefixHashes.EMPTY : prefixHashByIndexTerm.get(key(index, term));
    }

    /**
     * A running hash of each prefix of one node's log. A log that starts after a snapshot keeps
     * the hash of the prefix the snapshot ends at as its base.
     */
    static final class PrefixHashes {
        static final long EMPTY = 0x5bd1e995L;
        private long[] hashes = new long[256];
        /** Entries up to {@code base} are not held; {@code baseHash} is the hash of that prefix. */
        private long base;

        private long baseHash = EMPTY;
        private int size;

        /** Rebuilds the hashes from every entry of a node's durable log, in order, after ({@code base}, hash). */
        void rebuild(long firstIndex, long hashBefore, List<LogEntry> durable) {
            resetTo(firstIndex - 1, hashBefore);
            for (LogEntry entry : durable) {
                append(entry);
            }
        }

        /** Rebuilds the hashes from a whole log (one nothing was compacted from). */
        void rebuild(io.raftlog.api.spi.storage.LogStore store) {
            if (store.firstIndex() != 1) {
                throw new IllegalStateException("a compacted log needs the hash before its first entry");
            }
            resetTo(0, EMPTY);
            long next = 1;
            while (next <= store.lastIndex()) {
                List<LogEntry> entries = store.read(next, 4096, Long.MAX_VALUE);
                for (LogEntry entry : entries) {
                    append(entry);
                }
                next += entries.size();
            }
        }

        /** The log starts after {@code index}, whose prefix hashes to {@code hash}. */
        void resetTo(long index, long hash) {
            base = index;
            baseHash = hash;
            size = 0;
        }

        void truncate(long lastKept) {
            long keep = lastKept - base;
            if (keep < size) {
                size = (int) Math.max(0, keep);
            }
        }

        long append(LogEntry entry) {
            if (entry.index() != base + size + 1) {
                throw new IllegalStateException("log gap: entry " + entry.index() + " after " + (base + size));
            }
            long previous = size == 0 ? baseHash : hashes[size - 1];
            long hash = previous * 0x9E3779B97F4A7C15L
                    + entry.term() * 1_000_003L
                    + entry.type().code() * 31L
                    + entry.payload().hashCode();
            hash ^= hash >>> 29;
            if (size == hashes.length) {
                hashes = java.util.Arrays.copyOf(hashes, size * 2);
            }
            hashes[size++] = hash;
            return hash;
        }
    }
}
