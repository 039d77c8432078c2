package io.raftlog.core.protocol;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.Membership;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's view of its log: the durable part in the {@link LogStore} followed by the
 * <em>unstable</em> entries the driver has not yet confirmed durable (etcd's raftLog + unstable).
 *
 * <p>The newest entries are also in memory, in a window from {@code windowOffset} to the last
 * index: the unstable ones (from {@code unstableOffset}) and, before them, durable ones the driver
 * has not applied yet, up to {@link #cacheBytes} of them. The window answers terms, replication and
 * the driver's apply without reading the store, which under load is most of those reads. Indexes
 * below the window are read from the store. The driver writes to the store only at or after an
 * unstable offset the protocol has seen, so those reads never race a write. Entries leave the
 * unstable part only through {@link #stableTo}, after the driver confirmed them; they leave the
 * window once applied ({@link #appliedTo}) or when the durable part outgrows its bytes.
 */
final class RaftLog {
    private final LogStore store;
    /** Entries {@code windowOffset..lastIndex()}: durable ones below {@code unstableOffset}, then unstable ones. */
    private final EntryRing window = new EntryRing();
    /** Index of {@code window.get(0)}; when the window is empty, {@code lastIndex() + 1}. */
    private long windowOffset;
    /** The first unstable index, in {@code windowOffset..lastIndex() + 1}. */
    private long unstableOffset;
    /** Payload bytes of the durable entries in the window ({@code windowOffset..unstableOffset-1}). */
    private long stableWindowBytes;
    /** The most bytes of durable entries the window keeps for the driver's apply. */
    private final long cacheBytes;
    /** What the driver applied: durable entries up to it leave the window. */
    private long applied;
    /** Unstable entries at or below this index were already handed to the driver. */
    private long handedOutTo;
    /**
     * Bumped whenever entries already handed to the driver are truncated: a durability report for
     * a hand-out of an earlier epoch may describe entries that queued writes are rewriting.
     */
    private long epoch;

    private long committed;

    /**
     * The last entry of the snapshot the log now starts after, when the store may not know it yet:
     * entries up to it may be gone (compacted, or replaced by an installed snapshot) and are never
     * read; its term answers the consistency check of the entry after it. -1 when unused.
     */
    private long floorIndex = -1;

    private long floorTerm;

    /**
     * The membership in effect before the first configuration entry the log holds past it: the one
     * the snapshot the log starts after recorded, or the bootstrap one (index 0).
     */
    private Membership baseMembership;

    private long baseMembershipIndex;
    /** The configuration entries in the log past the base, by index: the newest is in effect. */
    private final java.util.TreeMap<Long, Membership> memberships = new java.util.TreeMap<>();
    /** Stored entries that could not be read for their type at start (damaged): checked once repaired. */
    private final java.util.Set<Long> unscanned = new java.util.HashSet<>();

    /**
     * @param committed what the driver knows committed at start (a saved commit index, a
     *                  snapshot's index), at most the store's last index
     */
    RaftLog(LogStore store, long committed, Membership initial, long initialIndex) {
        this(store, committed, initial, initialIndex, ProtocolConfig.defaults().logCacheBytes());
    }

    RaftLog(LogStore store, long committed, Membership initial, long initialIndex, long cacheBytes) {
        this.store = store;
        this.cacheBytes = cacheBytes;
        this.baseMembership = java.util.Objects.requireNonNull(initial, "initial membership");
        this.baseMembershipIndex = initialIndex;
        this.unstableOffset = store.lastIndex() + 1;
        this.windowOffset = unstableOffset;
        this.handedOutTo = unstableOffset - 1;
        if (committed > store.lastIndex()) {
            throw new IllegalArgumentException(
                    "committed index " + committed + " is beyond the store's last index " + store.lastIndex());
        }
        this.committed = Math.max(0, committed);
        scanMemberships(Math.max(store.firstIndex(), initialIndex + 1), store.lastIndex());
    }

    /** Reads the configuration entries the store holds in {@code from..to} (a restart). */
    private void scanMemberships(long from, long to) {
        long next = from;
        while (next <= to) {
            List<LogEntry> chunk;
            try {
                chunk = store.read(next, (int) Math.min(4096, to - next + 1), 4L << 20);
            } catch (CorruptLogException damaged) {
                // Read what lies before it, remember it, and go on after it.
                long bad = damaged.index() >= next && damaged.index() <= to ? damaged.index() : next;
                if (bad > next) {
                    scanMemberships(next, bad - 1);
                }
                unscanned.add(bad);
                next = bad + 1;
                continue;
            }
            for (LogEntry entry : chunk) {
                if (entry.index() > to) {
                    break;
                }
                noteMembership(entry);
                next = entry.index() + 1;
            }
        }
    }

    private void noteMembership(LogEntry entry) {
        if (entry.type() == EntryType.CONFIGURATION) {
            memberships.put(entry.index(), Membership.decode(entry.payload()));
        }
    }

    /**
     * A stored entry that could not be read at start was repaired: if it is a configuration entry
     * (still in the log past the base), it takes effect as if read then.
     */
    void repaired(LogEntry entry) {
        if (unscanned.remove(entry.index()) && entry.index() > baseMembershipIndex) {
            noteMembership(entry);
        }
    }

    /** See {@link RaftProtocol#restoreMembership}. */
    void restoreMembership(long index, Membership membership) {
        if (index < baseMembershipIndex) {
            return; // an older snapshot than what the log already knows
        }
        memberships.headMap(index, true).clear();
        unscanned.removeIf(damaged -> damaged <= index);
        baseMembership = java.util.Objects.requireNonNull(membership, "membership");
        baseMembershipIndex = index;
    }

    /**
     * Replaces the bootstrap membership (index 0) with the cluster's, learned from a peer; returns
     * false, changing nothing, if the log's base is a snapshot's membership (index above 0).
     */
    boolean adoptBootstrap(Membership bootstrap) {
        if (baseMembershipIndex != 0) {
            return false;
        }
        baseMembership = java.util.Objects.requireNonNull(bootstrap, "bootstrap");
        return true;
    }

    /** The membership in effect: the newest configuration entry in the log, committed or not. */
    Membership membership() {
        return memberships.isEmpty() ? baseMembership : memberships.lastEntry().getValue();
    }

    /** The index of the entry that set {@link #membership()} (the base's index if none in the log). */
    long membershipIndex() {
        return memberships.isEmpty() ? baseMembershipIndex : memberships.lastKey();
    }

    /** The newest committed membership: in effect at the commit index (or the base, committed too). */
    Membership committedMembership() {
        java.util.Map.Entry<Long, Membership> entry = memberships.floorEntry(committed);
        return entry != null ? entry.getValue() : baseMembership;
    }

    /** The membership in effect at {@code index} (at or after the base's index). */
    Membership membershipAt(long index) {
        java.util.Map.Entry<Long, Membership> entry = memberships.floorEntry(index);
        if (entry != null) {
            return entry.getValue();
        }
        if (index < baseMembershipIndex) {
            throw new IllegalArgumentException(
                    "the membership at " + index + " is not known: the log's starts at " + baseMembershipIndex);
        }
        return baseMembership;
    }

    long firstIndex() {
        return Math.max(store.firstIndex(), floorIndex + 1);
    }

    /**
     * Entries up to ({@code index}, {@code term}) are in a snapshot and may be removed from the
     * store from now on: the log starts after them. At most the committed and durable index.
     */
    void compact(long index, long term) {
        if (index > committed || index > stableIndex()) {
            throw new IllegalStateException(
                    "cannot compact to " + index + ": committed " + committed + ", durable " + stableIndex());
        }
        if (index > floorIndex) {
            floorIndex = index;
            floorTerm = term;
        }
        java.util.Map.Entry<Long, Membership> folded = memberships.floorEntry(index);
        if (folded != null) {
            baseMembership = folded.getValue();
            baseMembershipIndex = folded.getKey();
            memberships.headMap(index, true).clear();
        }
    }

    /**
     * Replaces the whole log with a snapshot ending at ({@code index}, {@code term}), which the
     * driver holds durably: the log becomes empty after it, everything up to it is committed.
     */
    void install(long index, long term, Membership membership) {
        if (index <= committed) {
            throw new IllegalStateException("snapshot at " + index + " is not beyond the commit index " + committed);
        }
        window.clear();
        stableWindowBytes = 0;
        epoch++; // writes handed out may report after the reset that replaces them
        unstableOffset = index + 1;
        windowOffset = index + 1;
        handedOutTo = index;
        floorIndex = index;
        floorTerm = term;
        committed = index;
        memberships.clear();
        unscanned.clear();
        if (membership != null) {
            baseMembership = membership;
            baseMembershipIndex = index;
        }
    }

    long lastIndex() {
        return windowOffset + window.size() - 1;
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** The highest index that is durable. */
    long stableIndex() {
        return unstableOffset - 1;
    }

    long committed() {
        return committed;
    }

    /** The current hand-out epoch; see {@link #stableTo}. */
    long epoch() {
        return epoch;
    }

    /** The term of the entry at {@code index}; the index must be in {@code firstIndex()-1..lastIndex()}. */
    long term(long index) {
        if (index == floorIndex) {
            return floorTerm;
        }
        if (index < floorIndex) {
            throw new IllegalArgumentException("index " + index + " is compacted: the log starts after " + floorIndex);
        }
        if (index >= windowOffset) {
            if (index > lastIndex()) {
                throw new IllegalArgumentException("index " + index + " is beyond the last index " + lastIndex());
            }
            return window.get((int) (index - windowOffset)).term();
        }
        return store.term(index);
    }

    /** True if the log holds an entry at {@code index} with {@code term} (index 0 matches term 0). */
    boolean matchTerm(long index, long term) {
        if (index > lastIndex() || index < firstIndex() - 1) {
            return false;
        }
        try {
            return term(index) == term;
        } catch (io.raftlog.api.CorruptLogException corrupt) {
            if (index <= committed) {
                throw corrupt; // committed: only a repair from a peer can restore it (the driver's)
            }
            // A damaged entry matches nothing: a leader's copy replaces it (and what follows it).
            return false;
        }
    }

    /** Raft §5.4.1: is a log ending at ({@code index}, {@code term}) at least as up to date as ours? */
    boolean isUpToDate(long index, long term) {
        long lastTerm = lastTerm();
        return term > lastTerm || (term == lastTerm && index >= lastIndex());
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term}: where a log
     * that has {@code term} at {@code index} can possibly agree with this one (used for the
     * rejection hint and its use by the leader).
     */
    long findConflictByTerm(long index, long term) {
        long candidate = Math.min(index, lastIndex());
        long floor = firstIndex() - 1;
        while (candidate > floor && termOrAbove(candidate, term) > term) {
            candidate--;
        }
        return candidate;
    }

    /** The term at {@code index}, or one above {@code term} if the entry is damaged (skip past it). */
    private long termOrAbove(long index, long term) {
        try {
            return term(index);
        } catch (io.raftlog.api.CorruptLogException corrupt) {
            return term + 1;
        }
    }

    /** Appends entries the leader created; they must follow the last index. */
    void append(List<LogEntry> entries) {
        if (!entries.isEmpty() && entries.get(0).index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entries.get(0).index() + " after last index " + lastIndex());
        }
        window.addAll(entries);
        for (LogEntry entry : entries) {
            noteMembership(entry);
        }
    }

    /**
     * A follower's append of a leader's entries that follow a matching {@code prevLogIndex}: skips
     * entries already present with the same term (so a late or duplicated message never truncates
     * a matching entry), truncates from the first conflict, and appends the rest (Raft §5.3).
     */
    void appendFromLeader(List<LogEntry> entries) {
        int firstNew = entries.size();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            if (!matchTerm(entry.index(), entry.term())) {
                firstNew = i;
                break;
            }
        }
        if (firstNew == entries.size()) {
            return;
        }
        long from = entries.get(firstNew).index();
        if (from <= committed) {
            throw new IllegalStateException("entry " + from + " conflicts with a committed entry (commit index "
                    + committed + "): the log is inconsistent");
        }
        truncateFrom(from);
        List<LogEntry> added = entries.subList(firstNew, entries.size());
        window.addAll(added);
        for (LogEntry entry : added) {
            noteMembership(entry);
        }
    }

    private void truncateFrom(long from) {
        if (from > lastIndex()) {
            return;
        }
        memberships.tailMap(from, true).clear(); // a configuration truncated away no longer applies
        unscanned.removeIf(index -> index >= from);
        if (from < unstableOffset) {
            // Replaces durable entries: the new ones become unstable and the driver truncates the store.
            if (from >= windowOffset) {
                for (long i = from; i < unstableOffset; i++) {
                    stableWindowBytes -= window.get((int) (i - windowOffset)).sizeInBytes();
                }
            } else {
                window.clear();
                stableWindowBytes = 0;
                windowOffset = from;
            }
            unstableOffset = from;
        }
        window.truncateTo((int) (from - windowOffset));
        if (from <= handedOutTo) {
            epoch++; // writes already handed out may report after the writes that replace them
            handedOutTo = from - 1;
        }
    }

    /** Unstable entries not yet handed to the driver; marks them handed out. */
    List<LogEntry> takeEntriesToPersist() {
        long from = handedOutTo + 1;
        if (from > lastIndex()) {
            return List.of();
        }
        List<LogEntry> entries = window.copy((int) (from - windowOffset), window.size());
        handedOutTo = lastIndex();
        return entries;
    }

    boolean hasEntriesToPersist() {
        return handedOutTo < lastIndex();
    }

    /**
     * The driver made entries up to ({@code index}, {@code term}), handed out in {@code handOutEpoch},
     * durable. Ignored if the entry at {@code index} has since been replaced, or if entries handed
     * out were truncated since that hand-out: then writes queued after it may be truncating and
     * rewriting the very entries it names, even with the same terms (an ABA), and only a report of
     * the current epoch proves the log's present shape durable.
     *
     * @return whether the stable index moved
     */
    boolean stableTo(long index, long term, long handOutEpoch) {
        if (handOutEpoch != epoch) {
            return false;
        }
        if (index < unstableOffset || index > lastIndex() || term(index) != term || index > handedOutTo) {
            return false;
        }
        for (long i = unstableOffset; i <= index; i++) {
            stableWindowBytes += window.get((int) (i - windowOffset)).sizeInBytes();
        }
        unstableOffset = index + 1;
        trimWindow();
        return true;
    }

    /** The driver applied entries up to {@code index}: the window need not keep them for it. */
    void appliedTo(long index) {
        if (index > applied) {
            applied = index;
            trimWindow();
        }
    }

    /** Drops durable entries from the window's front: those applied, and any beyond its bytes. */
    private void trimWindow() {
        while (windowOffset < unstableOffset
                && (windowOffset <= applied || stableWindowBytes > cacheBytes || cacheBytes == 0)) {
            stableWindowBytes -= window.first().sizeInBytes();
            window.removeFirst();
            windowOffset++;
        }
    }

    /**
     * Visits up to {@code maxEntries} entries from {@code from} (about {@code maxBytes} of them, at
     * least one), from the window when it holds them, else from the store (stopping before the
     * window); returns how many it visited. Payloads from the store are valid only during the call.
     */
    int forEach(long from, int maxEntries, long maxBytes, java.util.function.Consumer<LogEntry> visitor) {
        if (from > lastIndex() || maxEntries <= 0) {
            return 0;
        }
        if (from < windowOffset) {
            return store.forEach(from, (int) Math.min(maxEntries, windowOffset - from), maxBytes, visitor);
        }
        int visited = 0;
        long bytes = 0;
        for (long i = from; i <= lastIndex() && visited < maxEntries; i++) {
            LogEntry entry = window.get((int) (i - windowOffset));
            bytes += entry.sizeInBytes();
            if (bytes > maxBytes && visited > 0) {
                break;
            }
            visitor.accept(entry);
            visited++;
        }
        return visited;
    }

    void commitTo(long index) {
        if (index > lastIndex()) {
            throw new IllegalStateException("commit index " + index + " beyond last index " + lastIndex());
        }
        if (index > committed) {
            committed = index;
        }
    }

    /**
     * Up to {@code maxEntries} entries from {@code from} whose sizes add up to about
     * {@code maxBytes} (at least one entry if any exists).
     */
    List<LogEntry> entries(long from, int maxEntries, long maxBytes) {
        if (from > lastIndex()) {
            return List.of();
        }
        // Sized for what it will likely hold (grows past 1024 if it must): no copy as it fills.
        List<LogEntry> result = new ArrayList<>((int) Math.min(Math.min(maxEntries, lastIndex() - from + 1), 1024));
        long bytes = 0;
        if (from < windowOffset) {
            long storedTo = Math.min(windowOffset - 1, from + maxEntries - 1);
            List<LogEntry> stored = store.read(from, (int) (storedTo - from + 1), maxBytes);
            for (LogEntry entry : stored) {
                if (entry.index() > storedTo) {
                    break;
                }
                result.add(entry);
                bytes += entry.sizeInBytes();
            }
            if (result.isEmpty() || result.get(result.size() - 1).index() < storedTo) {
                return result;
            }
        }
        long next = from + result.size();
        for (long i = next; i <= lastIndex() && result.size() < maxEntries; i++) {
            LogEntry entry = window.get((int) (i - windowOffset));
            bytes += entry.sizeInBytes();
            if (bytes > maxBytes && !result.isEmpty()) {
                break;
            }
            result.add(entry);
        }
        return result;
    }
}
