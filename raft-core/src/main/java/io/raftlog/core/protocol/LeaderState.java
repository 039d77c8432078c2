package io.raftlog.core.protocol;

import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeId;
import io.raftlog.api.OverloadedException;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.ReadIndexResponse;
import io.raftlog.api.message.TimeoutNow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What only a leader has: per-follower {@link Progress}, the commit rule, the bound on uncommitted
 * bytes and a leadership transfer in progress. Lives exactly as long as one term's leadership.
 */
final class LeaderState {
    private final RaftProtocol raft;
    private final RaftLog log;
    private final Map<NodeId, Progress> followers = new LinkedHashMap<>();
    /** The leader's own durable index: its entries count toward a quorum only once durable. */
    private long selfMatch;

    private int heartbeatElapsed;
    /** Ticks since this node became leader (saturating). */
    private int ticksAsLeader;

    private NodeId transferee;
    private int transferElapsed;
    /** A TimeoutNow left for the transfer in progress: giving the transfer up then takes a no-op. */
    private boolean timeoutNowSent;
    /** (last index, payload bytes) per uncommitted proposal batch, oldest first. */
    private final ArrayDeque<long[]> uncommittedBatches = new ArrayDeque<>();

    private long uncommittedBytes;
    private long[] matchScratch;

    /** A read waiting for its index to be confirmed (Raft thesis §6.4). */
    private record PendingRead(long requestId, NodeId origin, long index, long context) {}

    /** Whether an entry of this term is committed: until then the commit index may be stale. */
    private boolean committedInTerm;
    /** The newest read-confirmation round; every AppendEntries this leader sends carries it. */
    private long readContext;
    /** Reads with their index and round, oldest (lowest round) first. */
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    /** Reads asked before an entry of this term was committed: they get their index then. */
    private final ArrayDeque<PendingRead> readsBeforeTermCommit = new ArrayDeque<>();
    /** A round was opened since the last flush: send a heartbeat to every follower at once. */
    private boolean confirmReads;

    LeaderState(RaftProtocol raft) {
        this.raft = raft;
        this.log = raft.log;
        this.selfMatch = log.stableIndex();
        syncFollowers(true);
    }

    /**
     * Replicates to every member of the membership in effect, voters and learners, and to members
     * of the committed one that the newer one removed until the change commits and they hold it
     * (then a last heartbeat carries the commit index: a removed node that knows its removal
     * committed stops campaigning). A new member is probed from the end of the log.
     */
    private void syncFollowers(boolean newLeader) {
        Membership membership = log.membership();
        java.util.Set<NodeId> replicated = new java.util.TreeSet<>(membership.ids());
        replicated.addAll(log.membershipAt(log.committed()).ids());
        for (java.util.Iterator<Map.Entry<NodeId, Progress>> it =
                        followers.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<NodeId, Progress> follower = it.next();
            if (!replicated.contains(follower.getKey()) && follower.getValue().match >= log.membershipIndex()) {
                // Its removal committed, and it holds the entry: a last heartbeat tells it the
                // commit (best effort). Until it holds it, it is replicated to still; otherwise,
                // its log removing it uncommitted as far as it knows, it would keep campaigning
                // (in vain: the members ignore a non-member whose log is not ahead of theirs).
                sendHeartbeat(follower.getKey(), follower.getValue());
                it.remove();
            }
        }
        // A new leader appends its no-op next, which every follower's first append carries; a
        // member added later is probed with the newest entry (the change itself), or it would
        // wait for an entry that may not come.
        long next = newLeader ? log.lastIndex() + 1 : Math.max(1, log.lastIndex());
        for (NodeId member : replicated) {
            if (!member.equals(raft.id) && !followers.containsKey(member)) {
                followers.put(
                        member, new Progress(next, raft.config.maxInflightMessages(), raft.config.maxInflightBytes()));
            }
        }
        this.matchScratch = new long[followers.size() + 1];
    }

    /** Whether {@code member}'s answers count toward commits, read confirmations and CheckQuorum. */
    private boolean votes(NodeId member) {
        return log.membership().isVoter(member);
    }

