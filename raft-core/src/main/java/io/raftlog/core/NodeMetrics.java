package io.raftlog.core;

import io.raftlog.api.NodeStatus;

/**
 * What a {@link RaftNode} reports as it runs; implement it to export metrics (raftlog's command
 * line exports them to Prometheus). Called from the node's threads: implementations must be
 * thread-safe and must not block.
 */
public interface NodeMetrics {
    /** Reports nothing. */
    NodeMetrics NONE = new NodeMetrics() {};

    /** A durable write (one fsync) took {@code nanos}. */
    default void fsync(long nanos) {}

    /** A batch of {@code records} records was proposed as one append. */
    default void batch(int records) {}

    /** An append (one caller's batch) completed {@code nanos} after it was submitted. */
    default void appendLatency(long nanos) {}

    /** A proposed batch committed {@code nanos} after this leader appended it. */
    default void commitLatency(long nanos) {}

    /** This node started an election (a pre-vote or a vote). */
    default void electionStarted() {}

    /** This node became leader. */
    default void becameLeader() {}

    /** The node's status changed or a tick passed. */
    default void status(NodeStatus status) {}
}
