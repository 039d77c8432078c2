package io.raftlog.examples;

import io.raftlog.api.NodeId;
import java.util.Map;

/**
 * Stops a node that is misconfigured in a way only its peers can see: they refuse its handshake
 * because they do not know its id, belong to another cluster, or are not the node its peer list
 * names at that address. Such a node could never join, so it exits with the peers' reason.
 */
final class NodeHealth {
    private NodeHealth() {}

    /**
     * Exits when a peer refuses this node (a wrong id, cluster id or address). A joining node is
     * unknown to peers until an operator adds it, and to each until its log has the change: it
     * waits instead, saying so once.
     */
    static void watch(ClusterNode node, boolean joining) {
        Thread watcher = new Thread(
                () -> {
                    boolean toldWaiting = false;
                    while (!Thread.currentThread().isInterrupted()) {
                        Map<NodeId, String> refusals = node.transport.refusals();
                        if (!refusals.isEmpty()) {
                            Map.Entry<NodeId, String> first =
                                    refusals.entrySet().iterator().next();
                            boolean notAdded = first.getValue().contains("is not a peer of");
                            if (joining && notAdded && !node.node.membership().contains(node.node.id())) {
                                if (!toldWaiting) {
                                    System.err.println("waiting to be added: peer " + first.getKey()
                                            + " does not know this node yet (add it with raftlog admin add-learner)");
                                    toldWaiting = true;
                                }
                            } else if (!(joining && notAdded)) {
                                System.err.println("error: peer " + first.getKey() + " refused this node: "
                                        + first.getValue() + " (check --id, --peers and --cluster-id)");
                                System.exit(3);
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
}
