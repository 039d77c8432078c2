package io.raftlog.api.message;

import io.raftlog.api.NodeId;

/**
 * A message between two members of a Raft cluster. Every message carries its sender, its
 * addressee and the sender's term; receivers compare terms first (Raft §5.1).
 */
public sealed interface RaftMessage
        permits VoteRequest,
                VoteResponse,
                AppendEntriesRequest,
                AppendEntriesResponse,
                TimeoutNow,
                IdentityRequest,
                IdentityResponse,
                RepairRequest,
                RepairResponse,
                InstallSnapshotRequest,
                InstallSnapshotResponse,
                ReadIndexRequest,
                ReadIndexResponse {
    NodeId from();

    NodeId to();

    long term();
}
