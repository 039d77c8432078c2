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
     * clock), and the snapshots the node sent (as a leader) and received (as a follower).
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
