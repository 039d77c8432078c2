package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus.Health;
import io.raftlog.api.Role;
import io.raftlog.api.StorageException;
import io.raftlog.core.storage.InMemoryLogStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member whose store was lost, replaced, swapped or rolled back must not take part as if nothing
 * happened: it may have forgotten votes and acknowledgements. Its store's identity and its peers'
 * memory of it catch that; a member that lost its data rejoins without voting until it is safe.
 */
class LostStoreTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void aMemberRestartedOnABlankStoreAsIfNewIsRefusedByItsPeersAndStops() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader().append(Bytes.ofUtf8("r")).get();
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N3);
            cluster.wipe(N3);

            RaftNode blank = cluster.start(N3); // BOOTSTRAP: a blank store looks like a first start

            Throwable stopped = awaitStop(blank);
            assertThat(stopped).isInstanceOf(CompletionException.class);
            assertThat(stopped.getCause())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("refused this node's store")
                    .hasMessageContaining("another store than before")
                    .hasMessageContaining("--rejoin");
            assertThat(blank.status().health()).isEqualTo(Health.FAILED);
            assertThat(cluster.awaitLeader()
                            .append(Bytes.ofUtf8("others go on"))
                            .get())
                    .isPositive();
        }
    }

    @Test
    void aBlankStartStaysOnProbationAcrossRestartsUntilEveryPeerAcceptedIt() throws Exception {
        // n2 lost its record of its peers (a partial restore of its data directory) and forgot n3's
        // store; n1 remembers it but cannot reach n3. n3 then loses its disk and is started as if
        // new: n2 accepts it, and it must still take no part - not in this start, nor in the next -
        // until n1 has answered.
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N2);
            cluster.volumes.get(N2).removeMetadata(StoreVetting.PEERS_RECORD);
            RaftNode n2 = cluster.start(N2);
            await().atMost(Duration.ofSeconds(10)).until(() -> n2.status().health() == Health.HEALTHY);
            cluster.stop(N3);
            cluster.wipe(N3);
            cluster.network.cut(N1, N3);
            RaftNode blank = cluster.start(N3);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> blank.acceptedBy().contains(N2));
            cluster.stop(N3);

            RaftNode again = cluster.start(N3); // its supervisor restarts it
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> again.acceptedBy().contains(N2));
            long appended = leader.append(Bytes.ofUtf8("while n3 waits")).get();
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> again.status().lastIndex() == 0
                            && !again.terminated().isDone());
            assertThat(appended).isPositive();

            cluster.network.heal(); // n1 answers now: it knew another store of n3
            Throwable stopped = awaitStop(again);
            assertThat(stopped.getCause()).hasMessageContaining("another store than before");
            cluster.stop(N3);
            RaftNode rejoined = cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10)).until(() -> rejoined.status().health() == Health.HEALTHY);
        }
    }

    @Test
    void aMemberThatRejoinedLearnsItsPeersStoresAgainAndRefusesOneLaterStartedAsIfNew() throws Exception {
        // n2 lost its disk and rejoined: its new store knew nothing of n3's. n3 tells it again,
        // so when n3 later loses its disk and is started as if new, n2 alone can refuse it.
        try (LocalCluster cluster = new LocalCluster(3)) {
            awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N2);
            cluster.wipe(N2);
            RaftNode n2 = cluster.start(N2, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10)).until(() -> n2.status().health() == Health.HEALTHY);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.nodes.get(N3).acceptedBy().contains(N2));
            cluster.stop(N3);
            cluster.wipe(N3);
            cluster.network.cut(N1, N3); // only n2 can judge it

            RaftNode blank = cluster.start(N3);

            Throwable stopped = awaitStop(blank);
            assertThat(stopped.getCause())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("refused this node's store")
                    .hasMessageContaining("n2");
        }
    }

    @Test
    void anExistingMemberOnABlankStoreRefusesToStartAndSaysWhatToDo() {
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader();
            cluster.stop(N3);
            cluster.wipe(N3);

            assertThatThrownBy(() -> cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.EXISTING)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("store of node n3 is empty")
                    .hasMessageContaining("--bootstrap")
                    .hasMessageContaining("--rejoin");
            // The refused start released the store: the right start mode now works.
            RaftNode rejoined = cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            assertThat(rejoined.status().health()).isIn(Health.REJOINING, Health.HEALTHY);
        }
    }

    @Test
    void aStoreOfAnotherNodeOrClusterIsRefused() {
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader();
            cluster.stop(N2);
            cluster.stop(N3);
            cluster.volumes.put(N3, cluster.volumes.get(N2)); // n3 pointed at n2's data directory

            assertThatThrownBy(() -> cluster.start(N3))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("belongs to node n2 of cluster 'raftlog', not to node n3");
            assertThatThrownBy(() -> cluster.start(N2, config -> config.withClusterId("other")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("of cluster 'raftlog', not to node n2 of cluster 'other'");
        }
    }

    @Test
    void anOlderCopyOfAStoreIsRefusedEvenAtTheSameStartCount() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader().append(Bytes.ofUtf8("before the backup")).get();
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N3);
            InMemoryLogStore.Volume backup = cluster.volumes.get(N3).copy();
            // n3 runs once more on its real store (its peers see that start), then the disk is lost
            // and the backup restored: the backup's next start has the same number, another boot.
            cluster.start(N3);
            awaitAcceptedEverywhere(cluster);
            cluster.awaitLeader().append(Bytes.ofUtf8("after the backup")).get();
            cluster.stop(N3);
            cluster.volumes.put(N3, backup);

            RaftNode restored = cluster.start(N3);

            Throwable stopped = awaitStop(restored);
            assertThat(stopped.getCause())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("older copy of its store");
        }
    }

    @Test
    void anOlderCopyStaysRefusedHoweverOftenItsSupervisorRestartsIt() throws Exception {
        // Each refused start still counts as a start on the copy: had the peers compared start
        // counts alone, the copy's second start would have looked newer than anything they saw.
        try (LocalCluster cluster = new LocalCluster(3)) {
            cluster.awaitLeader().append(Bytes.ofUtf8("before the backup")).get();
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N3);
            InMemoryLogStore.Volume backup = cluster.volumes.get(N3).copy();
            cluster.start(N3);
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N3);
            cluster.volumes.put(N3, backup);

            for (int restart = 0; restart < 3; restart++) {
                RaftNode restored = cluster.start(N3);
                Throwable stopped = awaitStop(restored);
                assertThat(stopped.getCause())
                        .as("start %d on the copy", restart + 1)
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("older copy of its store");
                cluster.stop(N3);
            }
        }
    }

    @Test
    void aCopyTakenDuringTheLastRunIsRefusedWhenItLacksCommittedEntriesItHadStored() throws Exception {
        // A backup of n3's data directory taken while n3 runs, restored at its next start: the start
        // count is one more than its peers saw, so only what n3 promised since gives the copy away.
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            InMemoryLogStore.Volume backup = cluster.volumes.get(N3).copy();
            long last = 0;
            for (int i = 0; i < 20; i++) {
                last = leader.append(Bytes.ofUtf8("after the backup " + i)).get();
            }
            long stored = last;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> peersRecordOf(cluster, N1, N3).heldIndex() >= stored);
            assertThat(backup.size()).isLessThan((int) stored);
            cluster.stop(N3);
            cluster.volumes.put(N3, backup);

            RaftNode restored = cluster.start(N3);

            Throwable stopped = awaitStop(restored);
            assertThat(stopped.getCause())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("refused this node's store")
                    .hasMessageContaining("older copy of its store (its log ends at index")
                    .hasMessageContaining("committed, when n1 led")
                    .hasMessageContaining("--rejoin");
            // What the copy lacks is still on the others, and they go on.
            assertThat(leader.read(stored, 1, Duration.ZERO).get()).hasSize(1);
            assertThat(leader.append(Bytes.ofUtf8("others go on")).get()).isGreaterThan(stored);
        }
    }

    @Test
    void aCopyTakenBeforeAVoteIsRefusedByTheCandidateItVotedFor() throws Exception {
        // n3 votes for n2 after the backup; the copy's term is older than that vote. Had it been
        // vetted and voted again in that term, two leaders of one term would be possible.
        try (LocalCluster cluster = new LocalCluster(3)) {
            awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            InMemoryLogStore.Volume backup = cluster.volumes.get(N3).copy();
            long backupTerm = cluster.nodes.get(N3).status().term();
            // With n1 down, n2 can only win with n3's vote (with n1 up it may win on n1's alone,
            // and n3, already following it, then refuses the late request).
            cluster.stop(N1);
            RaftNode n2 = awaitLeaderAmong(cluster, N2);
            long voteTerm = n2.status().term();
            assertThat(voteTerm).isGreaterThan(backupTerm);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> peersRecordOf(cluster, N2, N3).votedTerm() == voteTerm);
            cluster.start(N1);
            cluster.stop(N3);
            cluster.volumes.put(N3, backup);

            RaftNode restored = cluster.start(N3);

            Throwable stopped = awaitStop(restored);
            assertThat(stopped.getCause())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("older copy of its store")
                    .hasMessageContaining("voted for n2 in term " + voteTerm);
        }
    }

    @Test
    void ordinaryRestartsAreNeverTakenForOlderCopies() throws Exception {
        // The other side of the checks above: a node that crashes and restarts on its own store,
        // whatever it promised before, is accepted every time.
        try (LocalCluster cluster = new LocalCluster(3)) {
            for (int round = 0; round < 4; round++) {
                NodeId next = round % 2 == 0 ? N2 : N3;
                RaftNode leader = awaitLeaderAmong(cluster, next);
                awaitAcceptedEverywhere(cluster);
                for (int i = 0; i < 5; i++) {
                    leader.append(Bytes.ofUtf8("round " + round + " record " + i))
                            .get();
                }
                NodeId restarted = round % 2 == 0 ? N3 : N2;
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> peersRecordOf(cluster, next, restarted).heldIndex() > 0);
                cluster.stop(restarted);
                RaftNode back = cluster.start(restarted);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> back.acceptedBy().size() == 2);
                assertThat(back.status().health()).isEqualTo(Health.HEALTHY);
            }
        }
    }

    /** Waits until {@code node} stopped with an error; returns it (wrapped, as the future gives it). */
    private static Throwable awaitStop(RaftNode node) throws Exception {
        return node.terminated().handle((value, error) -> error).get(10, TimeUnit.SECONDS);
    }

    /** What {@code holder} last saved about {@code member}'s promises. */
    private static StoreIdentity.Seen peersRecordOf(LocalCluster cluster, NodeId holder, NodeId member) {
        return cluster.stores
                .get(holder)
                .metadata(StoreIdentity.PEERS)
                .map(StoreIdentity::decodePeers)
                .map(peers -> peers.getOrDefault(member, new StoreIdentity.Seen(0, 0, 0)))
                .orElse(new StoreIdentity.Seen(0, 0, 0));
    }

    @Test
    void aRecordCommittedWithTheAckOfANodeThatLostItsDiskSurvives() throws Exception {
        // Scenario (a) of issue #11: r commits on {n1, n3} while n2 is down; n3 loses its disk and
        // rejoins; n1 dies; n2 comes back. n2 lacks r and n3 no longer has it: if n3 voted, n2
        // could lead without r and r would be gone. n3 must not vote until it has caught up.
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            cluster.stop(N2);
            long r = leader.append(Bytes.ofUtf8("r")).get(); // on n1 and n3 only
            cluster.stop(N3);
            cluster.wipe(N3);
            cluster.network.cut(N1, N3); // so that n1 dies before n3 could catch up from it
            RaftNode rejoining = cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            assertThat(rejoining.status().health()).isEqualTo(Health.REJOINING);
            cluster.stop(N1);
            cluster.network.heal();
            RaftNode n2 = cluster.start(N2);

            // n2 campaigns, but n3 holds its vote: no leader, so nothing that could lose r.
            long electionTimeoutMillis =
                    10L * 2 * NodeConfig.of(N1, cluster.ids).protocol().electionTicks();
            await().during(Duration.ofMillis(10 * electionTimeoutMillis))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> n2.status().role() != Role.LEADER
                            && rejoining.status().role() != Role.LEADER);

            cluster.start(N1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.nodes.values().stream().allMatch(node -> node.commitOffset() >= r));
            for (RaftNode node : cluster.nodes.values()) {
                List<CommittedRecord> read = node.read(r, 1, Duration.ZERO).get();
                assertThat(read)
                        .as("%s at %d", node.id(), r)
                        .singleElement()
                        .satisfies(
                                record -> assertThat(record.payload().toUtf8()).isEqualTo("r"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rejoining.status().health() == Health.HEALTHY);
        }
    }

    @Test
    void aRejoiningNodeAcknowledgesNothingBeforeItKnowsEveryMembersTerm() throws Exception {
        // Without CheckQuorum an isolated leader n1 keeps leading its old term. Meanwhile A wins a
        // newer term t with V's vote and commits its no-op with V's acknowledgement; A is then cut
        // off and V loses its disk. Rejoined, V knows nothing of t: had it acknowledged n1's older
        // term, n1 and V - a majority - would commit at the index A committed in t.
        try (LocalCluster cluster = new LocalCluster(
                3, config -> config.withProtocol(config.protocol().withCheckQuorum(false)))) {
            RaftNode old = awaitLeaderAmong(cluster, N1);
            awaitAcceptedEverywhere(cluster);
            long oldTerm = old.status().term();
            cluster.network.cut(N1, N2);
            cluster.network.cut(N1, N3);
            RaftNode[] winner = new RaftNode[1];
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                for (NodeId id : List.of(N2, N3)) {
                    RaftNode node = cluster.nodes.get(id);
                    if (node.status().role() == Role.LEADER && node.status().term() > oldTerm) {
                        winner[0] = node;
                        return node.commitOffset() == node.status().lastIndex();
                    }
                }
                return false;
            });
            NodeId a = winner[0].id();
            NodeId v = a.equals(N2) ? N3 : N2;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.nodes.get(v).commitOffset() == winner[0].commitOffset());
            assertThat(old.status().role()).isEqualTo(Role.LEADER); // still, of its older term
            // A stays cut off from n1 throughout (healing everything first, even for an instant,
            // let A's newer term reach n1 and end its leadership before the test began).
            cluster.network.cut(a, v);
            cluster.network.restore(N1, v);
            cluster.stop(v);
            cluster.wipe(v);
            RaftNode rejoining = cluster.start(v, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));

            var append = old.append(Bytes.ofUtf8("through the leader of an older term"));
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !append.isDone() && rejoining.status().lastIndex() == 0);

            cluster.network.heal(); // A's newer term reaches n1, which steps down
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rejoining.status().health() == Health.HEALTHY);
        }
    }

    @Test
    void aNodeThatLostItsDataRejoinsCatchesUpAndVotesAgain() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long last = 0;
            for (int i = 0; i < 50; i++) {
                last = leader.append(Bytes.ofUtf8("record-" + i)).get();
            }
            NodeId lost = cluster.ids.stream()
                    .filter(id -> !id.equals(leader.id()))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(lost);
            cluster.wipe(lost);
            RaftNode rejoined = cluster.start(lost, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            long target = last;
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rejoined.status().health() == Health.HEALTHY && rejoined.commitOffset() >= target);
            assertThat(rejoined.read(1, 1000, Duration.ZERO).get())
                    .extracting(record -> record.payload().toUtf8())
                    .contains("record-0", "record-49");

            // It votes again: with the old leader gone, the other two elect one of them.
            cluster.stop(leader.id());
            RaftNode next = cluster.awaitLeader();
            assertThat(next.append(Bytes.ofUtf8("after")).get()).isGreaterThan(last);
        }
    }

    /**
     * A voter rejoins after a lost disk, started with the voters as its members (a learner is not
     * among them): the voters vet its rejoin. A learner that knew its old store hears of the new
     * one only once the voter caught up, and must not take it for a blank store started as if new:
     * the voters accepted it, and its refusal stopped the voter for good, as "--rejoin" is ignored
     * on a store that took part (found by the whole-node simulator, seed 230).
     */
    @Test
    void aRejoinedStoreIsAcceptedByALearnerThatKnewTheOldOne() throws Exception {
        NodeId n4 = NodeId.of("n4");
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = cluster.awaitLeader();
            long last = leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            RaftNode learner = cluster.startJoining(n4);
            leader.addLearner(n4, "").get(10, TimeUnit.SECONDS);
            NodeId lost = cluster.ids.stream()
                    .filter(id -> !id.equals(leader.id()))
                    .findFirst()
                    .orElseThrow();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> learner.commitOffset() >= last
                            && cluster.nodes.get(lost).acceptedBy().contains(n4));

            cluster.stop(lost);
            cluster.wipe(lost);
            RaftNode rejoined = cluster.start(lost, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rejoined.status().health() == Health.FAILED
                            || (rejoined.status().health() == Health.HEALTHY
                                    && rejoined.acceptedBy().contains(n4)));
            assertThat(rejoined.status().problem()).isEmpty();
            assertThat(rejoined.status().health()).isEqualTo(Health.HEALTHY);
        }
    }

    /**
     * As above, but the learner hears nothing of the rejoined store in its first life: at its next
     * start, the voter is neither rejoining nor (yet) accepted by a majority. The voters that
     * accepted its rejoin told it which store it replaced, and it says so: the learner takes the
     * new store for the successor of the one it knew. Before, it refused the voter's every restart
     * for good (found by the whole-node simulator, seeds 293 and 12594).
     */
    @Test
    void aLearnerThatMissedARejoinAcceptsTheRejoinedStoreAtItsNextStart() throws Exception {
        NodeId n4 = NodeId.of("n4");
        try (LocalCluster cluster = new LocalCluster(3)) {
            RaftNode leader = awaitLeaderAmong(cluster, N1);
            long last = leader.append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            RaftNode learner = cluster.startJoining(n4);
            leader.addLearner(n4, "").get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> learner.commitOffset() >= last
                            && cluster.nodes.get(N3).acceptedBy().contains(n4));
            long oldStore = cluster.nodes.get(N3).storeIdentity().storeId();

            cluster.stop(N3);
            cluster.wipe(N3);
            cluster.transports = (id, transport) -> new DroppingTransport(
                    transport,
                    message -> message instanceof io.raftlog.api.message.IdentityRequest
                            && message.to().equals(n4),
                    Integer.MAX_VALUE);
            RaftNode rejoined = cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(20)).until(() -> rejoined.status().health() == Health.HEALTHY);
            assertThat(rejoined.storeIdentity().replaced()).containsExactly(oldStore);
            assertThat(rejoined.acceptedBy()).doesNotContain(n4);

            cluster.transports = (id, transport) -> transport;
            cluster.stop(N3);
            RaftNode restarted = cluster.start(N3);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> restarted.status().health() == Health.FAILED
                            || restarted.acceptedBy().contains(n4));
            assertThat(restarted.status().problem()).isEmpty();
            assertThat(restarted.acceptedBy()).contains(n4);
        }
    }

    /**
     * A node rejoining on a blank store with other members on its command line than the cluster
     * was bootstrapped with (here it leaves n1 out), while the cluster still runs on its bootstrap
     * membership: it learns the cluster's from its peers and counts quorums by it, and keeps it
     * across restarts. Before, its log holding no configuration entry, it took the flags for the
     * membership: a majority of its three voters is not one of the cluster's five (found by the
     * whole-node simulator, seed 15138, where such a node led and removed a member).
     */
    @Test
    void aNodeRejoiningWithOtherMembersOnItsCommandLineUsesTheClusterBootstrapMembership() throws Exception {
        try (LocalCluster cluster = new LocalCluster(5)) {
            long last = cluster.awaitLeader().append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            awaitAcceptedEverywhere(cluster);
            NodeId n5 = NodeId.of("n5");
            cluster.stop(n5);
            cluster.wipe(n5);
            List<NodeId> wrong = List.of(N2, N3, NodeId.of("n4"), n5);
            RaftNode rejoined = cluster.start(n5, config -> config.forNode(n5, wrong, NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rejoined.status().health() == Health.HEALTHY && rejoined.commitOffset() >= last);
            assertThat(rejoined.membership().voters().keySet())
                    .containsExactlyInAnyOrder(N1, N2, N3, NodeId.of("n4"), n5);

            cluster.stop(n5);
            RaftNode restarted = cluster.start(n5, config -> config.forNode(n5, wrong, NodeConfig.StartMode.EXISTING));
            assertThat(restarted.membership().voters().keySet())
                    .containsExactlyInAnyOrder(N1, N2, N3, NodeId.of("n4"), n5);
        }
    }

    /**
     * Two of five voters rejoin after lost disks and a third's acknowledgements are lost when
     * leadership moves to a new term: the new leader can commit its first entry only with a rejoining member's
     * acknowledgement, and the rejoining members finish catching up only once it has. It heard
     * them rejoin in an earlier term, so their acknowledgements in its term come from their new
     * stores and count. Before, nothing committed again while the third stayed silent (whole-
     * node simulator, seed 3254).
     */
    @Test
    void aLeaderOfALaterTermCountsTheAcknowledgementsOfMembersRejoiningSinceAnEarlierOne() throws Exception {
        NodeId n4 = NodeId.of("n4");
        NodeId n5 = NodeId.of("n5");
        java.util.concurrent.atomic.AtomicBoolean holdBack = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean muteN3 = new java.util.concurrent.atomic.AtomicBoolean(false);
        try (LocalCluster cluster = new LocalCluster(5)) {
            awaitLeaderAmong(cluster, N1).append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            awaitAcceptedEverywhere(cluster);
            // While held back, no entry and no snapshot reaches n4 and n5: they stay rejoining.
            // Once muted, n3's acknowledgements are lost: a leader then has only n1's and its own,
            // and needs one of a rejoining member's.
            cluster.transports = (id, transport) -> new DroppingTransport(
                    transport,
                    message -> (holdBack.get()
                                    && (message.to().equals(n4) || message.to().equals(n5))
                                    && ((message instanceof io.raftlog.api.message.AppendEntriesRequest append
                                                    && !append.entries().isEmpty())
                                            || message instanceof io.raftlog.api.message.InstallSnapshotRequest))
                            || (muteN3.get()
                                    && message.from().equals(N3)
                                    && message instanceof io.raftlog.api.message.AppendEntriesResponse),
                    Integer.MAX_VALUE);
            for (NodeId sender : List.of(N2, N3, N1)) { // their transports hold back from now on
                cluster.stop(sender);
                cluster.start(sender);
                awaitAcceptedEverywhere(cluster);
            }
            awaitLeaderAmong(cluster, N1).append(Bytes.ofUtf8("s")).get(10, TimeUnit.SECONDS);
            for (NodeId lost : List.of(n4, n5)) {
                cluster.stop(lost);
                cluster.wipe(lost);
            }
            RaftNode first = cluster.start(n4, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            RaftNode second = cluster.start(n5, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.nodes.get(N2).acceptedBy().containsAll(List.of(n4, n5))
                            && first.acceptedBy().contains(N2)
                            && second.acceptedBy().contains(N2));
            muteN3.set(true);
            RaftNode leader = awaitLeaderAmong(cluster, N2); // a new term
            holdBack.set(false);

            long offset = leader.append(Bytes.ofUtf8("t")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.status().health() == Health.HEALTHY
                            && second.status().health() == Health.HEALTHY
                            && first.commitOffset() >= offset);
        }
    }

    /**
     * A store that lists the one a peer knew as replaced is its successor; one that does not, and
     * the replaced store itself brought back (a restored copy), are refused as before.
     */
    @Test
    void onlyAStoreThatSaysItReplacedTheKnownOneIsTakenForItsSuccessor() {
        long lost = 0x1111L;
        long rejoined = 0x2222L;
        StoreIdentity.Seen knewLost = new StoreIdentity.Seen(lost, 5, 77);
        StoreIdentity.Seen knewRejoined = new StoreIdentity.Seen(rejoined, 2, 88);
        assertThat(IdentityGate.refusal(N1, knewLost, request(rejoined, List.of(lost))))
                .isNull();
        assertThat(IdentityGate.refusal(N1, knewLost, request(rejoined, List.of(0x3333L))))
                .contains("runs on another store than before");
        assertThat(IdentityGate.refusal(N1, knewLost, request(rejoined, List.of())))
                .contains("runs on another store than before");
        assertThat(IdentityGate.refusal(N1, knewRejoined, request(lost, List.of())))
                .contains("runs on another store than before");
    }

    /** A start of n3, neither rejoining nor taking part yet, on {@code store}. */
    private static io.raftlog.api.message.IdentityRequest request(long store, List<Long> replaces) {
        return new io.raftlog.api.message.IdentityRequest(
                N3, N1, 4, store, 3, List.of(99L, 98L, 97L), false, 4, 40, false, replaces);
    }

    /**
     * A voter rejoining after a lost disk counts toward no commit and no live quorum until it has
     * caught up; a peer that restarts meanwhile forgot that, and must hear it again. Here the rejoin
     * is held back (no entry reaches it) and n1 restarts: as leader it must refuse to remove n2,
     * since the voters left, n1 and n3, would have only n1 to commit with. Without the rejoining
     * node telling the new start of n1, n1 took n3 for a live voter and removed n2: nothing could
     * commit after (found by the whole-node simulator, seeds 3577, 4431 and 8773).
     */
    @Test
    void aPeerRestartedWhileAMemberRejoinsHearsThatItsAcknowledgementsDoNotCountYet() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3)) {
            awaitLeaderAmong(cluster, N1).append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            awaitAcceptedEverywhere(cluster);
            // From now on no entry and no snapshot reaches n3 (heartbeats do): it cannot catch up.
            cluster.transports = (id, transport) -> new DroppingTransport(
                    transport,
                    message -> message.to().equals(N3)
                            && ((message instanceof io.raftlog.api.message.AppendEntriesRequest append
                                            && !append.entries().isEmpty())
                                    || message instanceof io.raftlog.api.message.InstallSnapshotRequest),
                    Integer.MAX_VALUE);
            cluster.stop(N2);
            cluster.start(N2);
            cluster.stop(N1);
            cluster.start(N1);
            awaitLeaderAmong(cluster, N1).append(Bytes.ofUtf8("s")).get(10, TimeUnit.SECONDS);
            cluster.stop(N3);
            cluster.wipe(N3);
            RaftNode rejoining = cluster.start(N3, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> rejoining.acceptedBy().containsAll(List.of(N1, N2)));

            cluster.stop(N1); // the leader restarts, and forgets who is catching up
            RaftNode restarted = cluster.start(N1);
            RaftNode leader = awaitLeaderAmong(cluster, N1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> restarted.acceptedBy().contains(N3));

            assertThatThrownBy(() -> leader.removeMember(N2).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.raftlog.api.MembershipChangeException.class)
                    .hasMessageContaining("catching up after a lost disk");
            assertThat(rejoining.status().health()).isEqualTo(Health.REJOINING);
            assertThat(leader.membership().voters().keySet()).containsExactly(N1, N2, N3);
        }
    }

    /**
     * Two members rejoining at once each tell the other their store once per start of it, and
     * again only if no answer came: before, each answer of one to the other's telling was told
     * back, and the two sent each other identity messages without end.
     */
    @Test
    void twoMembersRejoiningAtOnceTellEachOtherTheirStoresOnceNotForEver() throws Exception {
        NodeId n4 = NodeId.of("n4");
        NodeId n5 = NodeId.of("n5");
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        try (LocalCluster cluster = new LocalCluster(5)) {
            cluster.awaitLeader().append(Bytes.ofUtf8("r")).get(10, TimeUnit.SECONDS);
            awaitAcceptedEverywhere(cluster);
            cluster.transports = (id, transport) -> new DroppingTransport(
                    transport,
                    message -> {
                        if (message instanceof io.raftlog.api.message.IdentityRequest
                                && message.from().equals(n4)
                                && message.to().equals(n5)) {
                            told.incrementAndGet();
                        }
                        // No entry and no snapshot reaches them: they stay rejoining.
                        return (message.to().equals(n4) || message.to().equals(n5))
                                && ((message instanceof io.raftlog.api.message.AppendEntriesRequest append
                                                && !append.entries().isEmpty())
                                        || message instanceof io.raftlog.api.message.InstallSnapshotRequest);
                    },
                    Integer.MAX_VALUE);
            for (NodeId sender : List.of(N1, N2, N3)) { // their transports drop from now on
                cluster.stop(sender);
                cluster.start(sender);
                awaitAcceptedEverywhere(cluster);
            }
            cluster.awaitLeader();
            cluster.stop(n4);
            cluster.stop(n5);
            cluster.wipe(n4);
            cluster.wipe(n5);
            RaftNode first = cluster.start(n4, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            RaftNode second = cluster.start(n5, config -> config.withStartMode(NodeConfig.StartMode.REJOIN));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.acceptedBy().contains(n5)
                            && second.acceptedBy().contains(n4));
            int before = told.get();
            assertThat(first.status().health()).isEqualTo(Health.REJOINING);

            // Over a second, ten election timeouts at most: a few retellings, not a storm.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> told.get() - before < 30);
            assertThat(told.get()).isPositive();
        }
    }

    /** Waits until every running node's store was accepted by every other running node. */
    private static void awaitAcceptedEverywhere(LocalCluster cluster) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.nodes.values().stream()
                        .allMatch(node -> node.acceptedBy().size() >= cluster.nodes.size() - 1));
    }

    private static RaftNode awaitLeaderAmong(LocalCluster cluster, NodeId wanted) throws Exception {
        RaftNode leader = cluster.awaitLeader();
        if (!leader.id().equals(wanted)) {
            leader.transferLeadership(wanted).get();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.nodes.get(wanted).status().role() == Role.LEADER);
        }
        return cluster.nodes.get(wanted);
    }
}
