package io.raftlog.core;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.IdentityRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who a store belongs to, kept in its metadata: written on the node's first start and checked, and
 * its generation raised, on every later one.
 *
 * @param clusterId  the cluster the store belongs to
 * @param node       the member it belongs to
 * @param storeId    random, drawn when the store was first used: another id means another store
 * @param generation starts of the node on this store, this one included
 * @param rejoining  the node started on this store after losing its data and has not caught up yet
 * @param vetted     a majority of the members accepted this store at least once (every member, for a
 *                   store first taken as blank with {@code BOOTSTRAP}; until then it stays on probation)
 * @param joined     the store was first taken by a new node joining a running cluster ({@code JOIN}):
 *                   until vetted, a majority of the voters vets it at every start, as at its first
 *                   (no peer can hold an earlier store of a node that was never a member)
 * @param boots      the random boot ids of the last starts on this store, newest (this start's)
 *                   first, at most {@link #BOOT_HISTORY}: a peer that saw one of them checks it is
 *                   in this store's history, which a copy's later starts are not
 * @param replaced   the stores of this node that this one replaced, as the peers that accepted its
 *                   rejoin knew them (newest first, at most {@link IdentityRequest#MAX_REPLACES}):
 *                   told to peers, so that one that missed the rejoin takes this store for their
 *                   successor
 */
record StoreIdentity(
        String clusterId,
        NodeId node,
        long storeId,
        long generation,
        boolean rejoining,
        boolean vetted,
        boolean joined,
        List<Long> boots,
        List<Long> replaced) {
    /** The metadata record of a node's own identity. */
    static final String NAME = "identity";
    /** The metadata record of the identities this node accepted from its peers. */
    static final String PEERS = "peers";
    /** Boot ids kept: a peer that missed more starts than this in a row can check the start count only. */
    static final int BOOT_HISTORY = 16;

    /** Version 1 had no boots, version 2 no replaced stores. */
    private static final int VERSION = 3;

    StoreIdentity {
        boots = List.copyOf(boots);
        replaced = List.copyOf(replaced);
    }

    /** A store id drawn from {@code random}: never 0, which the wire uses for none. */
    static long drawStoreId(java.util.random.RandomGenerator random) {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    /** A store's first start. */
    static StoreIdentity first(
            String clusterId, NodeId node, long storeId, boolean rejoining, boolean vetted, long boot) {
        return new StoreIdentity(clusterId, node, storeId, 1, rejoining, vetted, false, List.of(boot), List.of());
    }

    /** A store's first start on a node joining a running cluster. */
    static StoreIdentity joining(String clusterId, NodeId node, long storeId, long boot) {
        return new StoreIdentity(clusterId, node, storeId, 1, false, false, true, List.of(boot), List.of());
    }

    /** The next start on this store, with boot id {@code boot}. */
    StoreIdentity next(long boot) {
        List<Long> history = new ArrayList<>(BOOT_HISTORY);
        history.add(boot);
        history.addAll(boots.subList(0, Math.min(boots.size(), BOOT_HISTORY - 1)));
        return new StoreIdentity(
                clusterId, node, storeId, generation + 1, rejoining, vetted, joined, history, replaced);
    }

    /** This start's boot id. */
    long boot() {
        return boots.get(0);
    }

    StoreIdentity caughtUp() {
        return new StoreIdentity(clusterId, node, storeId, generation, false, vetted, joined, boots, replaced);
    }

    StoreIdentity rejoin() {
        return new StoreIdentity(clusterId, node, storeId, generation, true, vetted, joined, boots, replaced);
    }

    StoreIdentity asVetted() {
        return new StoreIdentity(clusterId, node, storeId, generation, rejoining, true, joined, boots, replaced);
    }

    /** Records that this store replaced {@code store} (newest first), if it had not yet. */
    StoreIdentity replacing(long store) {
        if (store == storeId || replaced.contains(store)) {
            return this;
        }
        List<Long> stores = new ArrayList<>(IdentityRequest.MAX_REPLACES);
        stores.add(store);
        stores.addAll(replaced.subList(0, Math.min(replaced.size(), IdentityRequest.MAX_REPLACES - 1)));
        return new StoreIdentity(clusterId, node, storeId, generation, rejoining, vetted, joined, boots, stores);
    }

    Bytes encode() {
        byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] id = node.value().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(1
                + 2
                + cluster.length
                + 1
                + id.length
                + 8
                + 8
                + 1
                + 1
                + Long.BYTES * boots.size()
                + 1
                + Long.BYTES * replaced.size());
        buffer.put((byte) VERSION).putShort((short) cluster.length).put(cluster);
        buffer.put((byte) id.length).put(id);
        buffer.putLong(storeId).putLong(generation).put((byte)
                ((rejoining ? 1 : 0) | (vetted ? 2 : 0) | (joined ? 4 : 0)));
        buffer.put((byte) boots.size());
        for (long boot : boots) {
            buffer.putLong(boot);
        }
        buffer.put((byte) replaced.size());
        for (long store : replaced) {
            buffer.putLong(store);
        }
        return Bytes.wrap(buffer.array());
    }

    static StoreIdentity decode(Bytes bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            int version = buffer.get();
            if (version < 1 || version > VERSION) {
                throw new StorageException("the store's identity record has version " + version + ", expected "
                        + VERSION + " (a newer raftlog wrote it?)");
            }
            byte[] cluster = new byte[Short.toUnsignedInt(buffer.getShort())];
            buffer.get(cluster);
            byte[] id = new byte[Byte.toUnsignedInt(buffer.get())];
            buffer.get(id);
            long storeId = buffer.getLong();
            long generation = buffer.getLong();
            int flags = buffer.get();
            List<Long> boots = new ArrayList<>();
            if (version >= 2) {
                int count = Byte.toUnsignedInt(buffer.get());
                for (int i = 0; i < count; i++) {
                    boots.add(buffer.getLong());
                }
            }
            List<Long> replaced = new ArrayList<>();
            if (version >= 3) {
                int count = Byte.toUnsignedInt(buffer.get());
                for (int i = 0; i < count; i++) {
                    replaced.add(buffer.getLong());
                }
            }
            return new StoreIdentity(
                    new String(cluster, StandardCharsets.UTF_8),
                    NodeId.of(new String(id, StandardCharsets.US_ASCII)),
                    storeId,
                    generation,
                    (flags & 1) != 0,
                    (flags & 2) != 0,
                    (flags & 4) != 0,
                    boots,
                    replaced);
        } catch (RuntimeException e) {
            if (e instanceof StorageException storage) {
                throw storage;
            }
            throw new StorageException("the store's identity record is unreadable: " + e, e);
        }
    }

    /**
     * What a node last accepted from one peer, and what that peer promised it on that store: the
     * highest term in which it granted this node a vote (its hard state held that term before the
     * grant left), and the highest index it had made durable that this node, as leader, knew
     * committed. No later start on the same store may claim less.
     */
    record Seen(long storeId, long generation, long boot, long votedTerm, long heldIndex) {
        Seen(long storeId, long generation, long boot) {
            this(storeId, generation, boot, 0, 0);
        }

        Seen withVote(long term) {
            return new Seen(storeId, generation, boot, Math.max(votedTerm, term), heldIndex);
        }

        Seen withHeld(long index) {
            return new Seen(storeId, generation, boot, votedTerm, Math.max(heldIndex, index));
        }
    }

    /** Version 1 of the peers record had no votedTerm and heldIndex. */
    private static final int PEERS_VERSION = 2;

    static Bytes encodePeers(Map<NodeId, Seen> peers) {
        int size = 1 + 2;
        for (NodeId peer : peers.keySet()) {
            size += 1 + peer.value().length() + 5 * Long.BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put((byte) PEERS_VERSION).putShort((short) peers.size());
        for (Map.Entry<NodeId, Seen> entry : peers.entrySet()) {
            byte[] id = entry.getKey().value().getBytes(StandardCharsets.US_ASCII);
            buffer.put((byte) id.length).put(id);
            Seen seen = entry.getValue();
            buffer.putLong(seen.storeId()).putLong(seen.generation()).putLong(seen.boot());
            buffer.putLong(seen.votedTerm()).putLong(seen.heldIndex());
        }
        return Bytes.wrap(buffer.array());
    }

    static Map<NodeId, Seen> decodePeers(Bytes bytes) {
        Map<NodeId, Seen> peers = new LinkedHashMap<>();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            int version = buffer.get();
            if (version != 1 && version != PEERS_VERSION) {
                throw new StorageException(
                        "the store's peer record has version " + version + ", expected " + PEERS_VERSION);
            }
            int count = Short.toUnsignedInt(buffer.getShort());
            for (int i = 0; i < count; i++) {
                byte[] id = new byte[Byte.toUnsignedInt(buffer.get())];
                buffer.get(id);
                Seen seen = new Seen(buffer.getLong(), buffer.getLong(), buffer.getLong());
                if (version == PEERS_VERSION) {
                    seen = seen.withVote(buffer.getLong()).withHeld(buffer.getLong());
                }
                peers.put(NodeId.of(new String(id, StandardCharsets.US_ASCII)), seen);
            }
            return peers;
        } catch (RuntimeException e) {
            if (e instanceof StorageException storage) {
                throw storage;
            }
            throw new StorageException("the store's peer record is unreadable: " + e, e);
        }
    }
}
