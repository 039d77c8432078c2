package io.raftlog.transport.netty.client;

import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.Role;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@link RaftClient}'s routed calls go: the leader when one is known, else — for a
 * linearizable call, which any node a leader confirms may serve — the node that served the last
 * one, else the seeds in turn, skipping the nodes that refused the call as not leader. The leader
 * is learned from every answer that tells it: a write that succeeded, a status of a node that
 * leads or names a leader the client has shaken hands with, a {@code NOT_LEADER} hint. Addresses
 * are compared by host string and port. Confined to the client's event loop.
 */
final class Routes {
    private final List<InetSocketAddress> seeds;
    /** Where each node the client shook hands with listens for clients (seed addresses preferred). */
    private final Map<NodeId, InetSocketAddress> nodes = new HashMap<>();

    private InetSocketAddress leader;
    /** The node that served the last linearizable call: a leader confirmed it moments ago. */
    private InetSocketAddress readNode;

    private int nextSeed;

    Routes(List<InetSocketAddress> seeds) {
        this.seeds = List.copyOf(seeds);
    }

    /**
     * Where {@code call} goes next: the leader if known, else (for a linearizable call) the node
     * that served the last one, else the next seed — never a node that refused this call, while a
     * seed that did not is left; once every seed has, a new round starts.
     */
    InetSocketAddress target(ClientCall call) {
        InetSocketAddress target = leader;
        if (target == null && call.isLinearizable()) {
            target = readNode;
        }
        if (target != null && !call.refusedBy.contains(key(target))) {
            return target;
        }
        for (int i = 0; i < seeds.size(); i++) {
            InetSocketAddress seed = nextSeed();
            if (!call.refusedBy.contains(key(seed))) {
                return seed;
            }
        }
        call.refusedBy.clear(); // every node refused: start another round (after a back-off)
        return target != null ? target : nextSeed();
    }

    /** Whether a seed has not refused {@code call} yet. */
    boolean untriedSeedLeft(ClientCall call) {
        return seeds.stream().anyMatch(seed -> !call.refusedBy.contains(key(seed)));
    }

    /** The connection to {@code address} shook hands with {@code node}. */
    void accepted(InetSocketAddress address, NodeId node) {
        boolean seed = seeds.stream().anyMatch(s -> key(s).equals(key(address)));
        if (seed || !nodes.containsKey(node)) {
            nodes.put(node, address);
        }
    }

    /** {@code call} succeeded on the node at {@code address}, answering {@code status} if it is a status call. */
    void served(ClientCall call, InetSocketAddress address, Optional<NodeStatus> status) {
        if (call.isWrite()) {
            leader = address; // only the leader writes: reads and status follow it there
        } else if (call.isLinearizable()) {
            readNode = address;
        } else if (status.isPresent()) {
            learnLeader(status.get(), address);
        }
    }

    /**
     * A status names the leader: the node itself if it leads, else the leader it follows, if the
     * client knows where that one listens (a hint: a lagging node may name an old leader, which
     * then redirects).
     */
    private void learnLeader(NodeStatus status, InetSocketAddress from) {
        if (status.role() == Role.LEADER) {
            leader = from;
        } else if (status.leader().isPresent()
                && nodes.containsKey(status.leader().get())) {
            leader = nodes.get(status.leader().get());
        }
    }

    /**
     * The node at {@code refusing} is not the leader and named {@code hint} (at {@code hintAddress},
     * the peer address it has for it): forgets {@code refusing} as the leader and the node that
     * serves reads, and returns where the hinted leader listens, now taken as the leader — where
     * the client reached it itself if it did, since a client may not reach a node's peer address —
     * unless no other node was named.
     */
    Optional<InetSocketAddress> notLeader(
            InetSocketAddress refusing, Optional<NodeId> hint, Optional<InetSocketAddress> hintAddress) {
        forget(refusing);
        Optional<InetSocketAddress> leaderAddress = hint.map(nodes::get)
                .or(() -> hintAddress)
                .filter(address -> !key(address).equals(key(refusing)));
        leaderAddress.ifPresent(address -> leader = address);
        return leaderAddress;
    }

    /** Stops sending calls to the node at {@code address} as the leader or the node that serves reads. */
    void forget(InetSocketAddress address) {
        String gone = key(address);
        if (leader != null && key(leader).equals(gone)) {
            leader = null;
        }
        if (readNode != null && key(readNode).equals(gone)) {
            readNode = null;
        }
    }

    private InetSocketAddress nextSeed() {
        return seeds.get(Math.floorMod(nextSeed++, seeds.size()));
    }

    static String key(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
