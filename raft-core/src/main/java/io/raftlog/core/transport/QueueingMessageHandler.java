package io.raftlog.core.transport;

import io.raftlog.api.spi.transport.MessageHandler;

/**
 * A {@link MessageHandler} that only puts the message in a queue of its own and wakes its reader:
 * it never blocks, never waits for a lock another thread may hold for long, and never calls back
 * into a transport. The node's own handler is one.
 *
 * <p>{@link InMemoryTransport} calls such a handler on the sending thread, so a message reaches
 * the receiving node's queue with one thread hand-off (sender to receiver) instead of two (sender
 * to a delivery thread to receiver). Any other handler gets a delivery thread, which keeps the
 * sender safe from a handler that stalls.
 */
public interface QueueingMessageHandler extends MessageHandler {}
