package io.raftlog.api.spi.transport;

/**
 * Counters of one peer link since the transport started, as {@link Transport#traffic()} reports them.
 *
 * @param messagesSent     messages written to the peer
 * @param bytesSent        bytes of those frames, length prefix included
 * @param messagesReceived messages received from the peer
 * @param bytesReceived    bytes of those frames, length prefix included
 * @param dropped          messages dropped on the way out (queue full, connection failed, too large,
 *                         shutting down); on a healthy link every message sent is in time either
 *                         delivered or counted here
 */
public record PeerTraffic(long messagesSent, long bytesSent, long messagesReceived, long bytesReceived, long dropped) {}
