package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.RaftException;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.IdentityRequest;
import io.raftlog.api.message.IdentityResponse;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.protocol.RaftProtocol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node that lost, replaced or rolled back its store from breaking promises it forgot.
 *
 * <p>On start ({@link #open}) the store's identity is checked — its cluster and node, or, for a
 * blank store, the {@link NodeConfig.StartMode} — and its generation raised and saved before
 * anything is sent. Then the node tells each peer which store it runs on ({@link IdentityRequest})
 * and holds its votes until a majority, itself included, has accepted it: a peer refuses a store
 * other than the one it knew for that member (unless the member says it is rejoining) and one older
 * than it saw — a lower generation; a history of starts without the start it saw (a copy's own
 * starts, refused ones included); a term below one the member voted for it in; a log ending below
 * a committed index the member had stored when it led — and the node then stops with the peer's
 * reason. A node rejoining on a blank store also waits for every other member's term,
 * takes the highest as a floor it never votes at or below ({@link RaftProtocol#adoptTermFloor}), and
 * votes only once its durable log reaches the commit index a leader of that term or later sent it.
 *
 * <p>Confined to the node's loop thread.
 */
final class IdentityGate {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    private static final String OLDER_COPY =
            ": it may have forgotten votes and acknowledgements; give it its latest data directory,"
                    + " or wipe it and start it with --rejoin";

    private final NodeConfig config;
    private final RaftProtocol raft;
    private final Consumer<RaftMessage> send;
    private final LogWriter writer;
    private final Consumer<RaftException> fail;
    /**
     * The store was blank and taken as a first start: any peer may remember another store of this
     * node (a lost disk started as if new), so every peer must accept it before it takes part.
     */
    private final boolean blankStart;

    private volatile StoreIdentity identity; // read by status() on other threads
    private final Map<NodeId, StoreIdentity.Seen> seen;
    /** Peers that accepted this node's store in this life, with the term they answered in. */
    private final Map<NodeId, Long> accepted = new java.util.concurrent.ConcurrentHashMap<>(); // read by tests

    private int ticksSinceAsked;
    /** What the node learned of its peers' promises since the peers record was last saved. */
    private boolean promisesUnsaved;

    private int ticksSinceSaved;
    private final int saveEveryTicks;
    /** What the store held at start, told to peers (a copy restored from the last run claims less). */
    private final long storeTerm;

    private final long storeLastIndex;
    /** For a rejoining node: the term floor once every peer answered, and the commit index to reach. */
    private long floor = -1;

    private long catchUpTo = -1;
    /** The node started rejoining in this life: once caught up, it tells every peer. */
    private final boolean startedRejoining;
    /** Peers that accepted a request of this life saying it does not rejoin (any more). */
    private final java.util.Set<NodeId> toldCaughtUp = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Per member, the start (boot) in which it said it had caught up after a rejoin. */
    private final java.util.Map<NodeId, Long> caughtUpBoot = new java.util.HashMap<>();
    /**
     * Peers that must hear this node's identity again (told each election timeout until one of
     * their answers comes): on a store new to this node, which does not know this node's; or, while
     * this node rejoins, a new start of a peer, which must learn that its acknowledgements do not
     * count yet.
     */
    private final java.util.Set<NodeId> mustRetell = new java.util.HashSet<>();
    /**
     * Per peer, the start (boot) of it that was retold: once per start, so that two nodes that both
     * retell do not answer each other's retelling for ever.
     */
    private final java.util.Map<NodeId, Long> retoldBoot = new java.util.HashMap<>();
    /**
     * The newest membership a peer's answer told, when newer than this node's own: a node away
     * while members were replaced must be vetted by the voters of now, not by those its log names.
     */
    private long toldMembershipIndex = -1;

    private java.util.Set<NodeId> toldVoters = java.util.Set.of();
    /**
     * Whether the voters the cluster was bootstrapped with are known (saved in the store), not the
     * flags' guess of a node rejoining on a blank store; see {@link BootstrapMembers}.
     */
    private boolean bootstrapKnown;

    private List<NodeId> bootstrapVoters = List.of();
    /** Leaders whose messages this node dropped while not vetted: asked too (its members may be gone). */
    private final java.util.Set<NodeId> leadersHeard = new java.util.TreeSet<>();

    private IdentityGate(
            NodeConfig config,
            RaftProtocol raft,
            Consumer<RaftMessage> send,
            LogWriter writer,
            Consumer<RaftException> fail,
            StoreIdentity identity,
            Map<NodeId, StoreIdentity.Seen> seen,
            boolean blankStart,
            long storeTerm,
            long storeLastIndex) {
        this.blankStart = blankStart;
        this.storeTerm = storeTerm;
        this.storeLastIndex = storeLastIndex;
        // Peers' promises are saved about once a second (a metadata write each): what is lost in a
        // crash is only a weaker check of a later restored copy, never a wrong refusal.
        this.saveEveryTicks = (int) Math.max(
                config.protocol().electionTicks(),
                java.time.Duration.ofSeconds(1).toNanos()
                        / config.tickInterval().toNanos());
        this.config = config;
        this.raft = raft;
        this.send = send;
        this.writer = writer;
        this.fail = fail;
        this.identity = identity;
        this.seen = seen;
        this.startedRejoining = identity.rejoining();
    }

    /**
     * Checks the store against {@code config}, saves its identity with the generation raised, and
     * returns the gate, votes held. Runs on the starting thread before the writer and transport.
     *
     * @throws StorageException naming what is wrong and what to do, if the store is refused
     */
    static IdentityGate open(
            NodeConfig config,
            LogStore store,
            RaftProtocol raft,
            Consumer<RaftMessage> send,
            LogWriter writer,
            Consumer<RaftException> fail,
            java.util.random.RandomGenerator random,
            BootstrapMembers.Resolved bootstrap) {
        Optional<Bytes> saved = store.metadata(StoreIdentity.NAME);
        StoreIdentity identity;
        boolean blankStart = false;
        if (saved.isPresent()) {
            StoreIdentity found = StoreIdentity.decode(saved.get());
            if (!found.clusterId().equals(config.clusterId()) || !found.node().equals(config.id())) {
                throw new StorageException("this store belongs to node " + found.node() + " of cluster '"
                        + found.clusterId() + "', not to node " + config.id() + " of cluster '" + config.clusterId()
                        + "': check the data directory, the node id and the cluster id");
            }
            identity = found.next(random.nextLong());
            // A store first taken as blank that not every peer has accepted yet stays on probation
            // across restarts: a peer that remembers an earlier store of this node may not have
            // answered yet, and the node must not take part before it did. Not a joining node's:
            // it was never a member, and a majority vets it at every start until one has.
            blankStart = !found.vetted() && !found.rejoining() && !found.joined();
            if (config.startMode() == NodeConfig.StartMode.REJOIN && !found.rejoining()) {
                if (found.vetted() && !isBlank(store)) {
                    // It took part on this store already (rejoined, or never lost it): --rejoin was
                    // left on; rejoining again would only wait for every member for nothing.
                    LOG.info("node {}: --rejoin ignored: its store took part in the cluster already", config.id());
                } else {
                    // A store its peers never accepted (a lost disk started as if new, refused):
                    // it holds nothing anyone relied on; rejoin on it.
                    identity = identity.rejoin();
                    LOG.info("node {}: rejoining on its store as asked (--rejoin)", config.id());
                }
            }
        } else if (isBlank(store)) {
            switch (config.startMode()) {
                case EXISTING ->
                    throw new StorageException("the store of node " + config.id()
                            + " is empty, but the node was started as an existing member: for the first start of a"
                            + " new cluster start it with --bootstrap (StartMode.BOOTSTRAP); if " + config.id()
                            + " lost its data, start it with --rejoin (StartMode.REJOIN)");
                case BOOTSTRAP -> {
                    identity = StoreIdentity.first(
                            config.clusterId(),
                            config.id(),
                            StoreIdentity.drawStoreId(random),
                            false,
                            false,
                            random.nextLong());
                    blankStart = true;
                }
                case REJOIN ->
                    identity = StoreIdentity.first(
                            config.clusterId(),
                            config.id(),
                            StoreIdentity.drawStoreId(random),
                            true,
                            false,
                            random.nextLong());
                case JOIN ->
                    // Never a member before: nobody can hold promises of it (a peer that knew another
                    // store of this id refuses it), so a majority of the voters vets it.
                    identity = StoreIdentity.joining(
                            config.clusterId(), config.id(), StoreIdentity.drawStoreId(random), random.nextLong());
                default -> throw new IllegalStateException("unknown start mode " + config.startMode());
            }
            LOG.info(
                    "node {}: new store {} ({})",
                    config.id(),
                    Long.toHexString(identity.storeId()),
                    identity.rejoining() ? "rejoining after a lost disk" : "first start");
        } else {
            // A store written before stores recorded their identity: adopt it.
            identity = StoreIdentity.first(
                    config.clusterId(), config.id(), StoreIdentity.drawStoreId(random), false, true, random.nextLong());
            LOG.info("node {}: recording an identity in its existing store", config.id());
        }
        store.saveMetadata(StoreIdentity.NAME, identity.encode());
        Map<NodeId, StoreIdentity.Seen> seen = store.metadata(StoreIdentity.PEERS)
                .map(StoreIdentity::decodePeers)
                .orElseGet(LinkedHashMap::new);
        IdentityGate gate = new IdentityGate(
                config,
                raft,
                send,
                writer,
                fail,
                identity,
                new LinkedHashMap<>(seen),
                blankStart,
                store.hardState().term(),
                store.lastIndex());
        gate.bootstrapKnown = bootstrap.known();
        gate.bootstrapVoters = bootstrap.voters();
        raft.holdVotes(gate.mustHoldVotes());
        return gate;
    }

    private static boolean isBlank(LogStore store) {
        return store.lastIndex() == 0
                && store.firstIndex() == 1
                && store.hardState().equals(HardState.INITIAL);
    }

    /** Whether the node is rejoining after a lost disk and has not caught up yet. */
    boolean rejoining() {
        return identity.rejoining();
    }

    StoreIdentity identity() {
        return identity;
    }

    /**
     * Asks every peer that has not accepted this store yet, and, once a rejoining node caught up,
     * every peer that has not heard so (until then its acknowledgements count toward no commit).
     */
    void askPeers() {
        askPeers(false);
    }

    /**
     * Like {@link #askPeers()}; with {@code everyone}, asks the peers that accepted already too:
     * their answers tell the membership of now, which may have changed since (a node waiting for
     * a member that was removed meanwhile learns from them whom to wait for instead).
     */
    private void askPeers(boolean everyone) {
        ticksSinceAsked = 0;
        for (NodeId member : peers()) {
            if (!member.equals(config.id())
                    && (everyone
                            || !accepted.containsKey(member)
                            || mustTellCaughtUp(member)
                            || mustRetell.contains(member))) {
                send.accept(new IdentityRequest(
                        config.id(),
                        member,
                        raft.term(),
                        identity.storeId(),
                        identity.generation(),
                        identity.boots(),
                        identity.rejoining(),
                        storeTerm,
                        storeLastIndex,
                        vetted(),
                        identity.replaced()));
            }
        }
    }

    /**
     * After each protocol tick: asks again every election timeout, follows a rejoin's progress,
     * and saves what it learned of its peers' promises now and then.
     */
    void tick() {
        if (++ticksSinceAsked >= config.protocol().electionTicks()
                && (!accepted.keySet().containsAll(peers())
                        || peers().stream().anyMatch(this::mustTellCaughtUp)
                        || (identity.rejoining() && awaitsBootstrap()))) {
            // Still waiting: ask everyone, so that a membership changed meanwhile reaches it.
            askPeers(true);
        } else if (ticksSinceAsked >= config.protocol().electionTicks() && !mustRetell.isEmpty()) {
            askPeers(false); // a retelling lost on the way, or its answer
        }
        if (++ticksSinceSaved >= saveEveryTicks && promisesUnsaved) {
            savePeers();
        }
        progress();
    }

    private boolean mustTellCaughtUp(NodeId member) {
        return startedRejoining
                && !identity.rejoining()
                && !member.equals(config.id())
                && !toldCaughtUp.contains(member);
    }

    /** {@code peer} granted this node its vote in {@code term}: its store holds at least that term. */
    void voteGranted(NodeId peer, long term) {
        StoreIdentity.Seen known = seen.get(peer);
        if (known != null && term > known.votedTerm()) {
            seen.put(peer, known.withVote(term));
            promisesUnsaved = true;
        }
    }

    /**
     * This leader knows {@code peer} made entries up to {@code index} durable and that they are
     * committed: its store holds them for good.
     */
    void held(NodeId peer, long index) {
        StoreIdentity.Seen known = seen.get(peer);
        if (known != null && index > known.heldIndex()) {
            seen.put(peer, known.withHeld(index));
            promisesUnsaved = true;
        }
    }

    private void savePeers() {
        ticksSinceSaved = 0;
        promisesUnsaved = false;
        writer.saveMetadata(StoreIdentity.PEERS, StoreIdentity.encodePeers(seen));
    }

    /** Handles an identity message; returns false for anything else (a message for the protocol). */
    boolean handle(RaftMessage message) {
        if (message instanceof IdentityRequest request) {
            answer(request);
            return true;
        }
        if (message instanceof IdentityResponse response) {
            // From any node: a peer answers whoever asks, and its membership may be newer.
            if (!response.to().equals(config.id()) || response.boot() != identity.boot()) {
                return true; // not for this node, or for an earlier start of it (late)
            }
            if (!response.voters().isEmpty() && response.membershipIndex() > toldMembershipIndex) {
                toldMembershipIndex = response.membershipIndex();
                toldVoters = java.util.Set.copyOf(response.voters());
                if (toldMembershipIndex > raft.membershipIndex()) {
                    askPeers(); // the voters of now, some of whom its own membership does not list
                }
            }
            if (!response.accepted()) {
                fail.accept(new StorageException(
                        "peer " + response.from() + " refused this node's store: " + response.reason()));
                return true;
            }
            accepted.put(response.from(), response.term());
            mustRetell.remove(response.from()); // it has heard this start of this node
            if (!bootstrapKnown
                    && response.membershipIndex() == 0
                    && !response.voters().isEmpty()) {
                learnBootstrap(response);
            }
            if (identity.rejoining() && response.previousStore() != 0) {
                // The peer knew another store of this node, the one lost: this one replaces it.
                StoreIdentity replacing = identity.replacing(response.previousStore());
                if (!replacing.equals(identity)) {
                    identity = replacing;
                    writer.saveMetadata(StoreIdentity.NAME, identity.encode());
                }
            }
            if (!response.rejoining()) {
                toldCaughtUp.add(response.from());
            }
            progress();
            return true;
        }
        return false;
    }

    /**
     * Answers a peer's identity, whether or not this node's membership lists it: a node whose log
     * lags may not know yet that the asker was added or promoted, and the asker, which must be
     * vetted by a majority of the voters of now before it votes, may need this answer to become a
     * voter whose vote elects the leader that would bring this node's log up to date (found by the
     * whole-node simulator, seeds 6287, 9075, 11808 and 16656: a learner's promotion only on the
     * old leader's log, a voter rejoining after a lost disk, and no quorum of the new voters able to
     * vote). The answer is the same checks against what this node knows of the asker's stores; it
     * counts toward vetting only where the asker takes this node for a voter.
     */
    private void answer(IdentityRequest request) {
        NodeId peer = request.from();
        if (peer.equals(config.id()) || !request.to().equals(config.id())) {
            return;
        }
        StoreIdentity.Seen known = seen.get(peer);
        String refusal = refusal(config.id(), known, request);
        if (refusal != null) {
            LOG.warn("node {} refuses {}: {}", config.id(), peer, refusal);
            send.accept(new IdentityResponse(
                    config.id(), peer, raft.term(), false, request.boot(), request.rejoining(), refusal));
            return;
        }
        StoreIdentity.Seen now = known != null && known.storeId() == request.storeId()
                ? new StoreIdentity.Seen(
                        request.storeId(), request.generation(), request.boot(), known.votedTerm(), known.heldIndex())
                : new StoreIdentity.Seen(request.storeId(), request.generation(), request.boot());
        boolean storeNew = request.rejoining() || known == null || known.storeId() != request.storeId();
        if (storeNew) {
            // A store this node did not know (it may have lost its own record of the member): what
            // a leader knew the member to hold was on another store; it probes it again.
            raft.peerStoreReplaced(peer);
        }
        // That store does not know this node's: tell it (at once), so that it can tell this node's
        // store from a blank one started as if new if this node loses its data. And while this node
        // rejoins, a peer's new start must hear so: it forgot, and would count this node's
        // acknowledgements, and take it for a live voter when it checks a change of voters.
        boolean retell = (storeNew || identity.rejoining())
                && !Long.valueOf(request.boot()).equals(retoldBoot.get(peer));
        if (retell) {
            retoldBoot.put(peer, request.boot());
            mustRetell.add(peer);
        }
        if (!now.equals(known)) {
            seen.put(peer, now);
            savePeers();
        }
        // A leader counts its acknowledgements once caught up. Within one start a member goes from
        // rejoining to caught up, never back: a rejoining request that arrives after it said it
        // caught up was overtaken on the way, and must not mark it catching up again (nothing would
        // clear the mark, and two such members would leave a leader unable to commit).
        boolean rejoining = request.rejoining() && !Long.valueOf(request.boot()).equals(caughtUpBoot.get(peer));
        if (!request.rejoining()) {
            caughtUpBoot.put(peer, request.boot());
        }
        raft.peerCatchingUp(peer, rejoining);
        // A bootstrap membership this node only guessed (rejoining on a blank store) is not told:
        // a rejoining peer would take it for the cluster's.
        boolean tellsMembership = raft.membershipIndex() > 0 || bootstrapKnown;
        send.accept(new IdentityResponse(
                config.id(),
                peer,
                raft.term(),
                true,
                request.boot(),
                request.rejoining(),
                "",
                tellsMembership ? raft.membershipIndex() : 0,
                tellsMembership ? List.copyOf(raft.membership().voters().keySet()) : List.of(),
                known != null && known.storeId() != request.storeId() ? known.storeId() : 0));
        if (retell) {
            askPeers();
        }
    }

    /**
     * Why {@code self}, which last accepted {@code known} (null: never) from the request's sender,
     * refuses the start {@code request} describes; null if it accepts it.
     */
    static String refusal(NodeId self, StoreIdentity.Seen known, IdentityRequest request) {
        NodeId peer = request.from();
        if (known == null) {
            return null;
        }
        if (known.storeId() != request.storeId()) {
            // Rejoining: the floor protects it. Taking part: the voters vetted this store already
            // (a store taken as blank waits for every voter, so none of them knew another); this
            // peer missed its rejoin, being a learner, or no member, then. Replacing the store this
            // peer knew: the node rejoined on it, and the peers that accepted that told it which
            // store it replaced; this peer missed the rejoin (seed 293: a learner then, it refused
            // the node's every restart after it). A restored copy of the replaced store does not
            // list this one, and the peers that know this one refuse it.
            return request.rejoining()
                            || request.takesPart()
                            || request.replaces().contains(known.storeId())
                    ? null
                    : peer + " runs on another store than before (store " + Long.toHexString(request.storeId())
                            + ", " + self + " knew " + Long.toHexString(known.storeId())
                            + "): its data directory was lost or replaced; if it lost its data, start it with"
                            + " --rejoin, otherwise give it back its own data directory";
        }
        if (request.generation() < known.generation()) {
            return peer + " runs on an older copy of its store (start " + request.generation() + ", but " + self
                    + " saw start " + known.generation() + ")" + OLDER_COPY;
        }
        // The start the peer saw must be in this store's history of starts. A copy's starts (the
        // refused ones too) are a history of their own, whatever their count.
        long since = request.generation() - known.generation();
        if (since < request.boots().size() && request.boots().get((int) since) != known.boot()) {
            return peer + " runs on an older copy of its store (its start " + known.generation() + " is not the one "
                    + self + " saw)" + OLDER_COPY;
        }
        if (request.rejoining() || since == 0 || request.takesPart()) {
            // Rejoining (the floor protects it); the start this peer accepted, asking again; or a
            // start a majority accepted already, which may have voted or acknowledged since it
            // began: promises made in this start are not in its start values.
            return null;
        }
        // The same store and a newer start, yet it holds less than it promised: a copy taken
        // during its last run and restored at this one.
        if (request.storeTerm() < known.votedTerm()) {
            return peer + " runs on an older copy of its store (its term is " + request.storeTerm()
                    + ", but it voted for " + self + " in term " + known.votedTerm() + ")" + OLDER_COPY;
        }
        if (request.storeLastIndex() < known.heldIndex()) {
            return peer + " runs on an older copy of its store (its log ends at index " + request.storeLastIndex()
                    + ", but it had stored index " + known.heldIndex() + ", committed, when " + self + " led)"
                    + OLDER_COPY;
        }
        return null;
    }

    /**
     * Whether the node may take AppendEntries (and so acknowledge): its store is vetted, and, if it
     * rejoins after losing its data, it knows the term floor. Before that it may have forgotten a
     * term it reached: a leader of an older term, still leading for want of news, could then count
     * it toward commits of entries that conflict with ones committed in that forgotten term.
     */
    boolean mayAcknowledge() {
        return vetted() && (!identity.rejoining() || floor >= 0);
    }

    /**
     * Whether a majority, this node included, accepted its store. Until then the node acknowledges
     * nothing either (the driver drops AppendEntries), so that a store it later loses is one its
     * peers know: a blank restart of it as if new is then refused.
     */
    boolean vetted() {
        // Asked for every message the node takes: answered again only when what it depends on
        // changed (peers only ever join {@code accepted}; memberships are immutable values).
        Object votersFrom = toldMembershipIndex > raft.membershipIndex() ? toldVoters : raft.membership();
        int acceptedCount = accepted.size();
        if (votersFrom != vettedFor || acceptedCount != vettedWithAccepted) {
            vettedAnswer = computeVetted();
            vettedFor = votersFrom;
            vettedWithAccepted = acceptedCount;
        }
        return vettedAnswer;
    }

    private Object vettedFor;
    private int vettedWithAccepted = -1;
    private boolean vettedAnswer;

    private boolean computeVetted() {
        java.util.Set<NodeId> voters = voters();
        int voterPeers = voters.size() - (voters.contains(config.id()) ? 1 : 0);
        int quorumOfPeers = voters.size() / 2 + 1 - (voters.contains(config.id()) ? 1 : 0);
        long acceptedVoters = 0; // a loop, not a stream: this runs for every message the node takes
        for (NodeId peer : accepted.keySet()) {
            if (voters.contains(peer)) {
                acceptedVoters++;
            }
        }
        return acceptedVoters >= (blankStart ? voterPeers : Math.min(quorumOfPeers, voterPeers));
    }

    /**
     * The voters that vet this store: those of its own membership, or of a newer one a peer told
     * (until its own log catches up with it).
     */
    private java.util.Set<NodeId> voters() {
        return toldMembershipIndex > raft.membershipIndex()
                ? toldVoters
                : raft.membership().voters().keySet();
    }

    /**
     * The nodes to ask: the other members of its membership, the voters a peer told of, and, until
     * vetted, the leaders whose messages it dropped.
     */
    private java.util.Set<NodeId> peers() {
        java.util.Set<NodeId> peers = new java.util.TreeSet<>(raft.membership().ids());
        peers.addAll(voters());
        if (!vetted()) {
            peers.addAll(leadersHeard);
        }
        peers.remove(config.id());
        return peers;
    }

    /** The other voters that vet this store. */
    private java.util.Set<NodeId> voterPeers() {
        java.util.Set<NodeId> voters = new java.util.TreeSet<>(voters());
        voters.remove(config.id());
        return voters;
    }

    /**
     * {@code leader} sent this node a leader's message that it dropped, not vetted yet: it replicates
     * to this node, so it is a member of a membership that holds it, and it is asked too.
     */
    void leaderHeard(NodeId leader) {
        if (!leader.equals(config.id()) && leadersHeard.add(leader)) {
            askPeers();
        }
    }

    private boolean mustHoldVotes() {
        return identity.rejoining() || !vetted();
    }

    /** Releases votes once vetted; walks a rejoining node through its floor and catch-up. */
    private void progress() {
        if (identity.rejoining() && voterPeers().isEmpty()) {
            identity = identity.caughtUp(); // a lone member has nobody to catch up from or promise to
            writer.saveMetadata(StoreIdentity.NAME, identity.encode());
        }
        if (identity.rejoining()) {
            if (floor < 0 && accepted.keySet().containsAll(voterPeers())) {
                long highest = raft.term();
                for (long term : accepted.values()) {
                    highest = Math.max(highest, term);
                }
                floor = highest;
                raft.adoptTermFloor(floor);
                LOG.info(
                        "node {}: every member answered; it will never vote in a term up to {}; catching up",
                        config.id(),
                        floor);
            }
            // Caught up once it holds, durably, a commit index its leader sent that covers an entry
            // of the leader's own term: every entry committed before (which it may have acknowledged
            // before losing its data) is below it. A leader's commit index alone is not enough: a
            // new leader, or one restarted, sends the commit index it knows, which may lag what was
            // committed until it commits an entry of its term (found by the whole-node simulator,
            // seed 6684: a node rejoined to index 42, voted again, and elected a leader without the
            // entry 53 it had acknowledged before).
            long leaderCommit = raft.highestLeaderCommit();
            if (floor >= 0
                    && catchUpTo < 0
                    && raft.leader().isPresent()
                    && raft.term() >= floor
                    && leaderCommit > 0
                    && raft.stableIndex() >= leaderCommit
                    && leaderCommit >= raft.firstIndex() - 1
                    && raft.termAt(leaderCommit) == raft.term()) {
                catchUpTo = leaderCommit;
            }
            if (catchUpTo > 0 && raft.stableIndex() >= catchUpTo && !awaitsBootstrap()) {
                identity = identity.caughtUp();
                writer.saveMetadata(StoreIdentity.NAME, identity.encode());
                LOG.info(
                        "node {}: caught up to index {} after losing its data; it votes again", config.id(), catchUpTo);
                askPeers(); // tells them: its acknowledgements count again
            }
        }
        if (!identity.vetted() && vetted()) {
            identity = identity.asVetted();
            writer.saveMetadata(StoreIdentity.NAME, identity.encode());
        }
        if (raft.votesHeld() && !mustHoldVotes()) {
            raft.holdVotes(false);
        }
    }

    /**
     * A peer told the voters the cluster was bootstrapped with (its log holds no configuration
     * entry): saved, and taken in place of the flags' guess if they differ. Found by the
     * whole-node simulator (seed 15138): a node rejoined with the members of now on its command
     * line — an uncommitted removal a crash undid — and, its log holding no configuration entry,
     * counted quorums by them: it led, and removed a second member with a majority of four.
     */
    private void learnBootstrap(IdentityResponse response) {
        bootstrapKnown = true;
        List<NodeId> voters = response.voters();
        writer.saveMetadata(BootstrapMembers.NAME, BootstrapMembers.encode(voters, true));
        if (!new java.util.TreeSet<>(voters).equals(new java.util.TreeSet<>(bootstrapVoters))) {
            if (raft.adoptBootstrapMembership(voters)) {
                LOG.warn(
                        "node {} was started with the members {}, but the cluster was bootstrapped with {} (as {}"
                                + " tells): those are used until the log holds a membership",
                        config.id(),
                        bootstrapVoters,
                        voters,
                        response.from());
            }
            bootstrapVoters = List.copyOf(voters);
            askPeers(); // the members it did not ask yet
        }
    }

    /**
     * Whether this rejoining node still needs the cluster's bootstrap voters: it only guessed them
     * and its log holds no committed configuration entry, which no truncation can take away.
     */
    private boolean awaitsBootstrap() {
        return !bootstrapKnown && !(raft.membershipIndex() > 0 && raft.commitIndex() >= raft.membershipIndex());
    }

    /** The members that accepted this node's store in this life (for tests and status). */
    List<NodeId> acceptedBy() {
        return List.copyOf(accepted.keySet());
    }
}
