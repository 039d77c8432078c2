package io.raftlog.examples;

import io.raftlog.api.NodeId;
import java.util.Map;
import java.util.Optional;

/**
 * Stops a node that is misconfigured in a way only its peers can see: they refuse its handshake
 * because they do not know its id, belong to another cluster, or are not the node its peer list
 * names at that address. Such a node could never take part, so it exits with the peers' reason —
 * but only when so many peers refuse it that the others could not form a quorum with it. One peer
 * refusing may be the one misconfigured (or an impostor at its address): then the node keeps
 * serving with the rest, and the refusal stays in its log and its peers' status.
 */
final class NodeHealth {
    private NodeHealth() {}

    /**
     * Exits when too many peers refuse this node (see {@link #fatalRefusal}). A joining node is
     * unknown to peers until an operator adds it, and to each until its log has the change: it
     * waits instead, saying so once.
     */
    static void watch(ClusterNode node, boolean joining) {
        Thread watcher = new Thread(
                () -> {
                    boolean toldWaiting = false;
                    java.util.Set<NodeId> reported = new java.util.HashSet<>();
                    while (!Thread.currentThread().isInterrupted()) {
                        Map<NodeId, String> refusals = node.transport.refusals();
                        boolean member = node.node.membership().contains(node.node.id());
                        int voters = Math.max(node.node.membership().voters().size(), 1);
                        Optional<String> fatal = fatalRefusal(refusals, voters, joining, member);
                        if (fatal.isPresent()) {
                            System.err.println("error: " + fatal.get());
                            System.exit(3);
                        }
                        boolean waiting =
                                joining && !member && refusals.values().stream().anyMatch(NodeHealth::notAdded);
                        if (waiting && !toldWaiting) {
                            System.err.println("waiting to be added: a peer does not know this node yet (add it with"
                                    + " raftlog admin add-learner)");
                            toldWaiting = true;
                        }
                        for (Map.Entry<NodeId, String> refusal : refusals.entrySet()) {
                            if (!(joining && notAdded(refusal.getValue())) && reported.add(refusal.getKey())) {
                                System.err.println("warning: peer " + refusal.getKey() + " refuses this node: "
                                        + refusal.getValue() + " (this node goes on with the others; check that"
                                        + " peer's --id, --peers and --cluster-id, and this node's)");
                            }
                        }
                        try {
                            Thread.sleep(200); // polling interval of a background watcher, not a test wait
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "raftlog-health");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Why this node must exit, if it must: the peers refusing it (other than a joining node's
     * peers that have not heard of it yet) leave fewer of the {@code voters} than a quorum.
     */
    static Optional<String> fatalRefusal(Map<NodeId, String> refusals, int voters, boolean joining, boolean member) {
        Map<NodeId, String> counted = new java.util.TreeMap<>(java.util.Comparator.comparing(NodeId::value));
        refusals.forEach((peer, reason) -> {
            if (!(joining && !member && notAdded(reason))) {
                counted.put(peer, reason);
            }
        });
        int quorum = voters / 2 + 1;
        if (counted.isEmpty() || voters - counted.size() >= quorum) {
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder(counted.size() + " of its " + (voters - 1)
                + " peers refused this node, too" + " many for it to take part:");
        counted.forEach((peer, reason) ->
                why.append(" peer ").append(peer).append(": ").append(reason).append(';'));
        why.append(" (check --id, --peers and --cluster-id)");
        return Optional.of(why.toString());
    }

    private static boolean notAdded(String reason) {
        return reason.contains("is not a peer of");
    }
}
