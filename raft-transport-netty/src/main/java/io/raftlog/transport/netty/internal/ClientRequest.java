package io.raftlog.transport.netty.internal;

/** A request from a client; the node answers with a {@link ClientResponse} carrying the same id. */
public sealed interface ClientRequest extends Frame
        permits AppendRequest, ReadRequest, StatusRequest, DeleteRecordsRequest, ReadIndexRequest, MembershipRequest {
    /** Chosen by the client, unique among its requests in flight on the connection. */
    long requestId();
}
