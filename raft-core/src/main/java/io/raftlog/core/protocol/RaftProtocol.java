package io.raftlog.core.protocol;

import io.raftlog.api.Bytes;
import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.NotLeaderException;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.IdentityRequest;
import io.raftlog.api.message.IdentityResponse;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.ReadIndexRequest;
import io.raftlog.api.message.ReadIndexResponse;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The Raft consensus protocol for one node, as a deterministic state machine (after etcd's raft).
 *
 * <p>It has no threads, clock, I/O or randomness of its own: time advances by {@link #tick()},
 * messages arrive by {@link #step}, records by {@link #propose}, and the election jitter comes from
 * the injected {@link RandomGenerator}. After any input, {@link #ready()} says what to persist, send
 * and apply; {@link #persisted} reports a durable write back. Proposals are not sent when they are
 * made but when {@link #ready()} is called, so every proposal between two calls travels as one
 * batch: one append, one fsync, one AppendEntries per follower.
 *
 * <p>Not thread-safe: one thread (the node's event loop, or the simulator) owns an instance. A
 * broken invariant throws {@link IllegalStateException}; the owner must then stop the node.
 */
public final class RaftProtocol {
    final NodeId id;
    final ProtocolConfig config;
    final RaftLog log;
    private final RandomGenerator random;

    long term;
    private NodeId votedFor;
    private NodeId leader;
    private Role role = Role.FOLLOWER;
    private int electionElapsed;
    private int randomizedElectionTimeout;
    private final Map<NodeId, Boolean> votes = new HashMap<>();
    private LeaderState leaderState;
    /** Peers rejoining after a lost disk, not caught up yet: their acknowledgements count for nothing. */
    /** Peers catching up after a lost disk, with this node's term when it heard so (the first time). */
    private final java.util.Map<NodeId, Long> catchingUpPeers = new java.util.HashMap<>();
    /** The driver cannot make anything durable: do not lead, campaign or take over leadership. */
    private boolean storageFailing;
    /** The node may not vote yet (its identity is not vetted, or it is rejoining after a lost disk). */
    private boolean votesHeld;
    /** Why this node last stopped leading, for the driver's log line; empty while it leads. */
    private String stepDownReason = "";
    /** The highest leaderCommit accepted from the leader of the current term (0 after a term change). */
    private long highestLeaderCommit;
    /** The term when the current {@link #step} began: a message that changed it must be persisted first. */
    private long termAtStep;

    private HardState savedHardState;
    private final List<RaftMessage> messages = new ArrayList<>();
    private final List<RaftMessage> messagesAfterPersist = new ArrayList<>();
    private final List<Ready.SnapshotToSend> snapshotsToSend = new ArrayList<>();
    private final List<Ready.ReadState> readStates = new ArrayList<>();
    /**
     * Reads this follower asked its leader for: request id to ticks since last asked. Refused if
     * it stops following; asked again every half election timeout (a request or its answer may
     * be lost with a connection; a duplicate answer is ignored).
     */
    private final Map<Long, Integer> forwardedReads = new java.util.LinkedHashMap<>();

    private long reportedCommitIndex;

    /**
     * A node starting (or restarting) as a follower from what its store holds.
     *
     * @param id      this node; must be one of {@code members}
     * @param members every voting member, this node included
     * @param store   the node's durable log, read for entries older than the unstable tail
     * @param random  the source of election jitter; seed it for reproducible runs
     */
    public RaftProtocol(
            NodeId id, List<NodeId> members, ProtocolConfig config, LogStore store, RandomGenerator random) {
        this(id, members, config, store, random, 0);
    }

    /**
     * Like {@link #RaftProtocol(NodeId, List, ProtocolConfig, LogStore, RandomGenerator)}, knowing
     * at start that entries up to {@code committed} are committed (a commit index the driver saved,
     * the index of the snapshot it restored); at most the store's last index.
     */
    public RaftProtocol(
            NodeId id,
            List<NodeId> members,
            ProtocolConfig config,
            LogStore store,
            RandomGenerator random,
            long committed) {
        this(id, bootstrap(id, members), 0, config, store, random, committed);
    }

    private static Membership bootstrap(NodeId id, List<NodeId> members) {
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("duplicate member in " + members);
        }
        if (!members.contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not one of the members " + members);
        }
        return Membership.ofVoters(members);
    }

    /**
     * A node starting (or restarting) from what its store holds, with the membership in effect
     * before the configuration entries the store holds: the one the snapshot the store starts after
     * recorded (at {@code membershipIndex}, the snapshot's index), or the bootstrap one (index 0).
     * The configuration entries in the store past that index are read now, so the newest one takes
     * effect. This node need not be a member (a node about to be added): it then never campaigns,
     * and follows whichever leader replicates to it.
     */
    public RaftProtocol(
            NodeId id,
            Membership membership,
            long membershipIndex,
            ProtocolConfig config,
            LogStore store,
            RandomGenerator random,
            long committed) {
        this.id = Objects.requireNonNull(id, "id");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
        this.log = new RaftLog(store, committed, membership, membershipIndex, config.logCacheBytes());
        this.reportedCommitIndex = Math.min(log.committed(), log.stableIndex());
        HardState hardState = store.hardState();
        this.term = hardState.term();
        this.votedFor = hardState.votedFor().orElse(null);
        this.savedHardState = hardState;
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** Advances logical time by one tick. */
    public void tick() {
        electionElapsed++;
        if (!forwardedReads.isEmpty()) {
            askAgainForReads();
        }
        if (role == Role.LEADER) {
            leaderState.tick();
        } else if (electionElapsed >= randomizedElectionTimeout && mayCampaign()) {
            campaign(false);
        }
    }

    /**
     * A voter campaigns; so does a node whose log removes it while the removal is not committed
     * (Raft thesis §4.2.2): its log may be the only one holding that entry, and then no other node
     * can be elected without its vote, which it refuses them. It counts only the new membership's
     * votes, not its own, and steps down once the removal commits.
     */
    private boolean mayCampaign() {
        return !storageFailing
                && !votesHeld
                && (log.membership().isVoter(id) || log.committedMembership().isVoter(id));
    }

    /**
     * Holds ({@code true}) or releases this node's votes: while held it grants no vote or pre-vote,
     * does not campaign and ignores {@link TimeoutNow}; it still follows a leader. The driver holds
     * them until peers have vetted the node's store (a lost or older store may have forgotten votes
     * it gave), and while a node that lost its data catches up.
     */
    public void holdVotes(boolean held) {
        if (held && role != Role.FOLLOWER) {
            stepDownBecause("its votes are held (its store is being vetted, or it catches up after losing its data)");
            becomeFollower(term, role == Role.LEADER ? null : leader);
        }
        votesHeld = held;
    }

    /**
     * {@code peer} started on another store (it lost its data and rejoins): a leader forgets what it
     * knew the peer to hold and probes it from its own last index again, since the peer's log may
     * now be shorter than its old match index (which would otherwise stall it forever).
     */
    public void peerStoreReplaced(NodeId peer) {
        if (role == Role.LEADER && !peer.equals(id)) {
            leaderState.resetProgress(peer);
        }
    }

    /**
     * {@code peer} rejoins after losing its data ({@code true}) or has caught up ({@code false}).
     * Until it has caught up with what it may have promised before, a leader does not count its
     * acknowledgements toward any commit (it still replicates to it).
     */
    public void peerCatchingUp(NodeId peer, boolean catchingUp) {
        if (peer.equals(id) || !log.membership().contains(peer)) {
            return;
        }
        if (catchingUp) {
            catchingUpPeers.putIfAbsent(peer, term);
        } else if (catchingUpPeers.remove(peer) != null && role == Role.LEADER) {
            // Its acknowledgements count from now on: what they already reached may be committed
            // (no later acknowledgement need come to say so: the entries may all be acknowledged).
            leaderState.recountCommit();
        }
    }

    /**
     * Whether {@code peer} counts as a caught-up voter ({@link #peerCatchingUp}): for the live
     * voters a membership change needs, and for the acknowledgements a read index needs.
     */
    boolean countsTowardCommits(NodeId peer) {
        return !catchingUpPeers.containsKey(peer);
    }

    /**
     * Whether {@code peer}'s acknowledgements count toward a commit in this term: yes once caught
     * up; while catching up, only if this node heard it rejoin in an earlier term. Its store was
     * lost before it rejoined, so its lost life never saw this term, and every acknowledgement it
     * sent in this term comes from its new store — which holds what it acknowledged, durably, as
     * this leader's log up to there; and this leader holds every committed record (elected without
     * the rejoining node's vote). Counting them breaks a deadlock: with as many members catching up
     * as the quorum can spare, a leader could commit nothing of its own term, and the rejoining
     * members cannot finish catching up before it does (whole-node simulator, seed 3254). In the
     * term it heard the rejoin, an acknowledgement sent by the lost store in this term, delayed on
     * the way, could still arrive: those are not counted.
     */
    boolean acknowledgementsCount(NodeId peer) {
        Long heardIn = catchingUpPeers.get(peer);
        return heardIn == null || heardIn < term;
    }

    /** Whether votes are held ({@link #holdVotes}). */
    public boolean votesHeld() {
        return votesHeld;
    }

    /**
     * Never vote in a term up to {@code floor} (the highest term any member had reached when this
     * node, having lost its data, asked them all): the term becomes at least {@code floor}, and in
     * the floor term the vote counts as given (to this node itself), so no candidate of that term
     * can get it. Raft is indifferent to a vote cast for a candidate that never campaigned.
     */
    public void adoptTermFloor(long floor) {
        if (floor > term) {
            term = floor;
            votedFor = null;
            leader = null;
            highestLeaderCommit = 0;
        }
        if (term == floor && votedFor == null) {
            votedFor = id;
        }
    }

    /** The highest commit index the leader of the current term has sent (0 if none yet). */
    public long highestLeaderCommit() {
        return highestLeaderCommit;
    }

    /**
     * The driver reports that its writes fail ({@code true}: I/O errors, a full disk; it retries)
     * or succeed again ({@code false}). While they fail the node neither campaigns nor accepts a
     * leadership transfer, and a leader hands leadership to its most up-to-date follower and steps
     * down: it could not make its own entries durable, so it could neither apply nor acknowledge
     * them. Votes and acknowledgements wait for durability already, so none leaves meanwhile.
     */
    public void storageFailing(boolean failing) {
        if (failing == storageFailing) {
            return;
        }
        storageFailing = failing;
        if (failing && role == Role.LEADER) {
            stepDownBecause("its storage is failing");
            leaderState
                    .mostUpToDateFollower()
                    .ifPresent(follower -> messages.add(new TimeoutNow(id, follower, term, log.lastIndex())));
            becomeFollower(term, null);
        } else if (failing && role != Role.FOLLOWER) {
            becomeFollower(term, null); // abandon the election: its votes could not be made durable
        }
    }

    /** Whether {@link #storageFailing(boolean)} was last told {@code true}. */
    public boolean isStorageFailing() {
        return storageFailing;
    }

    /** Whether a log ending at ({@code index}, {@code term}) is strictly more up to date than ours. */
    private boolean logAhead(long index, long term) {
        return term > log.lastTerm() || (term == log.lastTerm() && index > log.lastIndex());
    }

    /**
     * Handles a message from a peer. Ignored: messages for another node; vote requests from a node
     * that is not a member of this node's membership, unless its log is ahead of this one (a
     * removed node, unaware of it, cannot disrupt the cluster by campaigning, since its log lacks
     * the removal; a node added while this one lagged holds the entries that added it, and its
     * election may need this vote); answers from a node this leader does not replicate to.
     * A learner's vote requests are answered: it campaigns only as a voter of its own log, so it
     * holds its promotion, which this node may have missed, and its election may need this vote
     * (Raft thesis §4.1). A leader's messages are taken from any node: a member that missed the
     * entry adding the leader must still be able to follow it.
     */
    public void step(RaftMessage message) {
        if (!message.to().equals(id) || message.from().equals(id)) {
            return;
        }
        if (message instanceof VoteRequest request
                && !log.membership().contains(request.from())
                && !logAhead(request.lastLogIndex(), request.lastLogTerm())) {
            return;
        }
        if (message instanceof IdentityRequest || message instanceof IdentityResponse) {
            return; // for the driver (store identity), not the protocol
        }
        termAtStep = term;
        if (message.term() > term) {
            if (message instanceof VoteRequest request && !request.leadershipTransfer() && inLease()) {
                // CheckQuorum: we heard from a live leader within the election timeout, so this
                // candidate is disruptive (e.g. it was partitioned away). Ignore it without adopting
                // its term (Raft thesis §4.2.3).
                return;
            }
            if (message instanceof VoteRequest request && request.preVote()) {
                // A pre-vote never changes the receiver's term.
            } else if (message instanceof VoteResponse response && response.preVote() && response.granted()) {
                // A granted pre-vote carries the term we would campaign in; we adopt it only by campaigning.
            } else {
                boolean fromLeader = message instanceof AppendEntriesRequest
                        || message instanceof TimeoutNow
                        || message instanceof InstallSnapshotRequest;
                stepDownBecause("node " + message.from() + " is in the higher term " + message.term() + " ("
                        + message.getClass().getSimpleName() + ")");
                becomeFollower(message.term(), fromLeader ? message.from() : null);
            }
        } else if (message.term() < term) {
            if (message instanceof AppendEntriesRequest) {
                // A stale leader (e.g. one that was partitioned away): tell it our term so it steps down.
                messages.add(new AppendEntriesResponse(id, message.from(), term, false, 0, 0, 0));
            } else if (message instanceof InstallSnapshotRequest request) {
                messages.add(new InstallSnapshotResponse(id, message.from(), term, request.snapshotIndex(), 0, true));
            } else if (message instanceof VoteRequest request && request.preVote()) {
                messagesAfterPersist.add(new VoteResponse(id, message.from(), term, false, true));
            } else if (message instanceof ReadIndexRequest request) {
                // Its asker follows an old leader: the higher term tells it to look for the new one.
                messages.add(new ReadIndexResponse(id, message.from(), term, request.requestId(), 0, false));
            }
            return;
        }

        if (message instanceof VoteRequest request) {
            handleVoteRequest(request);
            return;
        }
        if (message instanceof ReadIndexRequest request) {
            if (role == Role.LEADER) {
                leaderState.readIndex(request.requestId(), request.from());
            } else {
                messages.add(new ReadIndexResponse(id, request.from(), term, request.requestId(), 0, false));
            }
            return;
        }
        if (message instanceof ReadIndexResponse response) {
            if (forwardedReads.remove(response.requestId()) != null) {
                readStates.add(
                        response.granted()
                                ? Ready.ReadState.granted(response.requestId(), response.index())
                                : Ready.ReadState.refused(response.requestId(), Optional.ofNullable(leader)));
            }
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(message);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(message);
            case FOLLOWER -> stepFollower(message);
        }
    }

    /**
     * Appends {@code payloads} as consecutive data entries of the current term. They are sent to
     * followers at the next {@link #ready()}.
     *
     * @return the index of the first entry; the rest follow consecutively
     * @throws NotLeaderException                    if this node is not the leader (or is handing over
     *                                               leadership), naming the leader it knows
     * @throws io.raftlog.api.OverloadedException if the leader holds too many uncommitted bytes
     */
    public long propose(List<Bytes> payloads) {
        return propose(payloads, null);
    }

    /**
     * Like {@link #propose(List)}, with the type of each entry ({@code types.get(i)} for
     * {@code payloads.get(i)}); {@code null} types mean all {@link EntryType#DATA}.
     */
    public long propose(List<Bytes> payloads, List<EntryType> types) {
        if (role != Role.LEADER || leaderState.transferee() != null) {
            throw new NotLeaderException(
                    id, Optional.ofNullable(role == Role.LEADER ? leaderState.transferee() : leader));
        }
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("nothing to propose");
        }
        if (types != null && types.size() != payloads.size()) {
            throw new IllegalArgumentException(types.size() + " types for " + payloads.size() + " payloads");
        }
        return leaderState.propose(payloads, types);
    }

    /**
     * Proposes a change of membership as a {@code CONFIGURATION} entry: it takes effect on this
     * leader at once (on append) and on each follower as it appends it. Changes go one node at a
     * time, and only once the leader has committed an entry of its own term and the previous change
     * is committed (the fix for the single-server change bug found after Raft's publication: a
     * leader of a new term may not know yet that an earlier leader's change took effect). A change
     * that would leave the cluster unable to commit is refused.
     *
     * @return the index of the configuration entry
     * @throws NotLeaderException            if this node does not lead (or is handing over)
     * @throws MembershipChangeException if the change is not allowed now, saying why
     */
    public long proposeMembership(Membership next) {
        if (role != Role.LEADER || leaderState.transferee() != null) {
            throw new NotLeaderException(
                    id, Optional.ofNullable(role == Role.LEADER ? leaderState.transferee() : leader));
        }
        return leaderState.proposeMembership(next);
    }

    /**
     * Asks this leader to hand leadership to {@code target}: once the target's log is up to date
     * it is told to campaign at once ({@link TimeoutNow}). Proposals are refused meanwhile; the
     * transfer is abandoned after an election timeout, or when another target is asked for. A
     * transfer given up after a TimeoutNow left appends a no-op, so that a TimeoutNow arriving
     * late does not depose this leader (see {@link TimeoutNow}).
     */
    public void transferLeadership(NodeId target) {
        if (role != Role.LEADER) {
            throw new NotLeaderException(id, Optional.ofNullable(leader));
        }
        if (!log.membership().isVoter(target)) {
            throw new IllegalArgumentException("cannot transfer leadership to " + target + ": "
                    + (log.membership().isLearner(target)
                            ? "a learner cannot lead; promote it first"
                            : "not a member"));
        }
        if (!target.equals(id)) {
            leaderState.transferTo(target);
        }
    }

    /**
     * Asks for a linearizable read index (Raft thesis §6.4) under the driver's {@code requestId}
     * (unique among this node's reads in flight). A leader confirms with a quorum that it still
     * leads and answers its commit index as of this call (once an entry of its term is committed);
     * a follower asks its leader. The answer comes in {@link Ready#readStates()}: granted with the
     * index to serve from once applied, or refused (no leader known, or leadership changed
     * before the read was confirmed) for the caller to retry. A lost request or answer is not
     * retried here: the driver gives up on a read after its own deadline.
     */
    public void readIndex(long requestId) {
        if (role == Role.LEADER) {
            leaderState.readIndex(requestId, id);
        } else if (role == Role.FOLLOWER && leader != null) {
            forwardedReads.put(requestId, 0);
            messages.add(new ReadIndexRequest(id, leader, term, requestId));
        } else {
            readStates.add(Ready.ReadState.refused(requestId, Optional.ofNullable(leader)));
        }
    }

    void readAnswered(Ready.ReadState state) {
        readStates.add(state);
    }

    private void askAgainForReads() {
        int every = Math.max(1, config.electionTicks() / 2);
        for (Map.Entry<Long, Integer> read : forwardedReads.entrySet()) {
            if (read.setValue(read.getValue() + 1) + 1 >= every && leader != null) {
                read.setValue(0);
                messages.add(new ReadIndexRequest(id, leader, term, read.getKey()));
            }
        }
    }

    /** This node stops following the leader it forwarded reads to: they will not be answered. */
    private void refuseForwardedReads() {
        for (long requestId : forwardedReads.keySet()) {
            readStates.add(Ready.ReadState.refused(requestId, Optional.empty()));
        }
        forwardedReads.clear();
    }

    /**
     * A leader about to stop hands leadership to its most up-to-date follower (Raft thesis
     * §3.10), as {@link #transferLeadership} does: proposals are refused from now on, and the
     * follower campaigns once it holds the whole log.
     *
     * @return the follower chosen, or empty if this node does not lead or no follower has matched
     *         anything yet
     */
    public Optional<NodeId> handOffLeadership() {
        if (role != Role.LEADER) {
            return Optional.empty();
        }
        Optional<NodeId> target = leaderState.mostUpToDateFollower();
        target.ifPresent(leaderState::transferTo);
        return target;
    }

    /**
     * The driver made the entries up to ({@code index}, {@code term}) of a Ready handed out at
     * {@code logEpoch} ({@link Ready#logEpoch()}) durable, with every earlier Ready's writes. A
     * stale report is ignored: the entry was replaced since, or entries handed out were truncated
     * after that Ready, so later queued writes may still be rewriting what it wrote (the ABA etcd's
     * raft documents; a later Ready's report covers this one's entries).
     */
    public void persisted(long index, long entryTerm, long logEpoch) {
        if (log.stableTo(index, entryTerm, logEpoch) && role == Role.LEADER) {
            leaderState.selfPersisted();
        }
    }

    // ---------------------------------------------------------------- output

    /** True when {@link #ready()} has something for the driver. */
    public boolean hasReady() {
        flushReplication();
        return !messages.isEmpty()
                || !messagesAfterPersist.isEmpty()
                || !snapshotsToSend.isEmpty()
                || !readStates.isEmpty()
                || log.hasEntriesToPersist()
                || !currentHardState().equals(savedHardState)
                || applicableCommitIndex() != reportedCommitIndex;
    }

    /** Collects everything the driver must do now; see {@link Ready} for the order. */
    public Ready ready() {
        flushReplication();
        HardState hardState = currentHardState();
        Optional<HardState> changed = Optional.empty();
        if (!hardState.equals(savedHardState)) {
            changed = Optional.of(hardState);
            savedHardState = hardState;
        }
        reportedCommitIndex = applicableCommitIndex();
        List<LogEntry> entries = log.takeEntriesToPersist();
        Ready ready = new Ready(
                changed,
                entries,
                messages,
                messagesAfterPersist,
                reportedCommitIndex,
                log.epoch(),
                snapshotsToSend,
                readStates);
        messages.clear();
        messagesAfterPersist.clear();
        snapshotsToSend.clear();
        readStates.clear();
        return ready;
    }

    // ---------------------------------------------------------------- state

    /** Ticks before this node's election timer fires; 0 on a leader, which has none. */
    public int electionTicksLeft() {
        return role == Role.LEADER ? 0 : Math.max(0, randomizedElectionTimeout - electionElapsed);
    }

    /** The election timeout drawn for the current timer, in ticks. */
    public int electionTimeoutTicks() {
        return randomizedElectionTimeout;
    }

    public NodeId id() {
        return id;
    }

    /** Why this node last stopped leading (empty if it never did, or leads again). */
    public String stepDownReason() {
        return stepDownReason;
    }

    /** Records why a leader is about to step down; only a leader's reason is kept. */
    void stepDownBecause(String reason) {
        if (role == Role.LEADER) {
            stepDownReason = reason;
        }
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    public Optional<NodeId> leader() {
        return Optional.ofNullable(leader);
    }

    public Optional<NodeId> votedFor() {
        return Optional.ofNullable(votedFor);
    }

    /** The highest index known committed (it may not be durable here yet). */
    public long commitIndex() {
        return log.committed();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    /** The highest index that is durable on this node. */
    public long stableIndex() {
        return log.stableIndex();
    }

    /** The term of the entry at {@code index} ({@code firstIndex-1 <= index <= lastIndex}). */
    public long termAt(long index) {
        return log.term(index);
    }

    /** Entries from {@code from}, durable or not, bounded by count and bytes. */
    public List<LogEntry> entries(long from, int maxEntries, long maxBytes) {
        return log.entries(from, maxEntries, maxBytes);
    }

    /**
     * Visits committed or other entries from {@code from} (up to {@code maxEntries}, about
     * {@code maxBytes}), from memory when the log still holds them there, else from the store;
     * returns how many it visited (fewer than asked does not mean the log ends there). Payloads
     * are valid only during the visit.
     */
    public int forEachEntry(long from, int maxEntries, long maxBytes, java.util.function.Consumer<LogEntry> visitor) {
        return log.forEach(from, maxEntries, maxBytes, visitor);
    }

    /**
     * The driver applied entries up to {@code index}: the log need not keep them in memory for it
     * any longer.
     */
    public void applied(long index) {
        log.appliedTo(index);
    }

    /** Payload bytes proposed by this leader and not yet committed (0 on other roles). */
    public long uncommittedBytes() {
        return role == Role.LEADER ? leaderState.uncommittedBytes() : 0;
    }

    /** Role, term, leader, indexes, a leader's match indexes, and the membership in effect. */
    public NodeStatus status() {
        Map<NodeId, Long> matchIndex = role == Role.LEADER ? leaderState.matchIndexes() : Map.of();
        return new NodeStatus(id, role, term, leader(), log.committed(), log.lastIndex(), matchIndex)
                .withConfiguration(new NodeStatus.Configuration(
                        log.membership(), log.membershipIndex(), log.membershipIndex() <= log.committed()));
    }

    @Override
    public String toString() {
        return id + "{" + role + ", term=" + term + ", leader=" + leader + ", last=" + log.lastIndex() + ", commit="
                + log.committed() + "}";
    }

    // ---------------------------------------------------------------- roles

    private void stepLeader(RaftMessage message) {
        if (message instanceof AppendEntriesResponse response) {
            leaderState.handleAppendResponse(response);
        } else if (message instanceof InstallSnapshotResponse response) {
            leaderState.handleSnapshotResponse(response);
        } else if (message instanceof AppendEntriesRequest || message instanceof InstallSnapshotRequest) {
            throw new IllegalStateException(message.from() + " claims leadership of term " + term + ", which " + id
                    + " leads: election safety is broken");
        }
        // Vote responses and TimeoutNow of our own term need nothing from a leader.
    }

    private void stepCandidate(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request) {
            // Raft §5.2: a candidate that hears from the leader of its term returns to follower.
            becomeFollower(term, request.from());
            handleAppendEntries(request);
        } else if (message instanceof InstallSnapshotRequest request) {
            becomeFollower(term, request.from());
            handleSnapshotChunk(request);
        } else if (message instanceof VoteResponse response) {
            handleVoteResponse(response);
        }
    }

    private void stepFollower(RaftMessage message) {
        if (message instanceof AppendEntriesRequest request) {
            leader = request.from();
            electionElapsed = 0;
            handleAppendEntries(request);
        } else if (message instanceof InstallSnapshotRequest request) {
            leader = request.from();
            electionElapsed = 0;
            handleSnapshotChunk(request);
        } else if (message instanceof TimeoutNow timeoutNow && mayCampaign() && !isStale(timeoutNow)) {
            campaign(true);
        }
    }

    /**
     * Whether {@code timeoutNow}'s transfer was given up before it arrived: this log holds an entry
     * of its term past the index it names. Only its leader appends entries of that term, it appends
     * none while it transfers, and it appends a no-op when it gives a transfer up after sending a
     * TimeoutNow; so such an entry shows that the leader gave up, whatever order the messages came
     * in, and a TimeoutNow still current is never taken for a stale one. A TimeoutNow that arrives
     * before the no-op does is obeyed; the election it starts is one that a transfer finishing just
     * at its deadline would also have started, and it costs a term, never safety. One naming no
     * index (0) is obeyed.
     */
    private boolean isStale(TimeoutNow timeoutNow) {
        return timeoutNow.lastLogIndex() > 0
                && log.lastTerm() == timeoutNow.term()
                && log.lastIndex() > timeoutNow.lastLogIndex();
    }

    private void handleVoteRequest(VoteRequest request) {
        if (votesHeld) {
            messagesAfterPersist.add(new VoteResponse(id, request.from(), term, false, request.preVote()));
            return;
        }
        // A pre-vote is granted only to a node this one would follow into an election: not while
        // it hears from a leader (Raft thesis §9.6), with or without CheckQuorum; a transfer the
        // leader asked for is the exception.
        boolean canVote = request.from().equals(votedFor)
                || (votedFor == null && leader == null)
                || (request.preVote()
                        && request.term() > term
                        && (request.leadershipTransfer() || !heardFromLeaderRecently()));
        if (canVote && log.isUpToDate(request.lastLogIndex(), request.lastLogTerm())) {
            if (!request.preVote()) {
                electionElapsed = 0;
                votedFor = request.from();
            }
            // The grant leaves only after the vote is durable (Ready#messagesAfterPersist).
            messagesAfterPersist.add(new VoteResponse(id, request.from(), request.term(), true, request.preVote()));
        } else {
            messagesAfterPersist.add(new VoteResponse(id, request.from(), term, false, request.preVote()));
        }
    }

    private void handleVoteResponse(VoteResponse response) {
        if (response.preVote() != (role == Role.PRE_CANDIDATE)) {
            return;
        }
        if (role == Role.PRE_CANDIDATE && response.granted() && response.term() != term + 1) {
            return; // a grant for an earlier pre-vote round
        }
        if (!log.membership().isVoter(response.from())) {
            return; // only the voters of this node's membership elect it
        }
        votes.putIfAbsent(response.from(), response.granted());
        long granted = votes.values().stream().filter(Boolean::booleanValue).count();
        long rejected = votes.size() - granted;
        if (granted >= quorum()) {
            if (role == Role.PRE_CANDIDATE) {
                becomeCandidate(false);
            } else {
                becomeLeader();
            }
        } else if (rejected >= quorum()) {
            becomeFollower(term, null);
        }
    }

    private void handleAppendEntries(AppendEntriesRequest request) {
        long committed = log.committed();
        if (request.lastIndex() <= committed) {
            // Everything it carries is already committed here, hence matches (Log Matching).
            if (isHeartbeatOfDurableEntries(request)) {
                // Promise only what is durable: the committed prefix may still be in the write queue.
                messages.add(new AppendEntriesResponse(
                        id,
                        request.from(),
                        term,
                        true,
                        Math.min(committed, log.stableIndex()),
                        0,
                        0,
                        request.readContext()));
            } else {
                messagesAfterPersist.add(new AppendEntriesResponse(
                        id, request.from(), term, true, committed, 0, 0, request.readContext()));
            }
            return;
        }
        List<LogEntry> entries = request.entries();
        long prevIndex = request.prevLogIndex();
        long prevTerm = request.prevLogTerm();
        if (prevIndex < committed) {
            // Skip the committed prefix; the entry at the commit index matches the leader's.
            int skip = (int) (committed - prevIndex);
            prevIndex = committed;
            prevTerm = entries.get(skip - 1).term();
            entries = entries.subList(skip, entries.size());
        }
        if (!log.matchTerm(prevIndex, prevTerm)) {
            // Raft §5.3 consistency check failed; hint where our logs may agree so the leader can
            // skip a whole conflicting term in one round trip.
            long hintIndex = log.findConflictByTerm(Math.min(prevIndex, log.lastIndex()), prevTerm);
            long hintTerm = log.term(hintIndex);
            messagesAfterPersist.add(new AppendEntriesResponse(
                    id,
                    request.from(),
                    term,
                    false,
                    request.prevLogIndex(),
                    hintIndex,
                    hintTerm,
                    request.readContext()));
            return;
        }
        log.appendFromLeader(entries);
        highestLeaderCommit = Math.max(highestLeaderCommit, request.leaderCommit());
        long lastNew = request.lastIndex();
        // Raft Figure 2: commitIndex = min(leaderCommit, index of last new entry).
        log.commitTo(Math.min(request.leaderCommit(), lastNew));
        AppendEntriesResponse success =
                new AppendEntriesResponse(id, request.from(), term, true, lastNew, 0, 0, request.readContext());
        if (isHeartbeatOfDurableEntries(request)) {
            // A heartbeat's answer promises only entries already durable here, so it need not wait
            // behind queued writes: a follower whose disk stalls still answers its leader at once,
            // and the leader keeps its quorum (CheckQuorum) through the stall.
            messages.add(success);
        } else {
            messagesAfterPersist.add(success);
        }
    }

    /**
     * A chunk of the leader's snapshot: the driver writes it (see {@link #wantsSnapshot}). One
     * that brings nothing new is answered as an AppendEntries would be, so the leader goes back to
     * sending entries.
     */
    private void handleSnapshotChunk(InstallSnapshotRequest request) {
        if (request.snapshotIndex() <= log.committed()) {
            messagesAfterPersist.add(new AppendEntriesResponse(id, request.from(), term, true, log.committed(), 0, 0));
        }
    }

    /**
     * Whether the driver should write {@code chunk}, just {@linkplain #step stepped}: it comes from
     * the leader of the current term and its snapshot reaches past this node's commit index.
     */
    public boolean wantsSnapshot(InstallSnapshotRequest chunk) {
        return role == Role.FOLLOWER
                && chunk.term() == term
                && chunk.from().equals(leader)
                && chunk.snapshotIndex() > log.committed();
    }

    /**
     * The driver received and durably saved the leader's snapshot ending at ({@code index},
     * {@code snapshotTerm}), checksum verified. If the log holds that entry, it is only committed;
     * otherwise the log is replaced by the snapshot: it becomes empty after {@code index}, and the
     * driver must reset its store to start there ({@link LogStore#reset}), in order with its
     * writes, and restore its state from the snapshot before applying anything more. The leader
     * is told once that is durable.
     *
     * @return whether the log was replaced (the driver resets and restores)
     */
    public boolean installSnapshot(long index, long snapshotTerm) {
        return installSnapshot(index, snapshotTerm, null);
    }

    /**
     * Like {@link #installSnapshot(long, long)}, with the membership the snapshot recorded: when
     * the log is replaced it takes effect (the configuration entries it held are gone with it).
     * {@code null} keeps the membership this node had (for snapshots that record none).
     */
    public boolean installSnapshot(long index, long snapshotTerm, Membership membership) {
        if (role != Role.FOLLOWER || index <= log.committed()) {
            return false; // a leader holds every committed entry; an older snapshot brings nothing
        }
        NodeId to = leader;
        boolean replace = !log.matchTerm(index, snapshotTerm);
        if (replace) {
            log.install(index, snapshotTerm, membership);
        } else {
            log.commitTo(index);
        }
        if (to != null) {
            messagesAfterPersist.add(new AppendEntriesResponse(id, to, term, true, index, 0, 0));
        }
        return replace;
    }

    /**
     * The driver holds a snapshot ending at ({@code index}, {@code snapshotTerm}) and is about to
     * remove the entries up to it from its store: they are never read again, and a follower that
     * needs them gets that snapshot instead. At most the applied (committed and durable) index.
     */
    public void compact(long index, long snapshotTerm) {
        log.compact(index, snapshotTerm);
    }

    /** The first index of the log (entries before it are in a snapshot). */
    public long firstIndex() {
        return log.firstIndex();
    }

    /**
     * Whether this leader still wants {@code peer} to receive the snapshot at {@code index}: its
     * progress waits for it, or probes between two attempts and will ask for it again. A driver
     * streaming it keeps the transfer while this holds (to resume it) and stops once not.
     */
    public boolean sendingSnapshot(NodeId peer, long index) {
        return role == Role.LEADER && leaderState.sendingSnapshot(peer, index);
    }

    void sendSnapshot(NodeId peer, long index, long snapshotTerm) {
        snapshotsToSend.add(new Ready.SnapshotToSend(peer, index, snapshotTerm));
    }

    /**
     * Whether {@code request} is a heartbeat whose success this node may answer at once: it
     * carries no entries, it is anchored at an index already durable here, and it did not raise
     * this node's term (a new term must be durable before it is acted on).
     */
    private boolean isHeartbeatOfDurableEntries(AppendEntriesRequest request) {
        return request.entries().isEmpty() && request.lastIndex() <= log.stableIndex() && termAtStep == term;
    }

    // ---------------------------------------------------------------- transitions

    private void campaign(boolean leadershipTransfer) {
        if (config.preVote() && !leadershipTransfer) {
            becomePreCandidate();
        } else {
            becomeCandidate(leadershipTransfer);
        }
    }

    private void becomePreCandidate() {
        refuseForwardedReads();
        role = Role.PRE_CANDIDATE;
        leader = null;
        leaderState = null;
        resetElectionTimer();
        startPoll(term + 1, true, false);
    }

    private void becomeCandidate(boolean leadershipTransfer) {
        refuseForwardedReads();
        role = Role.CANDIDATE;
        term++;
        votedFor = id;
        leader = null;
        leaderState = null;
        resetElectionTimer();
        startPoll(term, false, leadershipTransfer);
    }

    private void startPoll(long pollTerm, boolean preVote, boolean leadershipTransfer) {
        votes.clear();
        boolean voter = log.membership().isVoter(id);
        if (voter) {
            votes.put(id, true); // a node being removed asks for votes, but its own does not count
        }
        if (voter && quorum() == 1) {
            if (preVote) {
                becomeCandidate(false);
            } else {
                becomeLeader();
            }
            return;
        }
        for (NodeId member : log.membership().voters().keySet()) {
            if (!member.equals(id)) {
                // After persist: a candidate's self-vote must be durable before it asks for votes.
                messagesAfterPersist.add(new VoteRequest(
                        id, member, pollTerm, log.lastIndex(), log.lastTerm(), preVote, leadershipTransfer));
            }
        }
    }

    private void becomeLeader() {
        stepDownReason = "";
        role = Role.LEADER;
        leader = id;
        electionElapsed = 0;
        votes.clear();
        leaderState = new LeaderState(this);
        // Raft §8: commit a no-op of the new term so entries of earlier terms get committed (§5.4.2).
        log.append(List.of(new LogEntry(log.lastIndex() + 1, term, EntryType.NOOP, Bytes.EMPTY)));
    }

    void becomeFollower(long newTerm, NodeId newLeader) {
        if (leaderState != null) {
            leaderState.refuseReads();
        }
        if (newTerm > term || !Objects.equals(newLeader, leader)) {
            refuseForwardedReads();
        }
        if (newTerm > term) {
            term = newTerm;
            votedFor = null;
            highestLeaderCommit = 0;
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        leaderState = null;
        votes.clear();
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- helpers

    int quorum() {
        return log.membership().quorum();
    }

    /** The membership in effect: the newest configuration entry in the log, committed or not. */
    public Membership membership() {
        return log.membership();
    }

    /** The index of the entry that set {@link #membership()} (0: the bootstrap one). */
    public long membershipIndex() {
        return log.membershipIndex();
    }

    /**
     * The driver restored its state from a snapshot ending at {@code index} that recorded
     * {@code membership}: it is the membership up to there (configuration entries the log still
     * holds up to {@code index} are in it already; those after it still apply).
     */
    public void restoreMembership(long index, Membership membership) {
        log.restoreMembership(index, membership);
    }

    /**
     * The driver rewrote the stored entry {@code entry} with an intact copy: if it is a
     * configuration entry that could not be read when this node started, it takes effect now.
     */
    public void entryRepaired(LogEntry entry) {
        log.repaired(entry);
    }

    /**
     * Takes {@code voters} for the membership the cluster was bootstrapped with (index 0), in place
     * of the one this node started with: a node rejoining on a blank store knows the cluster's
     * only from its peers. Returns false, changing nothing, once the log's base is a snapshot's.
     */
    public boolean adoptBootstrapMembership(List<NodeId> voters) {
        return log.adoptBootstrap(Membership.ofVoters(voters));
    }

    /** The membership in effect at {@code index}, for a snapshot taken there. */
    public Membership membershipAt(long index) {
        return log.membershipAt(index);
    }

    void send(RaftMessage message) {
        messages.add(message);
    }

    int electionElapsed() {
        return electionElapsed;
    }

    void resetElectionElapsed() {
        electionElapsed = 0;
    }

    private boolean inLease() {
        return config.checkQuorum() && heardFromLeaderRecently();
    }

    /** A leader (this node, or the one it follows) was in touch within the election timeout. */
    private boolean heardFromLeaderRecently() {
        return leader != null && electionElapsed < config.electionTicks();
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        // A lone member has nobody to wait for: it campaigns at its first tick.
        randomizedElectionTimeout =
                log.membership().voters().size() == 1 && log.membership().isVoter(id)
                        ? 1
                        : config.electionTicks() + random.nextInt(config.electionTicks());
    }

    private void flushReplication() {
        if (role == Role.LEADER) {
            leaderState.flush();
        }
    }

    private HardState currentHardState() {
        if (savedHardState.term() == term
                && Objects.equals(savedHardState.votedFor().orElse(null), votedFor)) {
            return savedHardState;
        }
        return new HardState(term, Optional.ofNullable(votedFor));
    }

    private long applicableCommitIndex() {
        return Math.min(log.committed(), log.stableIndex());
    }
}
