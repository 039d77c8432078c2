package io.raftlog.core.protocol;

import static io.raftlog.core.protocol.TestCluster.id;

import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Hand-crafted protocol messages between nodes n1..nN, named by number, and predicates to find them. */
final class TestMessages {
    private TestMessages() {}

    /** AppendEntries from leader {@code from} carrying entries of {@code entryTerms} after (prevIndex, prevTerm). */
    static AppendEntriesRequest append(
            int from, int to, long term, long prevIndex, long prevTerm, long leaderCommit, long... entryTerms) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < entryTerms.length; i++) {
            entries.add(TestCluster.entry(prevIndex + 1 + i, entryTerms[i]));
        }
        return new AppendEntriesRequest(id(from), id(to), term, prevIndex, prevTerm, entries, leaderCommit);
    }

    /** An empty AppendEntries anchored at index 0, which every log matches. */
    static AppendEntriesRequest heartbeat(int from, int to, long term) {
        return append(from, to, term, 0, 0, 0);
    }

    static VoteRequest vote(int from, int to, long term, long lastLogIndex, long lastLogTerm) {
        return new VoteRequest(id(from), id(to), term, lastLogIndex, lastLogTerm, false, false);
    }

    static VoteRequest preVote(int from, int to, long term, long lastLogIndex, long lastLogTerm) {
        return new VoteRequest(id(from), id(to), term, lastLogIndex, lastLogTerm, true, false);
    }

    static VoteResponse granted(int from, int to, long term) {
        return new VoteResponse(id(from), id(to), term, true, false);
    }

    static VoteResponse refused(int from, int to, long term) {
        return new VoteResponse(id(from), id(to), term, false, false);
    }

    static AppendEntriesResponse ack(int from, int to, long term, long index) {
        return new AppendEntriesResponse(id(from), id(to), term, true, index, 0, 0);
    }

    /** AppendEntries requests from {@code from} to {@code to} that carry at least one entry. */
    static Predicate<RaftMessage> appendWithEntries(int from, int to) {
        return message -> message instanceof AppendEntriesRequest request
                && !request.entries().isEmpty()
                && request.from().equals(id(from))
                && request.to().equals(id(to));
    }

    /** AppendEntries responses sent by {@code from}. */
    static Predicate<RaftMessage> responsesFrom(int from) {
        return message ->
                message instanceof AppendEntriesResponse && message.from().equals(id(from));
    }

    /** The messages of {@code type} in {@code messages}, in order. */
    static <T extends RaftMessage> List<T> only(Class<T> type, List<? extends RaftMessage> messages) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
