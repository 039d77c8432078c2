package io.raftlog.examples;

import com.google.inject.Guice;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.ReplicatedLog;
import io.raftlog.core.NodeConfig;
import io.raftlog.core.RaftModule;
import io.raftlog.storage.segment.SegmentStorageModule;
import io.raftlog.transport.netty.NettyTransportConfig;
import io.raftlog.transport.netty.NettyTransportModule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The smallest program that embeds a raftlog node, as the README shows it (kept here so the build
 * proves it compiles). Run three of them with ids n1, n2 and n3:
 * {@code java -cp raftlog.jar io.raftlog.examples.EmbeddedNodeExample n1} (with
 * {@code LmdbStorageModule} instead, add the {@code --add-opens} flags lmdbjava needs).
 */
public final class EmbeddedNodeExample {
    private EmbeddedNodeExample() {}

    public static void main(String[] args) throws Exception {
        NodeId id = NodeId.of(args.length > 0 ? args[0] : "n1");
        Map<NodeId, InetSocketAddress> members = Map.of(
                NodeId.of("n1"), new InetSocketAddress("127.0.0.1", 7001),
                NodeId.of("n2"), new InetSocketAddress("127.0.0.1", 7002),
                NodeId.of("n3"), new InetSocketAddress("127.0.0.1", 7003));
        try (ReplicatedLog log = Guice.createInjector(
                        new RaftModule(NodeConfig.of(id, List.copyOf(members.keySet()))),
                        new SegmentStorageModule(Path.of("data", id.value())),
                        new NettyTransportModule(NettyTransportConfig.of("raftlog", members.get(id), members)))
                .getInstance(ReplicatedLog.class)) { // a started node
            long offset = log.append(Bytes.ofUtf8("hello from " + id)).get(); // once committed on a majority
            List<CommittedRecord> records =
                    log.read(1, 100, Duration.ofSeconds(1)).get();
            System.out.println("appended at " + offset + "; the log holds " + records);
        }
    }
}
