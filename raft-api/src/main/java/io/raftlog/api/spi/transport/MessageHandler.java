package io.raftlog.api.spi.transport;

import io.raftlog.api.message.RaftMessage;

/**
 * Receives the messages a {@link Transport} delivers to this node. The node's handler queues each
 * message for its event loop and wakes it up; it never blocks.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Called for each inbound message addressed to this node, on a transport thread. Calls for
     * messages from different peers may come concurrently from different threads; messages from
     * one peer arrive one at a time, in the order they were sent. Must be thread-safe and must not
     * block: hand the message to the node's own thread and return. It may call
     * {@link Transport#send} (to answer).
     *
     * <p>A transport must survive a handler that is slow or stalls anyway: it keeps a bounded
     * number of messages for it, drops and counts the rest, and resumes delivery once the handler
     * returns. If the handler throws, the transport logs it and goes on delivering the next
     * messages.
     */
    void onMessage(RaftMessage message);
}
