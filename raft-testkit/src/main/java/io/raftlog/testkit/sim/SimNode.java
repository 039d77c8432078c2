package io.raftlog.testkit.sim;

import io.raftlog.api.NodeId;
import io.raftlog.core.protocol.RaftProtocol;
import io.raftlog.core.storage.InMemoryLogStore;

/** One simulated member: its disk survives crashes, its protocol instance and pending writes do not. */
final class SimNode {
    final NodeId id;
    final InMemoryLogStore.Volume volume = new InMemoryLogStore.Volume();
    final SafetyChecker.PrefixHashes prefixHashes = new SafetyChecker.PrefixHashes();
    InMemoryLogStore store;
    /** Null while the node is down. */
    RaftProtocol raft;
    /** Bumped at every crash, so events of a previous life are recognised and dropped. */
    int incarnation;
    /** When the disk finishes the last queued write: writes complete in order. */
    long diskFreeAt;
    /** Highest index handed to the disk (the protocol's view of its log). */
    long lastHandedIndex;
    /** Highest index applied (checked against the committed log) in this life. */
    long appliedIndex;
    /** Term in which this node was last seen leading, to report each leadership once. */
    long ledTerm = -1;

    SimNode(NodeId id) {
        this.id = id;
    }

    boolean up() {
        return raft != null;
    }
}