    /** See {@link RaftProtocol#proposeMembership}. */
    long proposeMembership(Membership next) {
        Membership current = log.membership();
        if (!committedInTerm) {
            throw new MembershipChangeException(
                    "leader " + raft.id + " has not committed an entry of its term " + raft.term
                            + " yet (it may not know every earlier change): retry in a moment",
                    true);
        }
        if (log.membershipIndex() > log.committed()) {
            throw new MembershipChangeException(
                    "the membership change at index " + log.membershipIndex()
                            + " is not committed yet: one change at a time, retry once it is",
                    true);
        }
        String change = describeChange(current, next);
        if (!current.isVoter(raft.id) || !next.isVoter(raft.id)) {
            throw new MembershipChangeException(
                    "cannot " + change + ": " + raft.id + " leads; transfer leadership to another voter first");
        }
        if (!next.voters().keySet().equals(current.voters().keySet())) {
            for (NodeId promoted : next.voters().keySet()) {
                if (!current.isVoter(promoted)) {
                    requireCaughtUp(promoted, change);
                }
            }
            requireLiveQuorum(next, change);
        }
        long index = propose(List.of(next.encode()), List.of(EntryType.CONFIGURATION));
        syncFollowers(false);
        maybeCommit(); // fewer voters may make a quorum of what is acknowledged already
        return index;
    }

    /**
     * What {@code next} changes in {@code current}, in words; refuses anything but one node
     * added as a learner, one learner promoted, one member removed, or one address changed.
     */
    private static String describeChange(Membership current, Membership next) {
        java.util.Set<NodeId> all = new java.util.TreeSet<>(current.ids());
        all.addAll(next.ids());
        List<String> changes = new ArrayList<>();
        for (NodeId node : all) {
            String before = current.isVoter(node) ? "voter" : current.isLearner(node) ? "learner" : null;
            String after = next.isVoter(node) ? "voter" : next.isLearner(node) ? "learner" : null;
            if (before == null && "learner".equals(after)) {
                changes.add("add learner " + node);
            } else if (before == null) {
                throw new MembershipChangeException("cannot add " + node
                        + " as a voter directly: add it as a learner, let it catch up, then promote it");
            } else if (after == null) {
                changes.add("remove " + before + " " + node);
            } else if (!before.equals(after)) {
                if ("voter".equals(before)) {
                    throw new MembershipChangeException(
                            "cannot make voter " + node + " a learner: remove it, then add it as a learner");
                }
                changes.add("promote learner " + node);
            } else if (!current.addressOf(node).equals(next.addressOf(node))) {
                changes.add("change the address of " + node);
            }
        }
        if (changes.isEmpty()) {
            throw new MembershipChangeException("the membership is already " + current + ": nothing to change");
        }
        if (changes.size() > 1) {
            throw new MembershipChangeException(
                    "one change at a time (the single-server rule keeps old and new majorities overlapping), not: "
                            + String.join(", ", changes));
        }
        return changes.get(0);
    }

    /**
     * A learner is promoted only once it keeps up: replicating, answering, and holding the
     * committed log but for at most one AppendEntries' worth of entries (as a voter, a learner far
     * behind would hold up commits: the quorum would need it, or leave no room for a failure).
     */
    private void requireCaughtUp(NodeId learner, String change) {
        Progress progress = followers.get(learner);
        long window = raft.config.maxAppendEntries();
        long match = progress == null ? 0 : progress.match;
        long behind = Math.max(0, log.committed() - match);
        boolean silent = progress == null || progress.ticksSinceHeard >= raft.config.electionTicks();
        if (progress == null || progress.mode != Progress.Mode.REPLICATE || silent || behind > window) {
            throw new MembershipChangeException("cannot " + change + ": it has not caught up (it holds up to index "
                    + match + ", the leader has committed " + log.committed() + ", " + behind + " behind"
                    + (silent ? ", and it has not answered for an election timeout" : "")
                    + "); as a voter it would hold up commits. Promote it once it is within " + window
                    + " entries");
        }
    }

