package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/** Argument checks shared by the message records. */
final class Messages {
    private Messages() {}

    static void requireAddresses(NodeId from, NodeId to) {
        if (from == null || to == null) {
            throw new IllegalArgumentException("a message needs both a sender and an addressee");
        }
    }

    static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
