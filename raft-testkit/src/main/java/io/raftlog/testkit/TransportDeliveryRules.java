package io.raftlog.testkit;

import static io.raftlog.testkit.TransportContract.A;
import static io.raftlog.testkit.TransportContract.B;
import static io.raftlog.testkit.TransportContract.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftlog.api.Bytes;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.AppendEntriesResponse;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.message.InstallSnapshotRequest;
import io.raftlog.api.message.InstallSnapshotResponse;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.MessageCodec;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.api.message.VoteResponse;
import io.raftlog.testkit.TransportContract.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every kind of message, large ones, a streamed snapshot and the size limit arrive intact. */
abstract class TransportDeliveryRules extends TransportRules {
    /** Chunks of the snapshot a transport must stream. */
    private static final int SNAPSHOT_CHUNKS = 32;

    TransportDeliveryRules(TransportContract contract) {
        super(contract);
    }

    @Test
    void deliversEveryKindOfMessageIntact() {
        Node a = start(A);
        Node b = start(B);
        List<RaftMessage> sent = List.of(
                new VoteRequest(A, B, 3, 10, 2, true, false),
                new VoteResponse(A, B, 3, true, false),
                new AppendEntriesRequest(
                        A,
                        B,
                        3,
                        9,
                        2,
                        List.of(
                                LogEntry.data(10, 3, Bytes.ofUtf8("hello")),
                                new LogEntry(11, 3, EntryType.NOOP, Bytes.EMPTY),
                                new LogEntry(12, 3, EntryType.PRODUCER_BATCH, Bytes.ofUtf8("batch")),
                                LogEntry.data(13, 3, Bytes.copyOf(new byte[] {0, (byte) 255, 7}))),
                        8),
                new AppendEntriesResponse(A, B, 3, false, 9, 4, 1),
                new TimeoutNow(A, B, 3, 13),
                new InstallSnapshotRequest(A, B, 3, 8, 2, 5, 2, Bytes.copyOf(new byte[] {1, 2, 3}), true),
                new InstallSnapshotResponse(A, B, 3, 8, 5, false));
        a.transport().send(sent);

        await("all " + sent.size() + " messages at " + B, () -> b.inbox.size() == sent.size());
        assertThat(b.received())
                .as("rule: every kind of message arrives intact, in the order sent")
                .containsExactlyElementsOf(sent);
    }

