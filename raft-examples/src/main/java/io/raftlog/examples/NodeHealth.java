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

    static void watch(ClusterNode node, int peers) {
        Thread watcher = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        Map<NodeId, String> refusals = node.transport.refusals();
                        if (!refusals.isEmpty()) {
                            Map.Entry<NodeId, String> first =
                                    refusals.entrySet().iterator().next();
                            System.err.println("error: peer " + first.getKey() + " refused this node: "
                                    + first.getValue() + " (check --id, --peers and --cluster-id)");
                            System.exit(3);
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