    /**
     * The voters of {@code next} this leader hears from must be a quorum of them, or nothing commits.
     * Not a voter catching up after a lost disk: its acknowledgements count for nothing yet and it
     * grants no vote, so should this leader lose its leadership, no new one could be elected.
     */
    private void requireLiveQuorum(Membership next, String change) {
        List<NodeId> live = new ArrayList<>();
        for (NodeId voter : next.voters().keySet()) {
            Progress progress = followers.get(voter);
            if (voter.equals(raft.id)
                    || (progress != null
                            && progress.ticksSinceHeard < raft.config.electionTicks()
                            && raft.countsTowardCommits(voter))) {
                live.add(voter);
            }
        }
        if (live.size() < next.quorum()) {
            throw new MembershipChangeException("cannot " + change + ": the voters would be "
                    + next.voters().keySet() + ", a quorum of " + next.quorum() + ", and only " + live
                    + " answer this leader (a voter catching up after a lost disk does not count); the cluster"
                    + " could commit nothing. Bring voters back first");
        }
    }

    long propose(List<Bytes> payloads, List<EntryType> types) {
        long bytes = 0;
        for (Bytes payload : payloads) {
            bytes += payload.size();
        }
        long limit = raft.config.maxUncommittedBytes();
        // One batch is always admitted when nothing is pending, so an oversized record still gets in.
        if (uncommittedBytes > 0 && uncommittedBytes + bytes > limit) {
            throw new OverloadedException("leader " + raft.id + " holds " + uncommittedBytes + " uncommitted bytes; "
                    + bytes + " more would pass the limit of " + limit + " (maxUncommittedBytes)");
        }
        long first = log.lastIndex() + 1;
        List<LogEntry> entries = new ArrayList<>(payloads.size());
        long index = first;
        for (int i = 0; i < payloads.size(); i++) {
            EntryType type = types == null ? EntryType.DATA : types.get(i);
            entries.add(new LogEntry(index++, raft.term, type, payloads.get(i)));
        }
        log.append(entries);
        uncommittedBatches.addLast(new long[] {index - 1, bytes});
        uncommittedBytes += bytes;
        return first;
    }

    /** This leader committed a membership that removes it: it steps down. */
    private boolean removedSelf;

    void tick() {
        heartbeatElapsed++;
        if (ticksAsLeader < Integer.MAX_VALUE) {
            ticksAsLeader++;
        }
        for (Progress progress : followers.values()) {
            if (progress.ticksSinceHeard < Integer.MAX_VALUE) {
                progress.ticksSinceHeard++;
            }
        }
        if (raft.electionElapsed() >= raft.config.electionTicks()) {
            raft.resetElectionElapsed();
            if (raft.config.checkQuorum() && !quorumActive()) {
                // CheckQuorum: we cannot reach a majority, so we may be a deposed leader in a
                // minority partition; step down rather than keep accepting appends.
                StringBuilder heard = new StringBuilder();
                followers.forEach((peer, progress) -> heard.append(heard.length() == 0 ? "" : ", ")
                        .append(peer)
                        .append(" last heard ")
                        .append(
                                progress.ticksSinceHeard == Integer.MAX_VALUE
                                        ? "never"
                                        : progress.ticksSinceHeard + " ticks ago"));
                raft.stepDownBecause("CheckQuorum: no answer from a majority within twice the election timeout, "
                        + checkQuorumTicks() + " ticks (" + heard + ")");
                raft.becomeFollower(raft.term, null);
                return;
            }
        }
        if (transferee != null && ++transferElapsed >= raft.config.electionTicks()) {
            abandonTransfer(); // a transfer that did not finish within an election timeout is abandoned
        }
        detectStalls();
        if (heartbeatElapsed >= raft.config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            for (Map.Entry<NodeId, Progress> entry : followers.entrySet()) {
                Progress progress = entry.getValue();
                if (progress.mode != Progress.Mode.SNAPSHOT && progress.match >= log.firstIndex() - 1) {
                    sendHeartbeat(entry.getKey(), progress);
                } else if (progress.mode != Progress.Mode.SNAPSHOT) {
                    // No heartbeat can be anchored below the log's start: probe instead, which
                    // finds that it needs the snapshot (a lost probe would otherwise pause it).
                    progress.becomeProbe();
                } // in snapshot mode the chunks keep it following
            }
        }
    }