    @Test
    void carriesLargeMessagesIntact() {
        Node a = start(A);
        Node b = start(B);
        byte[] payload = new byte[contract().largeMessageBytes()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        RaftMessage large =
                new AppendEntriesRequest(A, B, 1, 0, 0, List.of(LogEntry.data(1, 1, Bytes.copyOf(payload))), 0);
        a.transport().send(large);

        await("the large message at " + B, () -> !b.inbox.isEmpty());
        assertThat(b.received())
                .as("rule: a message of largeMessageBytes() arrives intact")
                .containsExactly(large);
    }

    /**
     * A leader streams a snapshot to a follower as 32 chunks back to back; the follower answers
     * each with the offset it expects next. Every chunk arrives intact and in order, and so does
     * every answer.
     */
    @Test
    void streamsASnapshotCompleteAndInOrderAndCarriesTheAnswersBack() {
        Node a = start(A);
        Node b = start(
                B,
                message -> {},
                message -> message instanceof InstallSnapshotRequest chunk
                        ? new InstallSnapshotResponse(
                                B,
                                A,
                                chunk.term(),
                                chunk.snapshotIndex(),
                                chunk.offset() + chunk.data().size(),
                                false)
                        : null);
        int chunkBytes = contract().snapshotChunkBytes();
        long totalBytes = (long) chunkBytes * SNAPSHOT_CHUNKS;
        Random random = new Random(contract().seed);
        List<InstallSnapshotRequest> chunks = new ArrayList<>();
        List<InstallSnapshotResponse> answers = new ArrayList<>();
        for (int i = 0; i < SNAPSHOT_CHUNKS; i++) {
            long offset = (long) i * chunkBytes;
            chunks.add(new InstallSnapshotRequest(
                    A, B, 3, 1_000, 2, totalBytes, offset, randomBytes(random, chunkBytes), i == SNAPSHOT_CHUNKS - 1));
            answers.add(new InstallSnapshotResponse(B, A, 3, 1_000, offset + chunkBytes, false));
        }
        for (InstallSnapshotRequest chunk : chunks) {
            a.transport().send(chunk);
        }

        await(
                SNAPSHOT_CHUNKS + " chunks at " + B + " and their answers at " + A,
                () -> b.inbox.size() >= SNAPSHOT_CHUNKS && a.inbox.size() >= SNAPSHOT_CHUNKS,
                () -> "(" + b.inbox.size() + " chunks, " + a.inbox.size() + " answers; " + seeded() + ")");
        List<RaftMessage> received = b.received();
        assertThat(received)
                .as("rule: a snapshot streamed in chunks arrives whole, no chunk twice; %s", seeded())
                .hasSize(SNAPSHOT_CHUNKS);
        for (int i = 0; i < SNAPSHOT_CHUNKS; i++) {
            assertThat(received.get(i))
                    .as(
                            "rule: a streamed snapshot's chunks arrive intact and in order (chunk %d of %d); %s",
                            i, SNAPSHOT_CHUNKS, seeded())
                    .isEqualTo(chunks.get(i));
        }
        assertThat(a.received())
                .as("rule: answers sent from the handler's thread arrive intact and in order; %s", seeded())
                .containsExactlyElementsOf(answers);
    }

    /**
     * A message of exactly {@link io.raftlog.api.spi.transport.Transport#maxMessageBytes()} arrives
     * intact; one a byte larger is dropped (and counted, by a transport that reports traffic), and
     * the link goes on carrying the messages after it.
     */
    @Test
    void carriesTheLargestMessageItAdvertisesAndDropsOneByteMore() {
        Node a = start(A);
        Node b = start(B);
        int max = a.transport().maxMessageBytes();
        int overhead = MessageCodec.encodedSize(snapshotOfOneChunk(1, Bytes.EMPTY));
        assumeTrue(
                max <= contract().maxTestedMessageBytes() && max > overhead,
                () -> "the transport's largest message, " + max + " bytes, is out of the range this contract builds");
        Random random = new Random(contract().seed);
        InstallSnapshotRequest largest = snapshotOfOneChunk(1, randomBytes(random, max - overhead));
        InstallSnapshotRequest tooLarge = snapshotOfOneChunk(2, randomBytes(random, max - overhead + 1));
        assertThat(MessageCodec.encodedSize(largest))
                .as("the size of the largest message built")
                .isEqualTo(max);
        assertThat(MessageCodec.encodedSize(tooLarge))
                .as("the size of the message built too large")
                .isEqualTo(max + 1);

        a.transport().send(largest);
        await("the message of " + max + " bytes at " + B, () -> !b.inbox.isEmpty(), this::seeded);
        assertThat(b.received())
                .as("rule: a message of exactly maxMessageBytes() arrives intact; %s", seeded())
                .containsExactly(largest);

        long droppedBefore = dropped(a, B);
        a.transport().send(tooLarge);
        a.transport().send(heartbeat(A, B, 1));
        await("the message after the one of " + (max + 1) + " bytes at " + B, () -> b.inbox.size() >= 2, this::seeded);
        assertThat(b.received())
                .as("rule: a message over maxMessageBytes() is dropped and the link carries on; %s", seeded())
                .containsExactly(largest, heartbeat(A, B, 1));
        if (counts(a, B)) {
            await("rule: a message over maxMessageBytes() is counted as dropped", () -> dropped(a, B) > droppedBefore);
        }
    }

    @Test
    void deliversBothWays() {
        Node a = start(A);
        Node b = start(B);
        a.transport().send(heartbeat(A, B, 1));
        b.transport().send(heartbeat(B, A, 1));

        await("a message each way", () -> !a.inbox.isEmpty() && !b.inbox.isEmpty());
        assertThat(a.received())
                .as("rule: a node receives what its peer sends it")
                .containsExactly(heartbeat(B, A, 1));
        assertThat(b.received())
                .as("rule: a node receives what its peer sends it")
                .containsExactly(heartbeat(A, B, 1));
    }

    /** The one chunk, of {@code data}, of a snapshot at {@code index} sent from A to B. */
    private static InstallSnapshotRequest snapshotOfOneChunk(long index, Bytes data) {
        return new InstallSnapshotRequest(A, B, 1, index, 1, data.size(), 0, data, true);
    }

    private static Bytes randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return Bytes.wrap(bytes);
    }
}
