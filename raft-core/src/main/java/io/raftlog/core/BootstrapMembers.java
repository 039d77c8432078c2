package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.LogStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voters a cluster was bootstrapped with: the membership in effect before the log's first
 * configuration entry (index 0). Every member must hold the same one — it decides quorums until a
 * configuration entry commits — so it is saved in the store at the first start and used at every
 * later one, whatever the flags say: a node restarted with other members on its command line
 * (the members of now, or a typo) must not count votes and commits by them. A node that rejoins
 * on a blank store has no record: it takes its flags for a guess, learns the cluster's from a
 * peer that knows it ({@link IdentityGate}), and does not finish rejoining before it has, or
 * before its log holds a committed configuration entry (which no truncation can take away).
 */
final class BootstrapMembers {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** The metadata record. */
    static final String NAME = "bootstrap-members";

    private static final int VERSION = 1;

    private BootstrapMembers() {}

    /**
     * The voters to start with: the saved ones, or the flags (saved now, unless the store is a
     * blank one rejoining or joining, whose flags are only a guess).
     *
     * @return the voters, and whether they are known (saved) rather than guessed
     */
    static Resolved resolve(NodeConfig config, LogStore store) {
        Optional<Bytes> saved = store.metadata(NAME);
        List<NodeId> flags = config.members();
        boolean guessing = isGuess(config, store);
        if (saved.isPresent()) {
            Saved record = decode(saved.get());
            // Learned from a peer, it is the cluster's; saved from the flags of a start that was a
            // guess itself (a blank store started as new by mistake, then rejoined), it is not.
            if (record.learned() || !guessing) {
                if (!new java.util.TreeSet<>(record.voters()).equals(new java.util.TreeSet<>(flags))
                        && config.startMode() != NodeConfig.StartMode.JOIN) {
                    LOG.warn(
                            "node {} was started with the members {}, but the cluster was bootstrapped with {}: those"
                                    + " are used until the log holds a membership (the flags only bootstrap a new"
                                    + " cluster; change members with raftlog admin)",
                            config.id(),
                            flags,
                            record.voters());
                }
                return new Resolved(record.voters(), true);
            }
        }
        if (guessing) {
            return new Resolved(flags, false);
        }
        // A new cluster's first start, or a store written before the record existed: its flags
        // were the bootstrap membership so far.
        store.saveMetadata(NAME, encode(flags, false));
        return new Resolved(flags, true);
    }

    /**
     * Whether this start's flags are only a guess at the bootstrap members: a joining node's (its
     * log will hold the configuration that adds it), or a rejoining one's — on a blank store, on a
     * store its peers never accepted, or on one still rejoining.
     */
    private static boolean isGuess(NodeConfig config, LogStore store) {
        Optional<StoreIdentity> identity = store.metadata(StoreIdentity.NAME).map(StoreIdentity::decode);
        if (config.startMode() == NodeConfig.StartMode.JOIN
                || identity.map(found -> found.rejoining() || found.joined()).orElse(false)) {
            return true;
        }
        return config.startMode() == NodeConfig.StartMode.REJOIN
                && identity.map(found -> !found.vetted()).orElse(true);
    }

    /** The voters, and whether they are the cluster's (saved) or the flags' guess. */
    record Resolved(List<NodeId> voters, boolean known) {}

    /** A saved record: the voters, and whether a peer told them (else a first start's flags). */
    record Saved(List<NodeId> voters, boolean learned) {}

    static Bytes encode(List<NodeId> voters, boolean learned) {
        int size = 1 + 1 + 2;
        for (NodeId voter : voters) {
            size += 1 + voter.value().getBytes(StandardCharsets.US_ASCII).length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put((byte) VERSION).put((byte) (learned ? 1 : 0)).putShort((short) voters.size());
        for (NodeId voter : voters) {
            byte[] id = voter.value().getBytes(StandardCharsets.US_ASCII);
            buffer.put((byte) id.length).put(id);
        }
        return Bytes.wrap(buffer.array());
    }

    static Saved decode(Bytes bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            int version = buffer.get();
            if (version != VERSION) {
                throw new StorageException("the store's bootstrap members record has version " + version + ", expected "
                        + VERSION + " (a newer raftlog wrote it?)");
            }
            boolean learned = buffer.get() != 0;
            int count = Short.toUnsignedInt(buffer.getShort());
            List<NodeId> voters = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[Byte.toUnsignedInt(buffer.get())];
                buffer.get(id);
                voters.add(NodeId.of(new String(id, StandardCharsets.US_ASCII)));
            }
            return new Saved(List.copyOf(voters), learned);
        } catch (RuntimeException e) {
            if (e instanceof StorageException storage) {
                throw storage;
            }
            throw new StorageException("the store's bootstrap members record is unreadable: " + e, e);
        }
    }
}
