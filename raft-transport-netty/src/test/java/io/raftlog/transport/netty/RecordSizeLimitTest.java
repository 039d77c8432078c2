package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.NodeId;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The largest record a client sends is the largest a leader can replicate: it fits a peer's
 * AppendEntries frame even between members with the longest ids, and one byte more would not. A
 * real 3-node cluster (RaftNode over NettyTransport) with 2 MiB frames.
 */
class RecordSizeLimitTest {
    private static final int FRAME = 2 << 20;
    /**
     * A frame's version and kind bytes, then an AppendEntriesRequest of one entry: version, type,
     * two ids of 64 bytes with their lengths, term, prevLogIndex, prevLogTerm, leaderCommit, read
     * context, entry count, and the entry's index, term, type and payload length.
     */
    private static final int PEER_OVERHEAD = 2 + (1 + 1 + 65 + 65 + 8 + 8 + 8 + 8 + 8 + 4) + (8 + 8 + 1 + 4);

    private static final int LARGEST = FRAME - PEER_OVERHEAD;

    private LoopbackRaftCluster cluster;
    private RaftClient client;

    @BeforeEach
    void start() {
        List<NodeId> longestIds = List.of(longestId('a'), longestId('b'), longestId('c'));
        cluster = new LoopbackRaftCluster(longestIds, config -> config.withMaxFrameBytes(FRAME));
        cluster.awaitLeader(Duration.ofSeconds(20));
        client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.copyOf(cluster.addresses.values()))
                .withMaxFrameBytes(FRAME)
                .withRequestTimeout(Duration.ofSeconds(20)));
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void theLimitIsPublished() {
        assertThat(client.maxRecordBytes()).isEqualTo(LARGEST);
        assertThat(RaftClientConfig.of(Loopback.CLUSTER, List.of(Loopback.address(1)))
                        .maxRecordBytes())
                .as("with the default 16 MiB frames, as documented")
                .isEqualTo(16_777_017);
    }

    @Test
    void oneByteMoreThanThePeerFrameHoldsIsRefusedAtOnceAndNeverSent() throws Exception {
        long lastIndex = client.status().get(10, TimeUnit.SECONDS).lastIndex();

        CompletableFuture<Long> append = client.append(Bytes.copyOf(new byte[LARGEST + 1]));

        assertThat(append).as("refused before anything is sent").isCompletedExceptionally();
        assertThat(Futures.failure(append))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("a record of " + (LARGEST + 1) + " bytes is larger than the largest this client sends, "
                        + LARGEST + " bytes (maxFrameBytes 2 MiB less framing)");
        assertThat(client.status().get(10, TimeUnit.SECONDS).lastIndex()).isEqualTo(lastIndex);
        assertThat(2 + MessageCodec.encodedSize(appendEntriesOf(LARGEST + 1)))
                .as("it would not fit the AppendEntries frame to a follower")
                .isEqualTo(FRAME + 1);
    }

    @Test
    void theLargestRecordCommitsAndReachesEveryFollower() throws Exception {
        byte[] payload = new byte[LARGEST];
        payload[0] = 1;
        payload[LARGEST - 1] = 2;

        long offset = client.append(Bytes.copyOf(payload)).get(20, TimeUnit.SECONDS);

        assertThat(2 + MessageCodec.encodedSize(appendEntriesOf(LARGEST))).isEqualTo(FRAME);
        for (var member : cluster.addresses.values()) {
            List<CommittedRecord> read = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> client.read(member, offset, 1, Duration.ofMillis(200))
                                    .get(10, TimeUnit.SECONDS),
                            records -> !records.isEmpty());
            assertThat(read.get(0).offset()).isEqualTo(offset);
            assertThat(read.get(0).payload()).as("on " + member).isEqualTo(Bytes.copyOf(payload));
        }
    }

    private static NodeId longestId(char letter) {
        return NodeId.of(String.valueOf(letter).repeat(64));
    }

    private static AppendEntriesRequest appendEntriesOf(int payloadBytes) {
        return new AppendEntriesRequest(
                longestId('a'),
                longestId('b'),
                1,
                0,
                0,
                List.of(LogEntry.data(1, 1, Bytes.copyOf(new byte[payloadBytes]))),
                0);
    }
}