    /**
     * In replicate mode the leader streams entries without waiting, so a lost message goes
     * unnoticed until a later one is rejected for the gap, and if no later one comes, forever.
     * When entries sent stay unacknowledged for an election timeout, resend from the match index
     * (probe mode): at worst a duplicate, which the follower ignores. (A lost probe needs no such
     * care: the answer to the next heartbeat unpauses probing.)
     */
    private void detectStalls() {
        int limit = raft.config.electionTicks();
        for (Progress progress : followers.values()) {
            if (progress.mode == Progress.Mode.REPLICATE && progress.match < progress.next - 1) {
                if (++progress.stalledTicks >= limit) {
                    progress.becomeProbe();
                }
            } else if (progress.mode == Progress.Mode.SNAPSHOT) {
                // No answer to any chunk for an election timeout: start over (the driver resumes the
                // transfer where the follower says it stopped).
                if (++progress.stalledTicks >= limit) {
                    progress.becomeProbe();
                }
            } else {
                progress.stalledTicks = 0;
            }
        }
    }

    /**
     * Whether a majority (this leader included) answered within CheckQuorum's window of twice the
     * election timeout: as long as a follower can wait before it campaigns. A leader that gave up
     * sooner would gain nothing — no other can be elected while its followers still wait — and
     * would lose its leadership to a moment's stall of its followers' CPUs or its own. A follower
     * not heard from yet counts as heard at the start of this leadership.
     */
    private boolean quorumActive() {
        int window = checkQuorumTicks();
        int active = votes(raft.id) ? 1 : 0;
        for (Map.Entry<NodeId, Progress> follower : followers.entrySet()) {
            Progress progress = follower.getValue();
            int silent = progress.ticksSinceHeard == Integer.MAX_VALUE ? ticksAsLeader : progress.ticksSinceHeard;
            if (silent < window && votes(follower.getKey())) {
                active++;
            }
        }
        return active >= raft.quorum();
    }

    private int checkQuorumTicks() {
        return 2 * raft.config.electionTicks();
    }

    void selfPersisted() {
        selfMatch = log.stableIndex();
        maybeCommit();
    }

    void handleAppendResponse(AppendEntriesResponse response) {
        Progress progress = followers.get(response.from());
        if (progress == null) {
            return; // a node this leader no longer replicates to (removed)
        }
        progress.ticksSinceHeard = 0;
        if (response.readContext() > progress.readAck) {
            // Any answer of this term, success or not, shows the follower still took this node for
            // its leader when it answered the round the request carried.
            progress.readAck = Math.min(response.readContext(), readContext);
            releaseConfirmedReads();
        }
        if (response.success()) {
            if (response.index() > log.lastIndex()) {
                throw new IllegalStateException(response.from() + " acknowledged index " + response.index()
                        + " beyond the leader's last index " + log.lastIndex());
            }
            // A probe is answered when the follower accepted entries up to where we probed; an
            // answer to a heartbeat (anchored at the old match index) only unpauses probing.
            boolean probeAnswered = response.index() >= progress.next - 1;
            boolean advanced = progress.acknowledge(response.index());
            if (progress.mode == Progress.Mode.SNAPSHOT) {
                if (progress.match >= log.firstIndex() - 1) {
                    progress.becomeProbe(); // installed (or never needed): entries from here on
                }
            } else if (progress.mode == Progress.Mode.PROBE) {
                if (probeAnswered) {
                    progress.becomeReplicate();
                }
            } else {
                progress.inflights.freeTo(response.index());
            }
            if (advanced) {
                maybeCommit();
                if (raft.role() != io.raftlog.api.Role.LEADER) {
                    return; // it committed its own removal and stepped down
                }
                if (!votes(response.from())
                        && !log.membership().contains(response.from())
                        && progress.match >= log.membershipIndex()
                        && log.membershipIndex() <= log.committed()) {
                    syncFollowers(false); // a removed member caught up with its removal: let it go
                }
            }
            if (response.from().equals(transferee) && progress.match == log.lastIndex()) {
                sendTimeoutNow();
            }
        } else {
            handleRejection(progress, response);
        }
    }

    /** A follower wrote a chunk of the snapshot: it is alive, and the transfer is moving. */
    void handleSnapshotResponse(InstallSnapshotResponse response) {
        Progress progress = followers.get(response.from());
        if (progress == null) {
            return;
        }
        progress.ticksSinceHeard = 0;
        if (progress.mode == Progress.Mode.SNAPSHOT && response.snapshotIndex() == progress.pendingSnapshot) {
            progress.stalledTicks = 0;
        }
    }

