package io.raftlog.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.fail;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
    private static final NodeId A = NodeId.of("n1");
    private static final NodeId B = NodeId.of("n2");
    private static final NodeId LONGEST_ID =
            NodeId.of("abcdefghijklmnopqrstuvwxyABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    private static final long MAX = Long.MAX_VALUE;
    /** Where the flags and the data length of a snapshot chunk from n1 to n2 are: after the 16-byte prefix and four longs. */
    private static final int CHUNK_FLAGS_OFFSET = 16 + 4 * Long.BYTES;

    private static final int CHUNK_LENGTH_OFFSET = CHUNK_FLAGS_OFFSET + 1;
    /** Where the flags of a snapshot answer from n1 to n2 are: after the 16-byte prefix and two longs. */
    private static final int ANSWER_FLAGS_OFFSET = 16 + 2 * Long.BYTES;

    /** Small messages covering every type, flag combination and edge value; cheap enough to fuzz. */
    static List<RaftMessage> samples() {
        List<RaftMessage> samples = new ArrayList<>();
        for (boolean first : new boolean[] {false, true}) {
            for (boolean second : new boolean[] {false, true}) {
                if (!(first && second)) { // a transfer campaign never pre-votes
                    samples.add(new VoteRequest(A, B, 7, 41, 6, first, second));
                }
                samples.add(new VoteResponse(B, A, 7, first, second));
            }
        }
        samples.add(new VoteRequest(LONGEST_ID, NodeId.of("x"), MAX, MAX, MAX, false, true));
        samples.add(new VoteRequest(A, B, 0, 0, 0, false, false));
        samples.add(new VoteResponse(A, LONGEST_ID, MAX, true, false));
        samples.add(heartbeat(3, 10, 2, 9));
        samples.add(heartbeat(MAX, MAX, MAX, MAX));
        samples.add(fourEntries());
        samples.add(new AppendEntriesRequest(
                LONGEST_ID,
                LONGEST_ID,
                MAX,
                MAX - 1,
                MAX,
                List.of(LogEntry.data(MAX, MAX, Bytes.copyOf(new byte[] {(byte) 0xff, 0, (byte) 0x80}))),
                MAX));
        samples.add(new AppendEntriesResponse(B, A, 5, true, 42, 0, 0));
        samples.add(new AppendEntriesResponse(B, A, 5, false, 42, 30, 2));
        samples.add(new AppendEntriesResponse(B, A, MAX, false, MAX, MAX, MAX));
        samples.add(new AppendEntriesResponse(B, A, 5, true, 42, 0, 0, 17));
        samples.add(new AppendEntriesResponse(B, A, MAX, false, MAX, MAX, MAX, MAX));
        samples.add(new AppendEntriesRequest(A, B, 5, 42, 4, List.of(), 40, 3));
        samples.add(new AppendEntriesRequest(A, B, MAX, MAX, MAX, List.of(), MAX, MAX));
        samples.add(new ReadIndexRequest(B, A, 5, 1));
        samples.add(new ReadIndexRequest(LONGEST_ID, A, MAX, MAX));
        samples.add(new ReadIndexResponse(A, B, 5, 1, 42, true));
        samples.add(new ReadIndexResponse(A, B, 5, 1, 0, false));
        samples.add(new ReadIndexResponse(A, LONGEST_ID, MAX, MAX, MAX, true));
        samples.add(new TimeoutNow(A, B, 9));
        samples.add(new TimeoutNow(A, B, 9, 41));
        samples.add(new TimeoutNow(LONGEST_ID, A, MAX, MAX));
        samples.add(new IdentityRequest(A, B, 3, -7_123_456_789L, 12, List.of(99L), false, 3, 1_000, false));
        samples.add(new IdentityRequest(
                LONGEST_ID,
                A,
                MAX,
                Long.MIN_VALUE,
                MAX,
                java.util.stream.LongStream.range(0, IdentityRequest.MAX_BOOTS)
                        .boxed()
                        .toList(),
                true,
                MAX,
                MAX,
                true));
        samples.add(new IdentityRequest(
                A,
                B,
                3,
                5,
                2,
                List.of(99L, 98L),
                false,
                3,
                1_000,
                false,
                java.util.stream.LongStream.range(-3, IdentityRequest.MAX_REPLACES - 3)
                        .boxed()
                        .toList()));
        samples.add(new IdentityRequest(A, B, 3, 5, 2, List.of(99L), true, 3, 1_000, true, List.of(Long.MIN_VALUE)));
        samples.add(new IdentityResponse(B, A, 4, true, 99, true, ""));
        samples.add(new IdentityResponse(B, A, 4, true, 99, true, "", 0, List.of(), -42));
        samples.add(new IdentityResponse(B, A, 4, true, 99, true, "", 12, List.of(A, B), Long.MAX_VALUE));
        samples.add(new IdentityResponse(
                B, A, MAX, false, Long.MIN_VALUE, false, "n3 runs on another data directory — start it with --rejoin"));
        samples.add(new IdentityResponse(B, A, 0, false, -1, true, "é".repeat(IdentityResponse.MAX_REASON_CHARS)));
        samples.add(new IdentityResponse(B, A, 7, true, 99, false, "", 0, List.of(A, B)));
        samples.add(new IdentityResponse(B, A, 7, false, 99, true, "refused", MAX, List.of(B)));
        samples.add(new RepairRequest(A, B, 4, 434));
        samples.add(new RepairResponse(B, A, 4, 434, List.of(), false));
        samples.add(new RepairResponse(B, A, 4, 434, List.of(), true));
        samples.add(new RepairResponse(
                B, A, MAX, 434, List.of(LogEntry.data(434, 3, Bytes.copyOf(new byte[] {1, 2, 3}))), false));
        samples.addAll(snapshotSamples());
        return samples;
    }

    /** Snapshot chunks and answers: first, middle, last and empty chunks, and values at the limits. */
    static List<RaftMessage> snapshotSamples() {
        Bytes three = Bytes.copyOf(new byte[] {(byte) 0xff, 0, (byte) 0x80});
        return List.of(
                new InstallSnapshotRequest(A, B, 5, 100, 4, 10, 0, three, false),
                new InstallSnapshotRequest(A, B, 5, 100, 4, 10, 3, Bytes.EMPTY, false),
                new InstallSnapshotRequest(A, B, 5, 100, 5, 10, 7, three, true),
                // The one chunk of an empty snapshot: empty, and last.
                new InstallSnapshotRequest(A, B, 1, 1, 1, 0, 0, Bytes.EMPTY, true),
                new InstallSnapshotRequest(LONGEST_ID, A, MAX, MAX, MAX, MAX, MAX - 3, three, true),
                new InstallSnapshotRequest(A, LONGEST_ID, MAX, MAX, 1, MAX, MAX, Bytes.EMPTY, true),
                new InstallSnapshotRequest(A, B, MAX, 1, MAX, MAX, 0, three, false),
                new InstallSnapshotResponse(B, A, 5, 100, 0, false),
                new InstallSnapshotResponse(B, A, 5, 100, 7, false),
                new InstallSnapshotResponse(B, A, 0, 1, 0, true),
                new InstallSnapshotResponse(LONGEST_ID, B, MAX, MAX, MAX, false));
    }

    static Stream<RaftMessage> samplesAndLargeMessages() {
        return Stream.concat(
                samples().stream(), Stream.of(manyEntries(1_000, 16), oneMebibytePayload(), oneMebibyteChunk()));
    }

    @Nested
    class RoundTrip {
        @ParameterizedTest
        @MethodSource("io.raftlog.api.message.MessageCodecTest#samplesAndLargeMessages")
        void decodeGivesBackTheEncodedMessage(RaftMessage message) {
            ByteBuffer encoded = MessageCodec.encode(message);

            RaftMessage decoded = MessageCodec.decode(encoded);

            assertThat(decoded).isEqualTo(message);
            assertThat(encoded.hasRemaining()).as("decode consumes every byte").isFalse();
        }

        @ParameterizedTest
        @MethodSource("io.raftlog.api.message.MessageCodecTest#samplesAndLargeMessages")
        void encodedSizeIsExactlyTheBytesWritten(RaftMessage message) {
            int size = MessageCodec.encodedSize(message);
            ByteBuffer target = ByteBuffer.allocate(size + 10).position(3);

            MessageCodec.encode(message, target);

            assertThat(target.position()).isEqualTo(3 + size);
            assertThat(MessageCodec.encode(message).remaining()).isEqualTo(size);
            assertThat(target.array()).endsWith(new byte[7]);
        }

        @Test
        void heartbeatCarriesNoEntries() {
            AppendEntriesRequest decoded = (AppendEntriesRequest) roundTrip(heartbeat(3, 10, 2, 9));

            assertThat(decoded.entries()).isEmpty();
            assertThat(decoded.lastIndex()).isEqualTo(10);
        }

        @Test
        void manyEntriesKeepTheirOrderTypesAndPayloads() {
            AppendEntriesRequest request = manyEntries(1_000, 16);

            AppendEntriesRequest decoded = (AppendEntriesRequest) roundTrip(request);

            assertThat(decoded.entries()).hasSize(1_000).containsExactlyElementsOf(request.entries());
            assertThat(decoded.entries()).extracting(LogEntry::type).contains(EntryType.values());
        }

        @Test
        void oneMebibytePayloadSurvives() {
            AppendEntriesRequest decoded = (AppendEntriesRequest) roundTrip(oneMebibytePayload());

            assertThat(decoded.entries().get(0).payload().size()).isEqualTo(1 << 20);
            assertThat(decoded.entries().get(0).payload())
                    .isEqualTo(oneMebibytePayload().entries().get(0).payload());
        }

        @Test
        void formatIsBigEndianWithTheDocumentedLayout() {
            byte[] expected = frame(3).id("n1")
                    .id("n2")
                    .i64(4)
                    .i64(10)
                    .i64(3)
                    .i64(12)
                    .i64(0)
                    .i32(1)
                    .i64(11)
                    .i64(3)
                    .u8(EntryType.DATA.code())
                    .i32(2)
                    .bytes('h', 'i')
                    .toArray();
            RaftMessage message =
                    new AppendEntriesRequest(A, B, 4, 10, 3, List.of(LogEntry.data(11, 3, Bytes.ofUtf8("hi"))), 12);

            assertThat(bytesOf(MessageCodec.encode(message))).isEqualTo(expected);
            assertThat(bytesOf(MessageCodec.encode(new VoteRequest(A, B, 7, 41, 6, false, true))))
                    .isEqualTo(frame(1).id("n1")
                            .id("n2")
                            .i64(7)
                            .i64(41)
                            .i64(6)
                            .u8(0x02)
                            .toArray());
            assertThat(bytesOf(MessageCodec.encode(new AppendEntriesResponse(B, A, 5, true, 42, 0, 0))))
                    .isEqualTo(frame(4).id("n2")
                            .id("n1")
                            .i64(5)
                            .u8(0x01)
                            .i64(42)
                            .i64(0)
                            .i64(0)
                            .i64(0)
                            .toArray());
            assertThat(bytesOf(MessageCodec.encode(new TimeoutNow(A, B, 7, 41))))
                    .isEqualTo(frame(5).id("n1").id("n2").i64(7).i64(41).toArray());
            assertThat(bytesOf(MessageCodec.encode(new TimeoutNow(A, B, 7))))
                    .as("a TimeoutNow that names no index carries 0")
                    .isEqualTo(frame(5).id("n1").id("n2").i64(7).i64(0).toArray());
            assertThat(bytesOf(MessageCodec.encode(new ReadIndexRequest(B, A, 5, 9))))
                    .isEqualTo(frame(12).id("n2").id("n1").i64(5).i64(9).toArray());
            assertThat(bytesOf(MessageCodec.encode(new ReadIndexResponse(A, B, 5, 9, 42, true))))
                    .isEqualTo(frame(13)
                            .id("n1")
                            .id("n2")
                            .i64(5)
                            .i64(9)
                            .i64(42)
                            .u8(0x01)
                            .toArray());
        }

        @Test
        void encodingIgnoresTheTargetByteOrderAndRestoresIt() {
            RaftMessage message = samples().get(0);
            ByteBuffer target =
                    ByteBuffer.allocate(MessageCodec.encodedSize(message)).order(ByteOrder.LITTLE_ENDIAN);

            MessageCodec.encode(message, target);

            assertThat(target.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(target.array()).isEqualTo(bytesOf(MessageCodec.encode(message)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"heap-position", "heap-slice", "direct", "read-only", "little-endian"})
        void decodesFromAnyKindOfBufferAndLeavesItsOrderAlone(String kind) {
            RaftMessage message = fourEntries();
            byte[] encoded = bytesOf(MessageCodec.encode(message));
            byte[] padded = new byte[encoded.length + 9];
            System.arraycopy(encoded, 0, padded, 5, encoded.length);
            ByteBuffer source = switch (kind) {
                case "heap-position" -> ByteBuffer.wrap(padded, 5, encoded.length);
                case "heap-slice" -> ByteBuffer.wrap(padded, 5, encoded.length).slice();
                case "direct" ->
                    ByteBuffer.allocateDirect(encoded.length).put(encoded).flip();
                case "read-only" -> ByteBuffer.wrap(encoded).asReadOnlyBuffer();
                default -> ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
            };
            ByteOrder order = source.order();

            assertThat(MessageCodec.decode(source)).isEqualTo(message);
            assertThat(source.hasRemaining()).isFalse();
            assertThat(source.order()).isEqualTo(order);
        }

        /**
         * Known ids are matched eight bytes at a time: ids that differ only in their last byte, or
         * only in length, on either side of a word boundary, must each decode as themselves, from
         * heap and direct buffers, and also where the id's tail is the last bytes of the buffer.
         */
        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void similarIdsDecodeAsThemselves(boolean direct) {
            List<String> values = List.of(
                    "n",
                    "n1",
                    "n2",
                    "node-1",
                    "node-12",
                    "node-123",
                    "node-1234",
                    "node-1235",
                    "node-12345678",
                    "node-12345679",
                    "abcdefgh",
                    "abcdefghi",
                    "abcdefgh1",
                    "abcdefghijklmnop",
                    "abcdefghijklmnoq",
                    LONGEST_ID.value());
            for (String fromValue : values) {
                for (String toValue : values) {
                    if (fromValue.equals(toValue)) {
                        continue;
                    }
                    RaftMessage message = new TimeoutNow(NodeId.of(fromValue), NodeId.of(toValue), 7);
                    byte[] encoded = bytesOf(MessageCodec.encode(message));
                    ByteBuffer source = direct
                            ? ByteBuffer.allocateDirect(encoded.length)
                                    .put(encoded)
                                    .flip()
                            : ByteBuffer.wrap(encoded);
                    RaftMessage decoded = MessageCodec.decode(source);
                    assertThat(decoded.from().value()).as("from of %s", message).isEqualTo(fromValue);
                    assertThat(decoded.to().value()).as("to of %s", message).isEqualTo(toValue);
                }
            }
        }

        @Test
        void idAtTheVeryEndOfTheInputIsReadWithoutOverrunning() {
            // A truncated message whose "to" id ends the buffer: its tail cannot be read as a whole word.
            RaftMessage message = new TimeoutNow(NodeId.of("abcdefghijk"), NodeId.of("abcdefghijkl"), 7);
            byte[] encoded = bytesOf(MessageCodec.encode(message));
            byte[] truncated = Arrays.copyOf(encoded, encoded.length - 2 * Long.BYTES); // term, lastLogIndex

            assertThatExceptionOfType(MalformedMessageException.class)
                    .isThrownBy(() -> MessageCodec.decode(ByteBuffer.wrap(truncated)))
                    .withMessageContaining("term");
        }

        @Test
        void payloadsAreCopiedOutOfTheSource() {
            RaftMessage message = fourEntries();
            ByteBuffer source = MessageCodec.encode(message);

            AppendEntriesRequest decoded = (AppendEntriesRequest) MessageCodec.decode(source);
            Arrays.fill(source.array(), (byte) 0x55);

            assertThat(decoded).isEqualTo(message);
            assertThat(decoded.entries().get(0).payload().toUtf8()).isEqualTo("hello");
        }

        /** Every sample decodes from its encoding and encodes back to exactly the same bytes. */
        @ParameterizedTest
        @MethodSource("io.raftlog.api.message.MessageCodecTest#samplesAndLargeMessages")
        void reEncodingADecodedMessageGivesBackTheSameBytes(RaftMessage message) {
            byte[] encoded = bytesOf(MessageCodec.encode(message));

            byte[] reencoded = bytesOf(MessageCodec.encode(MessageCodec.decode(ByteBuffer.wrap(encoded))));

            assertThat(reencoded).isEqualTo(encoded);
        }
    }

    @Nested
    class SnapshotTransfer {
        @Test
        void aOneMebibyteChunkSurvivesFromHeapAndDirectBuffers() {
            InstallSnapshotRequest chunk = oneMebibyteChunk();
            byte[] encoded = bytesOf(MessageCodec.encode(chunk));
            ByteBuffer direct =
                    ByteBuffer.allocateDirect(encoded.length).put(encoded).flip();

            InstallSnapshotRequest fromHeap = (InstallSnapshotRequest) MessageCodec.decode(ByteBuffer.wrap(encoded));
            InstallSnapshotRequest fromDirect = (InstallSnapshotRequest) MessageCodec.decode(direct);

            assertThat(fromHeap).isEqualTo(chunk);
            assertThat(fromDirect).isEqualTo(chunk);
            assertThat(fromHeap.data().size()).isEqualTo(1 << 20);
            assertThat(MessageCodec.encodedSize(chunk))
                    .isEqualTo(encoded.length)
                    .isEqualTo(16 + 37 + (1 << 20));
        }

        /** A chunk of almost 2 GiB, mapped from a sparse file: sized in long arithmetic, refused as too large. */
        @Test
        void aChunkTooLargeToEncodeIsRefusedNotMisSized(@TempDir Path dir) throws IOException {
            int length = Integer.MAX_VALUE - 8;
            try (FileChannel file = FileChannel.open(
                    dir.resolve("sparse"),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[1]), length - 1L);
                Bytes data = Bytes.wrap(file.map(FileChannel.MapMode.READ_ONLY, 0, length));
                InstallSnapshotRequest chunk = new InstallSnapshotRequest(A, B, 1, 1, 1, length, 0, data, true);

                assertThatIllegalArgumentException()
                        .isThrownBy(() -> MessageCodec.encodedSize(chunk))
                        .withMessageContaining("a InstallSnapshotRequest of " + (16L + 37 + length) + " bytes")
                        .withMessageContaining("too large to encode");
            }
        }

        @Test
        void theEmptyLastChunkOfAnEmptySnapshotSurvives() {
            InstallSnapshotRequest chunk = new InstallSnapshotRequest(A, B, 2, 7, 2, 0, 0, Bytes.EMPTY, true);

            InstallSnapshotRequest decoded = (InstallSnapshotRequest) roundTrip(chunk);

            assertThat(decoded).isEqualTo(chunk);
            assertThat(decoded.data().isEmpty()).isTrue();
            assertThat(decoded.last()).isTrue();
        }

        @Test
        void chunkDataIsCopiedOutOfTheSource() {
            InstallSnapshotRequest chunk = oneMebibyteChunk();
            ByteBuffer heap = MessageCodec.encode(chunk);
            ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining())
                    .put(heap.duplicate())
                    .flip();

            RaftMessage fromHeap = MessageCodec.decode(heap);
            RaftMessage fromDirect = MessageCodec.decode(direct);
            Arrays.fill(heap.array(), (byte) 0x55);
            for (int i = 0; i < direct.capacity(); i++) {
                direct.put(i, (byte) 0x55);
            }

            assertThat(fromHeap).isEqualTo(chunk);
            assertThat(fromDirect).isEqualTo(chunk);
        }

        @Test
        void formatIsBigEndianWithTheDocumentedLayout() {
            assertThat(bytesOf(MessageCodec.encode(new InstallSnapshotRequest(
                            A, B, 5, 100, 4, 10, 7, Bytes.copyOf(new byte[] {9, 8, 7}), true))))
                    .isEqualTo(chunkHeader(5, 100, 4, 10, 7, 0x01)
                            .i32(3)
                            .bytes(9, 8, 7)
                            .toArray());
            assertThat(bytesOf(MessageCodec.encode(
                            new InstallSnapshotRequest(A, B, 5, 100, 4, 10, 0, Bytes.EMPTY, false))))
                    .isEqualTo(chunkHeader(5, 100, 4, 10, 0, 0).i32(0).toArray());
            assertThat(bytesOf(MessageCodec.encode(new InstallSnapshotResponse(A, B, 5, 100, 7, false))))
                    .isEqualTo(snapshotAnswer(5, 100, 7, 0).toArray());
            assertThat(bytesOf(MessageCodec.encode(new InstallSnapshotResponse(A, B, 5, 100, 0, true))))
                    .isEqualTo(snapshotAnswer(5, 100, 0, 0x01).toArray());
        }

        @Test
        void aTrailingByteIsRejected() {
            byte[] chunk = chunkHeader(5, 100, 4, 10, 7, 0x01)
                    .i32(3)
                    .bytes(9, 8, 7)
                    .u8(0)
                    .toArray();
            byte[] answer = snapshotAnswer(5, 100, 7, 0).u8(0).toArray();

            assertRejected(chunk, "1 trailing byte(s) after a complete InstallSnapshotRequest", chunk.length - 1);
            assertRejected(answer, "1 trailing byte(s) after a complete InstallSnapshotResponse", answer.length - 1);
        }

        @ParameterizedTest
        @ValueSource(ints = {0x02, 0x04, 0x80, 0x81, 0xff})
        void reservedFlagBitsAreRejected(int flags) {
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 7, flags).i32(3).bytes(9, 8, 7).toArray(),
                    String.format("flags 0x%02x set bits outside the known 0x01", flags),
                    CHUNK_FLAGS_OFFSET);
            assertRejected(
                    snapshotAnswer(5, 100, 7, flags).toArray(),
                    String.format("flags 0x%02x set bits outside the known 0x01", flags),
                    ANSWER_FLAGS_OFFSET);
        }

        @Test
        void negativeOrImpossibleDataLengthsAreRejectedBeforeAllocating() {
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 7, 0).i32(-1).toArray(), "negative data length -1", CHUNK_LENGTH_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 7, 0).i32(Integer.MIN_VALUE).toArray(),
                    "negative data length -2147483648",
                    CHUNK_LENGTH_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 7, 0x01).i32(4).bytes(9, 8, 7).toArray(),
                    "truncated or corrupt: data length 4 exceeds the 3 bytes remaining",
                    CHUNK_LENGTH_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 4, MAX, 0, 0)
                            .i32(Integer.MAX_VALUE)
                            .bytes(9, 8, 7)
                            .toArray(),
                    "truncated or corrupt: data length 2147483647 exceeds the 3 bytes remaining",
                    CHUNK_LENGTH_OFFSET);
        }

        @Test
        void aLastFlagThatDisagreesWithWhereTheChunkEndsIsRejected() {
            // Ends the snapshot but not flagged last; flagged last but more follows.
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 7, 0).i32(3).bytes(9, 8, 7).toArray(),
                    "invalid InstallSnapshotRequest: the last chunk, and only it, ends the snapshot",
                    MalformedMessageException.UNKNOWN_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 3, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "invalid InstallSnapshotRequest: the last chunk, and only it, ends the snapshot",
                    MalformedMessageException.UNKNOWN_OFFSET);
            // The one chunk of an empty snapshot must be flagged last.
            assertRejected(
                    chunkHeader(5, 100, 4, 0, 0, 0).i32(0).toArray(),
                    "invalid InstallSnapshotRequest: the last chunk, and only it, ends the snapshot",
                    MalformedMessageException.UNKNOWN_OFFSET);
        }

        @Test
        void aChunkThatDoesNotFitItsSnapshotIsRejected() {
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 8, 0).i32(3).bytes(9, 8, 7).toArray(),
                    "a chunk of 3 bytes at offset 8 does not fit a snapshot of 10 bytes",
                    CHUNK_LENGTH_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 4, 10, 11, 0x01).i32(0).toArray(),
                    "a chunk of 0 bytes at offset 11 does not fit a snapshot of 10 bytes",
                    CHUNK_LENGTH_OFFSET);
            // offset + length overflows a long: still refused, whatever the last flag says.
            for (int flags : new int[] {0, 0x01}) {
                assertRejected(
                        chunkHeader(5, 100, 4, 10, MAX - 1, flags)
                                .i32(3)
                                .bytes(9, 8, 7)
                                .toArray(),
                        "a chunk of 3 bytes at offset " + (MAX - 1) + " does not fit a snapshot of 10 bytes",
                        CHUNK_LENGTH_OFFSET);
                assertRejected(
                        chunkHeader(5, 100, 4, MAX, MAX, flags).i32(1).bytes(9).toArray(),
                        "a chunk of 1 bytes at offset " + MAX + " does not fit a snapshot of " + MAX + " bytes",
                        CHUNK_LENGTH_OFFSET);
            }
        }

        @Test
        void valuesTheRecordsRefuseAreRejected() {
            assertRejected(
                    chunkHeader(5, 100, 6, 10, 7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "invalid InstallSnapshotRequest: a snapshot has index >= 1 and a term from 1 to the message's"
                            + " term 5, got index 100, term 6",
                    MalformedMessageException.UNKNOWN_OFFSET);
            assertRejected(
                    chunkHeader(5, 0, 4, 10, 7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "invalid InstallSnapshotRequest: a snapshot has index >= 1",
                    MalformedMessageException.UNKNOWN_OFFSET);
            assertRejected(
                    chunkHeader(5, 100, 0, 10, 7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "invalid InstallSnapshotRequest: a snapshot has index >= 1",
                    MalformedMessageException.UNKNOWN_OFFSET);
            assertRejected(
                    snapshotAnswer(5, 0, 7, 0).toArray(),
                    "invalid InstallSnapshotResponse: snapshotIndex must be >= 1, was 0",
                    MalformedMessageException.UNKNOWN_OFFSET);
        }

        @Test
        void negativeNumbersAreRejectedWhereTheyStand() {
            assertRejected(
                    chunkHeader(5, Long.MIN_VALUE, 4, 10, 7, 0x01)
                            .i32(3)
                            .bytes(9, 8, 7)
                            .toArray(),
                    "snapshotIndex must be >= 0",
                    16);
            assertRejected(
                    chunkHeader(5, 100, -1, 10, 7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "snapshotTerm must be >= 0, was -1",
                    24);
            assertRejected(
                    chunkHeader(5, 100, 4, -10, 7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "totalBytes must be >= 0, was -10",
                    32);
            assertRejected(
                    chunkHeader(5, 100, 4, 10, -7, 0x01).i32(3).bytes(9, 8, 7).toArray(),
                    "offset must be >= 0, was -7",
                    40);
            assertRejected(snapshotAnswer(5, -1, 7, 0).toArray(), "snapshotIndex must be >= 0, was -1", 16);
            assertRejected(snapshotAnswer(5, 100, -7, 0).toArray(), "nextOffset must be >= 0, was -7", 24);
        }

        @Test
        void everyTruncationOfTheOneMebibyteChunkIsRejected() {
            byte[] encoded = bytesOf(MessageCodec.encode(oneMebibyteChunk()));
            // Every cut in the header and the first and last KiB of the data, and a stride between.
            for (int length = 0;
                    length < encoded.length;
                    length += length < 2048 || length > encoded.length - 1024 ? 1 : 4099) {
                ByteBuffer prefix = ByteBuffer.wrap(encoded, 0, length);
                int cut = length;
                assertThatExceptionOfType(MalformedMessageException.class)
                        .as("prefix of %d of %d bytes", cut, encoded.length)
                        .isThrownBy(() -> MessageCodec.decode(prefix))
                        .withMessageContaining("truncated");
                assertThat(prefix.position()).isZero();
            }
        }
    }

    @Nested
    class Encoding {
        /** A caller's encodedSize below the real one fails as documented and never writes past it. */
        @ParameterizedTest
        @MethodSource("io.raftlog.api.message.MessageCodecTest#samples")
        void anUnderstatedEncodedSizeFailsWithoutWritingPastIt(RaftMessage message) {
            int size = MessageCodec.encodedSize(message);
            // Every cut inside the prefix and the node ids, and a few near the end.
            java.util.stream.IntStream cuts = java.util.stream.IntStream.concat(
                    java.util.stream.IntStream.rangeClosed(0, Math.min(size - 1, 80)),
                    java.util.stream.IntStream.of(size - 8, size - 1));
            for (int understated : cuts.filter(cut -> cut >= 0).toArray()) {
                ByteBuffer target = ByteBuffer.allocateDirect(size + 16);
                assertThatExceptionOfType(IllegalStateException.class)
                        .as("%s with %d of %d bytes", message, understated, size)
                        .isThrownBy(() -> MessageCodec.encode(message, target, understated));
                for (int i = understated; i < target.capacity(); i++) {
                    assertThat(target.get(i)).as("byte %d of %s", i, message).isZero();
                }
                assertThat(target.limit()).isEqualTo(target.capacity());
            }
        }

        @Test
        void tooSmallTargetIsRejectedWithoutWritingAnything() {
            RaftMessage message = samples().get(0);
            int size = MessageCodec.encodedSize(message);
            ByteBuffer target = ByteBuffer.allocate(size + 2).position(3);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> MessageCodec.encode(message, target))
                    .withMessageContaining("needs " + size + " bytes")
                    .withMessageContaining("only " + (size - 1) + " remaining");
            assertThat(target.position()).isEqualTo(3);
            assertThat(target.array()).containsOnly(0);
        }

        @Test
        void readOnlyTargetIsRejected() {
            ByteBuffer target = ByteBuffer.allocate(1024).asReadOnlyBuffer();

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> MessageCodec.encode(samples().get(0), target))
                    .withMessageContaining("read-only");
            assertThat(target.position()).isZero();
        }

        @Test
        void convenienceEncodeReturnsAFlippedHeapBuffer() {
            RaftMessage message = samples().get(0);

            ByteBuffer encoded = MessageCodec.encode(message);

            assertThat(encoded.hasArray()).isTrue();
            assertThat(encoded.position()).isZero();
            assertThat(encoded.limit()).isEqualTo(MessageCodec.encodedSize(message));
        }
    }

    @Nested
    class Rejection {
        @ParameterizedTest
        @MethodSource("io.raftlog.api.message.MessageCodecTest#samplesAndLargeMessages")
        void everyTruncationIsRejected(RaftMessage message) {
            byte[] encoded = bytesOf(MessageCodec.encode(message));
            // Every prefix of the small messages; for the large ones, every prefix in the headers
            // and a stride through the bulk, which the prefix checks of one entry already cover.
            int stride = encoded.length > 4096 ? 997 : 1;
            for (int length = 0; length < encoded.length; length += length < 4096 ? 1 : stride) {
                ByteBuffer prefix = ByteBuffer.wrap(encoded, 0, length);
                int cut = length;
                assertThatExceptionOfType(MalformedMessageException.class)
                        .as("prefix of %d of %d bytes", cut, encoded.length)
                        .isThrownBy(() -> MessageCodec.decode(prefix))
                        .withMessageContaining("truncated");
                assertThat(prefix.position()).isZero();
            }
        }

        @Test
        void trailingByteIsRejected() {
            byte[] encoded = bytesOf(MessageCodec.encode(new TimeoutNow(A, B, 9)));
            byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);

            assertRejected(longer, "1 trailing byte(s) after a complete TimeoutNow", encoded.length);
        }

        @Test
        void emptyInputIsRejected() {
            assertRejected(new byte[0], "truncated: version", 0);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 2, 255})
        void otherVersionsAreRejected(int version) {
            byte[] encoded = bytesOf(MessageCodec.encode(new TimeoutNow(A, B, 9)));
            encoded[0] = (byte) version;

            assertRejected(encoded, "unsupported version " + version + " (this codec reads version 1)", 0);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 14, 128, 255})
        void unknownMessageTypesAreRejected(int type) {
            assertRejected(frame(type).id("n1").id("n2").i64(1).toArray(), "unknown message type " + type, 1);
        }

        @Test
        void unknownEntryTypeIsRejected() {
            byte[] bytes = appendOneEntry(11, 3, 9, 0).toArray();

            // version, type, two ids of 3 bytes, five longs, the count, the entry's index and term
            assertRejected(bytes, "unknown entry type 9 in entry 0", 2 + 3 + 3 + 40 + 4 + 16);
        }

        @Test
        void offsetsCountFromThePositionWhereDecodingStarted() {
            byte[] bad = appendOneEntry(11, 3, 9, 0).toArray();
            byte[] padded = new byte[bad.length + 7];
            System.arraycopy(bad, 0, padded, 7, bad.length);
            ByteBuffer source = ByteBuffer.wrap(padded).position(7);

            assertThatExceptionOfType(MalformedMessageException.class)
                    .isThrownBy(() -> MessageCodec.decode(source))
                    .satisfies(e -> assertThat(e.offset()).isEqualTo(68));
            assertThat(source.position()).isEqualTo(7);
        }

        @Test
        void negativeOrImpossibleEntryCountsAreRejectedBeforeAllocating() {
            assertRejected(appendHeader().i32(-1).toArray(), "negative entry count -1", 48);
            assertRejected(
                    appendHeader().i32(Integer.MAX_VALUE).toArray(),
                    "entry count 2147483647 needs at least 45097156587 bytes but only 0 remain",
                    48);
            assertRejected(
                    appendHeader().i32(2).i64(11).i64(3).u8(0).i32(0).toArray(),
                    "entry count 2 needs at least 42 bytes but only 21 remain",
                    48);
        }

        @Test
        void negativeOrImpossiblePayloadLengthsAreRejected() {
            assertRejected(appendOneEntry(11, 3, 0, -5).toArray(), "negative payload length -5 in entry 0", 69);
            assertRejected(
                    appendOneEntry(11, 3, 0, Integer.MAX_VALUE).bytes(1, 2, 3).toArray(),
                    "payload length 2147483647 in entry 0 exceeds the 3 bytes remaining",
                    69);
        }

        @Test
        void invalidNodeIdsAreRejected() {
            assertRejected(frame(5).u8(0).id("n2").i64(1).toArray(), "from id length 0 is outside 1..64", 2);
            assertRejected(
                    frame(5).id("n1").u8(65).bytes(new byte[65]).i64(1).toArray(),
                    "to id length 65 is outside 1..64",
                    5);
            assertRejected(frame(5).id("n1").id("n 2").i64(1).toArray(), "byte 0x20 in the to id", 7);
            assertRejected(frame(5).id("n1").u8(2).bytes('n', 0xc3).i64(1).toArray(), "byte 0xc3 in the to id", 7);
        }

        @Test
        void negativeNumbersAreRejectedWhereTheyStand() {
            assertRejected(frame(5).id("n1").id("n2").i64(-1).i64(0).toArray(), "term must be >= 0, was -1", 8);
            assertRejected(
                    frame(5).id("n1").id("n2").i64(1).i64(-3).toArray(), "lastLogIndex must be >= 0, was -3", 16);
            assertRejected(
                    frame(1).id("n1")
                            .id("n2")
                            .i64(1)
                            .i64(Long.MIN_VALUE)
                            .i64(0)
                            .u8(0)
                            .toArray(),
                    "lastLogIndex must be >= 0",
                    16);
            assertRejected(
                    frame(4).id("n1")
                            .id("n2")
                            .i64(1)
                            .u8(0)
                            .i64(5)
                            .i64(-2)
                            .i64(1)
                            .toArray(),
                    "hintIndex must be >= 0, was -2",
                    25);
        }

        @Test
        void unknownFlagBitsAreRejected() {
            assertRejected(
                    frame(1).id("n1").id("n2").i64(1).i64(0).i64(0).u8(0x04).toArray(),
                    "flags 0x04 set bits outside the known 0x03",
                    32);
            assertRejected(frame(2).id("n1").id("n2").i64(1).u8(0x80).toArray(), "flags 0x80", 16);
            assertRejected(
                    frame(4).id("n1")
                            .id("n2")
                            .i64(1)
                            .u8(0x02)
                            .i64(0)
                            .i64(0)
                            .i64(0)
                            .toArray(),
                    "flags 0x02 set bits outside the known 0x01",
                    16);
        }

        @Test
        void entriesTheRecordsRefuseAreRejected() {
            assertRejected(appendOneEntry(0, 3, 0, 0).toArray(), "invalid entry 0: entry index must be >= 1", 52);
            assertRejected(appendOneEntry(11, 0, 0, 0).toArray(), "invalid entry 0: entry term must be >= 1", 52);
            assertRejected(
                    appendOneEntry(12, 3, 0, 0).toArray(),
                    "invalid AppendEntriesRequest: entries must be consecutive from 11, found index 12",
                    MalformedMessageException.UNKNOWN_OFFSET);
            assertRejected(
                    appendOneEntry(11, 5, 0, 0).toArray(),
                    "invalid AppendEntriesRequest: entry 11 has term 5 above the leader's term 4",
                    MalformedMessageException.UNKNOWN_OFFSET);
        }
    }

    @Nested
    class Fuzzing {
        private static final int CASES = 100_000;

        @Test
        void randomGarbageIsDecodedOrRejectedAsMalformed() {
            long seed = seed(0x5eed_6a7ba6eL);
            Random random = new Random(seed);
            for (int i = 0; i < CASES; i++) {
                byte[] input = new byte[random.nextInt(4) == 0 ? random.nextInt(8) : random.nextInt(160)];
                random.nextBytes(input);
                // Pure garbage rarely gets past the version, type and node id checks, so two
                // thirds of the cases start with a valid version and type, half of those with
                // valid ids too, and leave the rest to chance.
                int validPrefix = random.nextInt(3);
                if (validPrefix >= 1 && input.length >= 2) {
                    input[0] = MessageCodec.VERSION;
                    input[1] = (byte) (1 + random.nextInt(13)); // every type, ReadIndexResponse (13) included
                }
                if (validPrefix == 2 && input.length >= 8) {
                    System.arraycopy(new byte[] {2, 'n', '1', 2, 'n', '2'}, 0, input, 2, 6);
                }
                checkDecodeOrMalformed(input, "seed " + seed + ", case " + i);
            }
        }

        @Test
        void mutatedEncodingsAreDecodedOrRejectedAsMalformed() {
            long seed = seed(0x6d75_7461_7465L);
            Random random = new Random(seed);
            List<byte[]> corpus =
                    samples().stream().map(m -> bytesOf(MessageCodec.encode(m))).toList();
            for (int i = 0; i < CASES; i++) {
                byte[] input = corpus.get(random.nextInt(corpus.size()));
                int mutations = 1 + random.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    input = mutate(input, random);
                }
                checkDecodeOrMalformed(input, "seed " + seed + ", case " + i);
            }
        }

        /** The seed from {@code -Draftlog.codec.seed=...} to replay a failure, or a fixed default. */
        private long seed(long fixed) {
            return Long.getLong("raftlog.codec.seed", fixed);
        }

        private byte[] mutate(byte[] input, Random random) {
            int at = input.length == 0 ? 0 : random.nextInt(input.length);
            switch (random.nextInt(4)) {
                case 0 -> {
                    if (input.length > 0) {
                        input = input.clone();
                        input[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (input.length > 0) {
                        input = input.clone();
                        input[at] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> {
                    byte[] longer = new byte[input.length + 1];
                    System.arraycopy(input, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(input, at, longer, at + 1, input.length - at);
                    input = longer;
                }
                default -> {
                    if (input.length > 0) {
                        byte[] shorter = new byte[input.length - 1];
                        System.arraycopy(input, 0, shorter, 0, at);
                        System.arraycopy(input, at + 1, shorter, at, input.length - at - 1);
                        input = shorter;
                    }
                }
            }
            return input;
        }

        /**
         * Decoding must either fail with MalformedMessageException, leaving the position alone, or
         * succeed on the whole input, which is then its message's one canonical encoding.
         */
        private void checkDecodeOrMalformed(byte[] input, String context) {
            ByteBuffer source = ByteBuffer.wrap(input);
            RaftMessage decoded;
            try {
                decoded = MessageCodec.decode(source);
            } catch (MalformedMessageException expected) {
                if (source.position() != 0) {
                    fail(context + ": position moved to " + source.position() + " on failure; input " + hex(input));
                }
                return;
            } catch (Throwable e) {
                throw new AssertionError(
                        context + ": " + e + " instead of MalformedMessageException for input " + hex(input), e);
            }
            if (source.hasRemaining()) {
                fail(context + ": decode left " + source.remaining() + " bytes of input " + hex(input));
            }
            byte[] reencoded = bytesOf(MessageCodec.encode(decoded));
            if (!Arrays.equals(reencoded, input)) {
                fail(context + ": " + decoded + " decoded from " + hex(input) + " re-encodes as " + hex(reencoded));
            }
        }
    }

    // ---- helpers ----

    private static RaftMessage roundTrip(RaftMessage message) {
        return MessageCodec.decode(MessageCodec.encode(message));
    }

    private static void assertRejected(byte[] input, String problem, int offset) {
        ByteBuffer source = ByteBuffer.wrap(input);
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() -> MessageCodec.decode(source))
                .withMessageContaining(problem)
                .satisfies(e -> assertThat(e.offset())
                        .as("offset of: %s", e.getMessage())
                        .isEqualTo(offset));
        assertThat(source.position()).as("position after a failed decode").isZero();
    }

    /** Entries of every type, with empty and non-empty payloads; the first payload is "hello". */
    private static AppendEntriesRequest fourEntries() {
        return new AppendEntriesRequest(
                A,
                B,
                4,
                10,
                3,
                List.of(
                        LogEntry.data(11, 3, Bytes.ofUtf8("hello")),
                        new LogEntry(12, 4, EntryType.NOOP, Bytes.EMPTY),
                        new LogEntry(13, 4, EntryType.CONFIGURATION, Bytes.ofUtf8("n1,n2,n3")),
                        LogEntry.data(14, 4, Bytes.EMPTY)),
                12);
    }

    private static AppendEntriesRequest heartbeat(long term, long prevLogIndex, long prevLogTerm, long commit) {
        return new AppendEntriesRequest(A, B, term, prevLogIndex, prevLogTerm, List.of(), commit);
    }

    private static AppendEntriesRequest manyEntries(int count, int payloadBytes) {
        List<LogEntry> entries = new ArrayList<>();
        EntryType[] types = EntryType.values();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[i % (payloadBytes + 1)];
            Arrays.fill(payload, (byte) i);
            entries.add(new LogEntry(101 + i, 1 + i / 100, types[i % types.length], Bytes.copyOf(payload)));
        }
        return new AppendEntriesRequest(A, B, 10, 100, 1, entries, 150);
    }

    private static AppendEntriesRequest oneMebibytePayload() {
        byte[] payload = new byte[1 << 20];
        new Random(1).nextBytes(payload);
        return new AppendEntriesRequest(A, B, 2, 0, 0, List.of(LogEntry.data(1, 2, Bytes.copyOf(payload))), 0);
    }

    /** A 1 MiB chunk from the middle of a 32 MiB snapshot, seeded random bytes. */
    private static InstallSnapshotRequest oneMebibyteChunk() {
        byte[] data = new byte[1 << 20];
        new Random(2).nextBytes(data);
        return new InstallSnapshotRequest(A, B, 9, 5_000, 8, 32L << 20, 5L << 20, Bytes.copyOf(data), false);
    }

    /** An InstallSnapshotRequest from n1 to n2, up to its data length. */
    private static Frame chunkHeader(long term, long index, long snapshotTerm, long total, long offset, int flags) {
        return frame(6).id("n1")
                .id("n2")
                .i64(term)
                .i64(index)
                .i64(snapshotTerm)
                .i64(total)
                .i64(offset)
                .u8(flags);
    }

    /** An InstallSnapshotResponse from n1 to n2. */
    private static Frame snapshotAnswer(long term, long index, long nextOffset, int flags) {
        return frame(11).id("n1").id("n2").i64(term).i64(index).i64(nextOffset).u8(flags);
    }

    /** An AppendEntriesRequest from n1 to n2 in term 4 after (10, 3), committed to 12, read context 0, up to its entry count. */
    private static Frame appendHeader() {
        return frame(3).id("n1").id("n2").i64(4).i64(10).i64(3).i64(12).i64(0);
    }

    private static Frame appendOneEntry(long index, long term, int typeCode, int payloadLength) {
        return appendHeader().i32(1).i64(index).i64(term).u8(typeCode).i32(payloadLength);
    }

    private static Frame frame(int type) {
        return new Frame().u8(MessageCodec.VERSION).u8(type);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Writes frames by hand, big-endian, independently of the codec under test. */
    private static final class Frame {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Frame u8(int value) {
            return write(() -> out.writeByte(value));
        }

        Frame i32(int value) {
            return write(() -> out.writeInt(value));
        }

        Frame i64(long value) {
            return write(() -> out.writeLong(value));
        }

        Frame id(String id) {
            byte[] ascii = id.getBytes(StandardCharsets.US_ASCII);
            return u8(ascii.length).bytes(ascii);
        }

        Frame bytes(byte[] values) {
            return write(() -> out.write(values));
        }

        Frame bytes(int... values) {
            for (int value : values) {
                u8(value);
            }
            return this;
        }

        byte[] toArray() {
            return bytes.toByteArray();
        }

        private Frame write(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
