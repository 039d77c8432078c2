package io.raftlog.examples;

import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code raftlog status}: one JSON object per line per node. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Print each node's status as a JSON line.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() throws Exception {
        int reachable = 0;
        try (RaftClient raft = client.connect(Duration.ofSeconds(3))) {
            for (InetSocketAddress address : client.addresses()) {
                try {
                    NodeStatus status = raft.status(address).get(5, TimeUnit.SECONDS);
                    System.out.println(json(address, status, System.currentTimeMillis()));
                    reachable++;
                } catch (Exception e) {
                    System.out.println("{\"address\":\"" + escape(address.getHostString() + ":" + address.getPort())
                            + "\",\"error\":\"" + escape(RaftlogCommand.describe(e)) + "\"}");
                }
            }
        }
        if (reachable == 0) {
            throw new IllegalStateException("no node answered at " + client.servers);
        }
        return 0;
    }

    /**
     * One node's status as a JSON object. The log's figures follow the offsets: its start offset
     * and size, the newest snapshot's offset and size, the age of the last snapshot the node took
     * itself ({@code null} before its first; measured against {@code nowMillis}, this machine's
     * clock), and the snapshots the node sent (as a leader) and received (as a follower). Then, as
     * {@link #membership}, the members in effect on the node (left out when a node too old to
     * report them answers).
     */
    static String json(InetSocketAddress address, NodeStatus status, long nowMillis) {
        StringBuilder text = new StringBuilder("{");
        text.append("\"id\":\"").append(escape(status.id().value())).append("\",");
        text.append("\"address\":\"")
                .append(escape(address.getHostString() + ":" + address.getPort()))
                .append("\",");
        text.append("\"role\":\"").append(status.role()).append("\",");
        text.append("\"term\":").append(status.term()).append(',');
        text.append("\"leader\":")
                .append(status.leader()
                        .map(id -> "\"" + escape(id.value()) + "\"")
                        .orElse("null"))
                .append(',');
        text.append("\"commitOffset\":").append(status.commitIndex()).append(',');
        text.append("\"lastOffset\":").append(status.lastIndex()).append(',');
        NodeStatus.Log log = status.log();
        text.append("\"logStartOffset\":").append(log.startOffset()).append(',');
        text.append("\"logBytes\":").append(log.sizeBytes()).append(',');
        text.append("\"snapshotOffset\":").append(log.snapshotIndex()).append(',');
        text.append("\"snapshotBytes\":").append(log.snapshotBytes()).append(',');
        text.append("\"snapshotAgeMs\":")
                .append(
                        log.snapshotMillis() == 0
                                ? "null"
                                : Long.toString(Math.max(0, nowMillis - log.snapshotMillis())))
                .append(',');
        text.append("\"snapshotsSent\":").append(log.snapshotsSent()).append(',');
        text.append("\"snapshotsReceived\":").append(log.snapshotsReceived()).append(',');
        text.append("\"health\":\"").append(status.health()).append('"');
        status.problem()
                .ifPresent(problem ->
                        text.append(",\"problem\":\"").append(escape(problem)).append('"'));
        if (!status.matchIndex().isEmpty()) {
            text.append(",\"matchOffsets\":{");
            boolean first = true;
            for (Map.Entry<io.raftlog.api.NodeId, Long> match :
                    status.matchIndex().entrySet()) {
                text.append(first ? "" : ",")
                        .append('"')
                        .append(escape(match.getKey().value()))
                        .append("\":")
                        .append(match.getValue());
                first = false;
            }
            text.append('}');
        }
        status.configuration()
                .ifPresent(configuration -> text.append(",\"membership\":").append(membership(configuration)));
        return text.append('}').toString();
    }

    /**
     * {@code {"index":I,"committed":B,"voters":{ID:ADDRESS,...},"learners":{...}}}: the membership
     * in effect on the node, the index of its configuration entry (0 for the one a node starts
     * with), whether the node knows that entry committed, and each member's address ({@code null}
     * where none is known).
     */
    static String membership(NodeStatus.Configuration configuration) {
        StringBuilder text = new StringBuilder("{");
        text.append("\"index\":").append(configuration.index()).append(',');
        text.append("\"committed\":").append(configuration.committed()).append(',');
        text.append("\"voters\":")
                .append(members(configuration.membership().voters()))
                .append(',');
        text.append("\"learners\":").append(members(configuration.membership().learners()));
        return text.append('}').toString();
    }

    private static String members(Map<io.raftlog.api.NodeId, String> members) {
        StringBuilder text = new StringBuilder("{");
        members.forEach((id, address) -> text.append(text.length() > 1 ? "," : "")
                .append('"')
                .append(escape(id.value()))
                .append("\":")
                .append(address.isEmpty() ? "null" : "\"" + escape(address) + "\""));
        return text.append('}').toString();
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (c < 0x20) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