    /**
     * Whether {@code peer} still waits for the snapshot at {@code index}: in snapshot mode for it,
     * or probing between two attempts (a transfer that stalled, with a follower that is down, goes
     * back to probing, and the probe asks for the same snapshot again while the log starts after
     * it). A driver keeps the transfer meanwhile, so it resumes rather than starting over.
     */
    boolean sendingSnapshot(NodeId peer, long index) {
        Progress progress = followers.get(peer);
        if (progress == null || progress.match >= index) {
            return false;
        }
        if (progress.mode == Progress.Mode.SNAPSHOT) {
            return progress.pendingSnapshot == index;
        }
        return progress.mode == Progress.Mode.PROBE && index == log.firstIndex() - 1 && progress.next <= index;
    }

    private void handleRejection(Progress progress, AppendEntriesResponse response) {
        if (progress.mode == Progress.Mode.SNAPSHOT) {
            return; // answers an append sent before the snapshot was needed
        }
        long rejected = response.index();
        if (rejected == progress.match
                && rejected > 0
                && (progress.mode == Progress.Mode.REPLICATE || rejected == progress.next - 1)) {
            // A heartbeat or probe anchored at the match index was refused: the follower no longer
            // holds an entry it acknowledged (damaged on its disk, and replaced by this leader's copy
            // only once sent again). Probe it from below; its match is only what it still holds.
            // Only just below it: a refusal that was merely late (sent before the follower caught
            // up) then costs one probe, not a resend of the whole log.
            progress.match = rejected - 1;
        } else if (progress.mode == Progress.Mode.REPLICATE
                ? rejected <= progress.match
                : rejected != progress.next - 1) {
            return; // stale: answers a message sent before a later success or probe
        }
        // Skip back over the whole conflicting suffix the follower told us about.
        // A follower whose log ends before this one starts needs the snapshot (sendAppend sends it).
        long floor = log.firstIndex() - 1;
        long next = response.hintIndex() < floor
                ? response.hintIndex() + 1
                : log.findConflictByTerm(Math.min(response.hintIndex(), rejected), response.hintTerm()) + 1;
        progress.becomeProbe();
        progress.next = Math.max(progress.match + 1, Math.min(next, rejected));
    }

    /** Counts the quorum again (a peer's acknowledgements started to count). */
    void recountCommit() {
        maybeCommit();
    }

    /** Raft §5.3/§5.4.2: commit the highest index on a quorum, but only by counting current-term entries. */
    private void maybeCommit() {
        int n = 0;
        if (votes(raft.id)) {
            matchScratch[n++] = selfMatch;
        }
        for (Map.Entry<NodeId, Progress> follower : followers.entrySet()) {
            // A member catching up after a lost disk may have acknowledged before what it no longer
            // holds: only its acknowledgements of a later term count (see acknowledgementsCount).
            // Learners count for nothing.
            if (votes(follower.getKey())) {
                matchScratch[n++] = raft.acknowledgementsCount(follower.getKey()) ? follower.getValue().match : 0;
            }
        }
        Arrays.sort(matchScratch, 0, n);
        long quorumIndex = matchScratch[n - raft.quorum()];
        if (quorumIndex > log.committed() && log.term(quorumIndex) == raft.term) {
            boolean changeCommitted = log.membershipIndex() > log.committed() && log.membershipIndex() <= quorumIndex;
            log.commitTo(quorumIndex);
            if (changeCommitted) {
                syncFollowers(false); // stop replicating to the members it removed
                removedSelf = !log.membership().isVoter(raft.id);
            }
            while (!uncommittedBatches.isEmpty() && uncommittedBatches.peekFirst()[0] <= quorumIndex) {
                uncommittedBytes -= uncommittedBatches.removeFirst()[1];
            }
            if (!committedInTerm) {
                committedInTerm = true;
                while (!readsBeforeTermCommit.isEmpty()) {
                    PendingRead read = readsBeforeTermCommit.removeFirst();
                    registerRead(read.requestId(), read.origin());
                }
            }
            if (removedSelf) {
                // It committed a membership without itself (elected, its removal pending, by the
                // new voters): it steps down, and the new membership's voters elect a leader.
                raft.becomeFollower(raft.term, null);
            }
        }
    }

