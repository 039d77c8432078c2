package io.raftlog.api.spi.transport;

import io.raftlog.api.message.RaftMessage;

/** Receives the messages a {@link Transport} delivers to this node. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called for each inbound message addressed to this node, on a transport thread. Calls for
     * messages from different peers may come concurrently from different threads; messages from
     * one peer arrive one at a time, in the order they were sent. Must be thread-safe and must not
     * block: hand the message to the node's own thread and return.
     */
    void onMessage(RaftMessage message);
}
