package io.raftlog.api.spi.metrics;

import io.raftlog.api.NodeStatus;

/**
 * What a node reports as it runs: the metrics plugin SPI. Implement it to export metrics to a
 * monitoring system ({@code raft-metrics-prometheus} is one implementation); a node without one
 * reports to {@link #NONE}. With Guice, bind it through {@code RaftModule}'s optional binding.
 *
 * <p><b>Threads.</b> Called from the node's event loop and its storage writer, on the hot path:
 * implementations must be thread-safe, must not block, and should cost no more than updating a
 * counter. Every method has an empty default, so an implementation overrides only what it exports.
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