    // ---------------------------------------------------------------- reads (ReadIndex)

    /**
     * A linearizable read asked of this leader, by itself or by a follower ({@code origin}): its
     * index is the commit index now, valid once a quorum has answered an AppendEntries sent after
     * this moment in this term (no newer leader can have acknowledged anything before it). Until
     * an entry of this term is committed the commit index may lag what earlier leaders committed,
     * so the read waits for that first.
     */
    void readIndex(long requestId, NodeId origin) {
        if (!committedInTerm) {
            readsBeforeTermCommit.addLast(new PendingRead(requestId, origin, 0, 0));
        } else {
            registerRead(requestId, origin);
        }
    }

    private void registerRead(long requestId, NodeId origin) {
        if (raft.quorum() == 1) {
            answerRead(new PendingRead(requestId, origin, log.committed(), 0));
            return;
        }
        pendingReads.addLast(new PendingRead(requestId, origin, log.committed(), ++readContext));
        confirmReads = true;
    }

    /** Answers every read whose round a quorum (this node included) has echoed. */
    private void releaseConfirmedReads() {
        if (pendingReads.isEmpty()) {
            return;
        }
        int n = 0;
        if (votes(raft.id)) {
            matchScratch[n++] = readContext;
        }
        for (Map.Entry<NodeId, Progress> follower : followers.entrySet()) {
            if (votes(follower.getKey())) {
                matchScratch[n++] = raft.countsTowardCommits(follower.getKey()) ? follower.getValue().readAck : 0;
            }
        }
        Arrays.sort(matchScratch, 0, n);
        long confirmed = matchScratch[n - raft.quorum()];
        while (!pendingReads.isEmpty() && pendingReads.peekFirst().context() <= confirmed) {
            answerRead(pendingReads.removeFirst());
        }
    }

    private void answerRead(PendingRead read) {
        if (read.origin().equals(raft.id)) {
            raft.readAnswered(Ready.ReadState.granted(read.requestId(), read.index()));
        } else {
            raft.send(new ReadIndexResponse(raft.id, read.origin(), raft.term, read.requestId(), read.index(), true));
        }
    }

    /** Leadership ends: every read not answered yet is refused (its asker retries elsewhere). */
    void refuseReads() {
        for (ArrayDeque<PendingRead> reads : List.of(readsBeforeTermCommit, pendingReads)) {
            for (PendingRead read : reads) {
                if (read.origin().equals(raft.id)) {
                    raft.readAnswered(Ready.ReadState.refused(read.requestId(), java.util.Optional.empty()));
                } else {
                    raft.send(new ReadIndexResponse(raft.id, read.origin(), raft.term, read.requestId(), 0, false));
                }
            }
            reads.clear();
        }
    }

    /** Sends what each follower's progress allows: called when the driver collects a Ready. */
    void flush() {
        if (confirmReads) {
            confirmReads = false;
            for (Map.Entry<NodeId, Progress> entry : followers.entrySet()) {
                Progress progress = entry.getValue();
                if (progress.mode != Progress.Mode.SNAPSHOT && progress.match >= log.firstIndex() - 1) {
                    sendHeartbeat(entry.getKey(), progress);
                }
            }
        }
        for (Map.Entry<NodeId, Progress> entry : followers.entrySet()) {
            NodeId follower = entry.getKey();
            Progress progress = entry.getValue();
            while (!progress.paused() && progress.next <= log.lastIndex()) {
                sendAppend(follower, progress);
            }
        }
    }

    private void sendAppend(NodeId follower, Progress progress) {
        long prevIndex = progress.next - 1;
        if (prevIndex < log.firstIndex() - 1) {
            // The entries it needs are compacted into the snapshot the log starts after.
            long snapshot = log.firstIndex() - 1;
            progress.becomeSnapshot(snapshot);
            raft.sendSnapshot(follower, snapshot, log.term(snapshot));
            return;
        }
        List<LogEntry> entries =
                log.entries(progress.next, raft.config.maxAppendEntries(), raft.config.maxAppendBytes());
        raft.send(new AppendEntriesRequest(
                raft.id, follower, raft.term, prevIndex, log.term(prevIndex), entries, log.committed(), readContext));
        if (progress.mode == Progress.Mode.REPLICATE) {
            long bytes = 0;
            for (LogEntry entry : entries) {
                bytes += entry.sizeInBytes();
            }
            progress.next = prevIndex + entries.size() + 1;
            progress.inflights.add(progress.next - 1, bytes);
        } else {
            progress.probeSent = true;
        }
    }

