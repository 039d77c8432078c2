package io.raftlog.api.spi.transport;

import io.raftlog.api.message.RaftMessage;

/** Receives the messages a {@link Transport} delivers to this node. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called for each inbound message addressed to this node, on a transport thread. Must not
     * block: hand the message to the node's own thread and return.
     */
    void onMessage(RaftMessage message);
}
