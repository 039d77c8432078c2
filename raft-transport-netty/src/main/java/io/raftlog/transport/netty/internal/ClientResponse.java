package io.raftlog.transport.netty.internal;

/** A node's answer to the {@link ClientRequest} with the same {@link #requestId()}. */
public sealed interface ClientResponse extends Frame
        permits AppendResponse,
                ReadResponse,
                StatusResponse,
                DeleteRecordsResponse,
                ReadIndexResponse,
                MembershipResponse,
                ErrorResponse {
    long requestId();
}