    /**
     * A heartbeat is an empty AppendEntries anchored at the follower's match index, which its log
     * is known to hold, so it always passes the consistency check and carries the commit index as
     * far as the follower can take it.
     */
    private void sendHeartbeat(NodeId follower, Progress progress) {
        long anchor = progress.match;
        raft.send(new AppendEntriesRequest(
                raft.id,
                follower,
                raft.term,
                anchor,
                log.term(anchor),
                List.of(),
                Math.min(log.committed(), anchor),
                readContext));
    }

    void transferTo(NodeId target) {
        if (transferee != null && !transferee.equals(target)) {
            abandonTransfer(); // the first target must not take over on a TimeoutNow still on its way
        }
        transferee = target;
        transferElapsed = 0;
        if (followers.get(target).match == log.lastIndex()) {
            sendTimeoutNow();
        }
    }

    /**
     * Tells the transferee, which holds the whole log, to campaign. The TimeoutNow names the last
     * index, which stays the last while the transfer lasts: proposals are refused meanwhile.
     */
    private void sendTimeoutNow() {
        raft.send(new TimeoutNow(raft.id, transferee, raft.term, log.lastIndex()));
        timeoutNowSent = true;
    }

    /**
     * Gives up the transfer in progress. If a TimeoutNow left for it, a no-op of this term is
     * appended: the log then moves past the index every such TimeoutNow names, and a target that
     * holds the no-op when a late one arrives ignores it ({@link RaftProtocol}'s follower step). The
     * no-op reaches the target with the next AppendEntries, so a TimeoutNow that the network delays
     * (or reorders) behind that one cannot depose this leader. A deadline in ticks could not do
     * this: the target cannot tell how long a message was on its way, and the nodes' ticks are not
     * synchronized. Nor could "an AppendEntries sent after the TimeoutNow": the leader sends those
     * throughout a live transfer too; only one sent after the transfer was given up says so, and
     * only the log can mark it such.
     */
    private void abandonTransfer() {
        if (timeoutNowSent) {
            log.append(List.of(new LogEntry(log.lastIndex() + 1, raft.term, EntryType.NOOP, Bytes.EMPTY)));
        }
        transferee = null;
        timeoutNowSent = false;
    }

    /**
     * Forgets what {@code follower} was known to hold: its log may be empty now (it lost its data),
     * so it is probed from the start of the log.
     */
    void resetProgress(NodeId follower) {
        if (followers.containsKey(follower)) {
            followers.put(
                    follower,
                    new Progress(log.firstIndex(), raft.config.maxInflightMessages(), raft.config.maxInflightBytes()));
        }
    }

    /**
     * The follower to hand leadership to: among those heard from within the last election timeout
     * (one that went down would never take over), the one with the highest match index, the most
     * recently heard on a tie; empty if none has matched anything.
     */
    java.util.Optional<NodeId> mostUpToDateFollower() {
        NodeId best = null;
        Progress bestProgress = null;
        for (Map.Entry<NodeId, Progress> entry : followers.entrySet()) {
            Progress progress = entry.getValue();
            if (progress.match == 0
                    || progress.ticksSinceHeard >= raft.config.electionTicks()
                    || !votes(entry.getKey())) {
                continue; // silent (maybe down), or a learner: it could not take over
            }
            if (bestProgress == null
                    || progress.match > bestProgress.match
                    || (progress.match == bestProgress.match
                            && progress.ticksSinceHeard < bestProgress.ticksSinceHeard)) {
                best = entry.getKey();
                bestProgress = progress;
            }
        }
        return java.util.Optional.ofNullable(best);
    }

    NodeId transferee() {
        return transferee;
    }

    long uncommittedBytes() {
        return uncommittedBytes;
    }

    Map<NodeId, Long> matchIndexes() {
        Map<NodeId, Long> result = new LinkedHashMap<>();
        result.put(raft.id, selfMatch);
        followers.forEach((follower, progress) -> result.put(follower, progress.match));
        return result;
    }
}
