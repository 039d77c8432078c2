package io.raftlog.api;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A cluster's configuration: its voters (they elect the leader, and a majority of them commits an
 * entry) and its learners (they receive the log but neither vote nor count toward any quorum),
 * each with the address peers and clients reach it at ({@code ""} where none is recorded: a
 * cluster wired in memory, or one bootstrapped from ids alone).
 *
 * <p>A membership travels in the log as a {@code CONFIGURATION} entry and takes effect on each node
 * as soon as the entry is in its log, committed or not (Raft thesis §4.1); it is kept in
 * snapshots. Changes go one node at a time ({@link #withLearner}, {@link #promote},
 * {@link #without}), so any majority of the old voters and any majority of the new ones share a
 * voter.
 *
 * @param voters   voter ids to addresses, at least one; ordered by id
 * @param learners learner ids to addresses, none a voter; ordered by id
 */
public record Membership(Map<NodeId, String> voters, Map<NodeId, String> learners) {
    /** The format version {@link #encode()} writes and {@link #decode} reads. */
    private static final int VERSION = 1;

    private static final int MAX_MEMBERS = 1024;
    private static final int MAX_ADDRESS_BYTES = 1024;

    public Membership {
        voters = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(voters, "voters")));
        learners = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(learners, "learners")));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a membership needs at least one voter");
        }
        for (NodeId learner : learners.keySet()) {
            if (voters.containsKey(learner)) {
                throw new IllegalArgumentException(learner + " cannot be both a voter and a learner");
            }
        }
        if (voters.size() + learners.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_MEMBERS + " members, not " + (voters.size() + learners.size()));
        }
        for (Map<NodeId, String> members : java.util.List.of(voters, learners)) {
            members.forEach((id, address) -> {
                Objects.requireNonNull(address, "address of " + id);
                if (address.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS_BYTES) {
                    throw new IllegalArgumentException(
                            "the address of " + id + " is longer than " + MAX_ADDRESS_BYTES + " bytes");
                }
            });
        }
    }

    /** Voters with no recorded addresses and no learners: a cluster bootstrapped from ids alone. */
    public static Membership ofVoters(java.util.Collection<NodeId> voters) {
        Map<NodeId, String> map = new TreeMap<>();
        for (NodeId voter : voters) {
            if (map.put(voter, "") != null) {
                throw new IllegalArgumentException("voter " + voter + " is listed twice");
            }
        }
        return new Membership(map, Map.of());
    }

    /** Whether {@code node} is a voter. */
    public boolean isVoter(NodeId node) {
        return voters.containsKey(node);
    }

    /** Whether {@code node} is a learner. */
    public boolean isLearner(NodeId node) {
        return learners.containsKey(node);
    }

    /** Whether {@code node} is a voter or a learner. */
    public boolean contains(NodeId node) {
        return voters.containsKey(node) || learners.containsKey(node);
    }

    /** Voters and learners, with their addresses, ordered by id. */
    public Map<NodeId, String> members() {
        Map<NodeId, String> all = new TreeMap<>(voters);
        all.putAll(learners);
        return Collections.unmodifiableMap(all);
    }

    /** The ids of voters and learners. */
    public Set<NodeId> ids() {
        return members().keySet();
    }

    /** The recorded address of {@code node} ({@code ""} if none), or {@code null} if not a member. */
    public String addressOf(NodeId node) {
        String address = voters.get(node);
        return address != null ? address : learners.get(node);
    }

    /** The number of voters that make a majority. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /** This membership with {@code node} added as a learner at {@code address}. */
    public Membership withLearner(NodeId node, String address) {
        if (contains(node)) {
            throw new IllegalArgumentException(node + " is already a " + (isVoter(node) ? "voter" : "learner"));
        }
        Map<NodeId, String> more = new TreeMap<>(learners);
        more.put(node, address);
        return new Membership(voters, more);
    }

    /** This membership with the learner {@code node} made a voter. */
    public Membership promote(NodeId node) {
        if (!isLearner(node)) {
            throw new IllegalArgumentException(
                    node + (isVoter(node) ? " is already a voter" : " is not a learner: add it as a learner first"));
        }
        Map<NodeId, String> fewer = new TreeMap<>(learners);
        Map<NodeId, String> more = new TreeMap<>(voters);
        more.put(node, fewer.remove(node));
        return new Membership(more, fewer);
    }

    /** This membership without {@code node} (a voter or a learner). */
    public Membership without(NodeId node) {
        if (!contains(node)) {
            throw new IllegalArgumentException(node + " is not a member");
        }
        Map<NodeId, String> v = new TreeMap<>(voters);
        Map<NodeId, String> l = new TreeMap<>(learners);
        v.remove(node);
        l.remove(node);
        if (v.isEmpty()) {
            throw new IllegalArgumentException("cannot remove " + node + ": it is the last voter");
        }
        return new Membership(v, l);
    }

    /** This membership with {@code node}'s recorded address replaced (it must be a member). */
    public Membership withAddress(NodeId node, String address) {
        Map<NodeId, String> v = new TreeMap<>(voters);
        Map<NodeId, String> l = new TreeMap<>(learners);
        if (v.containsKey(node)) {
            v.put(node, address);
        } else if (l.containsKey(node)) {
            l.put(node, address);
        } else {
            throw new IllegalArgumentException(node + " is not a member");
        }
        return new Membership(v, l);
    }

    /**
     * The {@code CONFIGURATION} entry payload: version u8 (1) | voter count u16 | voters |
     * learner count u16 | learners, each member being id length u8 | id ASCII | address length u16 |
     * address UTF-8.
     */
    public Bytes encode() {
        int size = 1 + 2 + 2;
        for (Map.Entry<NodeId, String> member : members().entrySet()) {
            size += 1
                    + member.getKey().value().length()
                    + 2
                    + member.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION);
        for (Map<NodeId, String> members : java.util.List.of(voters, learners)) {
            out.putShort((short) members.size());
            members.forEach((id, address) -> {
                byte[] idBytes = id.value().getBytes(StandardCharsets.US_ASCII);
                byte[] addressBytes = address.getBytes(StandardCharsets.UTF_8);
                out.put((byte) idBytes.length).put(idBytes);
                out.putShort((short) addressBytes.length).put(addressBytes);
            });
        }
        return Bytes.wrap(out.array());
    }

    /**
     * Reads a {@code CONFIGURATION} entry payload written by {@link #encode()}.
     *
     * @throws IllegalArgumentException if the bytes are not one (with what is wrong)
     */
    public static Membership decode(Bytes payload) {
        ByteBuffer in = payload.asReadOnlyBuffer();
        try {
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown membership format version " + version);
            }
            Map<NodeId, String> voters = readMembers(in);
            Map<NodeId, String> learners = readMembers(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes after a membership");
            }
            return new Membership(voters, learners);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("a truncated membership of " + payload.size() + " bytes", e);
        }
    }

    private static Map<NodeId, String> readMembers(ByteBuffer in) {
        int count = in.getShort() & 0xffff;
        Map<NodeId, String> members = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[in.get() & 0xff];
            in.get(id);
            byte[] address = new byte[in.getShort() & 0xffff];
            in.get(address);
            NodeId node = NodeId.of(new String(id, StandardCharsets.US_ASCII));
            if (members.put(node, new String(address, StandardCharsets.UTF_8)) != null) {
                throw new IllegalArgumentException(node + " is listed twice in a membership");
            }
        }
        return members;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("voters ");
        text.append(format(voters));
        if (!learners.isEmpty()) {
            text.append(", learners ").append(format(learners));
        }
        return text.toString();
    }

    private static String format(Map<NodeId, String> members) {
        StringBuilder text = new StringBuilder("[");
        members.forEach((id, address) -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(id);
            if (!address.isEmpty()) {
                text.append('@').append(address);
            }
        });
        return text.append(']').toString();
    }
}
