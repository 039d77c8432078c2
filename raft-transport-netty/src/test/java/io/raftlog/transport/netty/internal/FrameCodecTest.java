package io.raftlog.transport.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftlog.api.Bytes;
import io.raftlog.api.CommittedRecord;
import io.raftlog.api.Membership;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.api.ReadConsistency;
import io.raftlog.api.Role;
import io.raftlog.api.message.AppendEntriesRequest;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.message.VoteRequest;
import io.raftlog.transport.netty.internal.ErrorResponse.Code;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** FrameEncoder and FrameDecoder on EmbeddedChannel: every frame kind, split reads, every rejection. */
class FrameCodecTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final int MAX = 64 * 1024;
    /** A status whose every log field differs from the others, with a problem before the log. */
    private static final NodeStatus STATUS_WITH_LOG = new NodeStatus(
                    A,
                    Role.FOLLOWER,
                    4,
                    Optional.of(B),
                    30,
                    31,
                    Map.of(),
                    NodeStatus.Health.STORAGE_FAILING,
                    Optional.of("disk full"))
            .withLog(new NodeStatus.Log(15, 4096, 20, 2048, 1_700_000_000_123L, 2, 1));
    /** That status with a configuration not committed yet, a learner at an IPv6 address among its members. */
    private static final NodeStatus.Configuration PENDING = new NodeStatus.Configuration(
            Membership.ofVoters(List.of(A, B)).withAddress(A, "127.0.0.1:7001").withLearner(C, "[::1]:7003"),
            42,
            false);

    private static final NodeStatus STATUS_WITH_CONFIGURATION = STATUS_WITH_LOG.withConfiguration(PENDING);

    private final EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX));

    @AfterEach
    void finish() {
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    static Stream<Frame> everyKindOfFrame() {
        return Stream.of(
                Hello.peer("cluster-1", A, B),
                Hello.client("clüster ✓"),
                new HelloAccepted(B),
                new HelloRejected(HelloRejected.Reason.WRONG_CLUSTER, "cluster id 'x' does not match"),
                RaftFrame.of(new VoteRequest(A, B, 7, 100, 6, true, false)),
                RaftFrame.of(new AppendEntriesRequest(
                        A,
                        B,
                        3,
                        9,
                        2,
                        List.of(LogEntry.data(10, 3, Bytes.ofUtf8("ten")), LogEntry.data(11, 3, Bytes.EMPTY)),
                        8)),
                new AppendRequest(1, -42, 7, List.of(Bytes.ofUtf8("a"), Bytes.EMPTY, Bytes.copyOf(new byte[300]))),
                ReadRequest.of(2, 5, 100, 250, ReadConsistency.COMMITTED),
                ReadRequest.of(2, 5, 100, 250, ReadConsistency.LINEARIZABLE),
                new ReadRequest(2, 5, 100, 250, 0xff), // the node judges the consistency, not the decoder
                new StatusRequest(3),
                new ReadIndexRequest(8),
                new MembershipRequest(9, MembershipRequest.Op.GET, Optional.empty(), ""),
                new MembershipRequest(9, MembershipRequest.Op.ADD_LEARNER, Optional.of(B), "127.0.0.1:7004"),
                new MembershipRequest(9, MembershipRequest.Op.TRANSFER_LEADERSHIP, Optional.of(A), ""),
                new DeleteRecordsRequest(6, 15),
                new DeleteRecordsRequest(6, -1), // the node judges the offset, not the decoder
                new AppendResponse(1, List.of(12L, 13L, 14L)),
                new ReadResponse(
                        2, List.of(new CommittedRecord(5, Bytes.ofUtf8("five")), new CommittedRecord(7, Bytes.EMPTY))),
                new ReadResponse(2, List.of()),
                new StatusResponse(3, new NodeStatus(A, Role.LEADER, 4, Optional.of(A), 10, 12, Map.of(A, 12L, B, 9L))),
                new StatusResponse(3, new NodeStatus(B, Role.PRE_CANDIDATE, 4, Optional.empty(), 0, 0, Map.of())),
                new StatusResponse(3, STATUS_WITH_LOG),
                new StatusResponse(3, STATUS_WITH_CONFIGURATION),
                new StatusResponse(
                        3,
                        new NodeStatus(B, Role.FOLLOWER, 1, Optional.empty(), 0, 0, Map.of())
                                .withConfiguration(
                                        new NodeStatus.Configuration(Membership.ofVoters(List.of(A, B)), 0, true))),
                new DeleteRecordsResponse(6, 15),
                new ReadIndexResponse(8, 0),
                new ReadIndexResponse(8, 2_500),
                new MembershipResponse(
                        9, io.raftlog.api.Membership.ofVoters(List.of(A)).withLearner(B, "h:1"), Optional.of(A)),
                new MembershipResponse(9, io.raftlog.api.Membership.ofVoters(List.of(A, B)), Optional.empty()),
                ErrorResponse.of(9, Code.MEMBERSHIP_REFUSED, "one change at a time"),
                new ErrorResponse(
                        4,
                        Code.NOT_LEADER,
                        Optional.of(B),
                        Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 7001)),
                        "not the leader"),
                ErrorResponse.of(5, Code.OVERLOADED, "too much"),
                ErrorResponse.offsetOutOfRange(7, new ErrorResponse.LogBounds(15, 30), "offset 10 is out of range"),
                ErrorResponse.offsetOutOfRange(7, new ErrorResponse.LogBounds(1, 0), ""));
    }

    @ParameterizedTest
    @MethodSource("everyKindOfFrame")
    void everyFrameSurvivesTheRoundTrip(Frame frame) {
        ByteBuf encoded = encode(frame);
        assertThat(encoded.readableBytes()).isEqualTo(Integer.BYTES + frame.frameLength());
        assertThat(encoded.getInt(0)).isEqualTo(frame.frameLength());
        assertThat(encoded.getUnsignedByte(4)).isEqualTo((short) Frame.VERSION);

        decoder.writeInbound(encoded);
        Frame decoded = decoder.readInbound();
        if (frame instanceof ErrorResponse error && error.leaderAddress().isPresent()) {
            ErrorResponse back = (ErrorResponse) decoded;
            assertThat(back.leaderAddress().orElseThrow().getHostString()).isEqualTo("127.0.0.1");
            assertThat(back.leaderAddress().orElseThrow().getPort()).isEqualTo(7001);
            assertThat(back.leader()).isEqualTo(error.leader());
        } else {
            assertThat(decoded).isEqualTo(frame);
        }
        assertThat((Object) decoder.readInbound()).isNull();
    }

    @Test
    void framesSplitAcrossReadsAndJoinedInOneReadAreDecoded() {
        List<Frame> frames =
                everyKindOfFrame().filter(f -> !(f instanceof ErrorResponse)).toList();
        ByteBuf all = Unpooled.buffer();
        for (Frame frame : frames) {
            ByteBuf encoded = encode(frame);
            all.writeBytes(encoded);
            encoded.release();
        }
        // First half one byte at a time, the rest in a single read.
        int half = all.readableBytes() / 2;
        for (int i = 0; i < half; i++) {
            decoder.writeInbound(all.readRetainedSlice(1));
        }
        decoder.writeInbound(all.readRetainedSlice(all.readableBytes()));
        all.release();

        for (Frame frame : frames) {
            assertThat((Frame) decoder.readInbound()).isEqualTo(frame);
        }
    }

    @Test
    void anOversizeFrameIsRefusedAsSoonAsItsLengthArrives() {
        ByteBuf header = Unpooled.buffer().writeInt(MAX + 1); // no body follows: it is never buffered
        assertThatThrownBy(() -> decoder.writeInbound(header))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("frame length " + (MAX + 1) + " exceeds the maximum of " + MAX + " bytes");
        // Whatever follows on the doomed connection is discarded, not decoded.
        decoder.writeInbound(encode(new StatusRequest(1)));
        assertThat((Object) decoder.readInbound()).isNull();
    }

    @Test
    void aFrameTooShortForItsHeaderIsRefused() {
        assertThatThrownBy(
                        () -> decoder.writeInbound(Unpooled.buffer().writeInt(1).writeByte(1)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame length 1 is too small");
    }

    @Test
    void aWrongVersionIsRefused() {
        ByteBuf frame = encode(new StatusRequest(1));
        frame.setByte(4, 9);
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unsupported protocol version 9 (this node speaks version 1)");
    }

    @Test
    void anUnknownKindIsRefused() {
        ByteBuf frame = encode(new StatusRequest(1));
        frame.setByte(5, 99);
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown frame kind 99");
    }

    @Test
    void aMalformedRaftMessageIsRefusedWithTheCodecsReason() {
        ByteBuf frame = encode(RaftFrame.of(new VoteRequest(A, B, 7, 100, 6, false, false)));
        frame.setByte(Frame.HEADER_BYTES, 2); // the raft-api codec's own version byte
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("malformed raft message: unsupported version 2");
    }

    @Test
    void trailingBytesAfterABodyAreRefused() {
        byte[] body = {0, 0, 0, 0, 0, 0, 0, 1, 99};
        ByteBuf frame = Unpooled.buffer()
                .writeInt(2 + body.length)
                .writeByte(Frame.VERSION)
                .writeByte(Frame.KIND_STATUS_REQUEST)
                .writeBytes(body);
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("1 trailing byte(s) after a complete StatusRequest");
    }

    @Test
    void aCountLargerThanTheBodyIsRefusedBeforeAllocating() {
        ByteBuf frame = Unpooled.buffer()
                .writeInt(2 + 24 + 4)
                .writeByte(Frame.VERSION)
                .writeByte(Frame.KIND_APPEND_REQUEST)
                .writeLong(1)
                .writeLong(2)
                .writeLong(3)
                .writeInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("record count 2147483647 needs at least");
    }

    @Test
    void anInvalidNodeIdIsRefused() {
        byte[] bytes = RawBytes.of(Hello.peer("c", A, B));
        bytes[bytes.length - 1] = '!'; // the last byte of the target id
        assertThatThrownBy(() -> decoder.writeInbound(Unpooled.wrappedBuffer(bytes)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid to id");
    }

    // ---- the log start offset: deletions, out-of-range errors, the log in the status -------------

    @Test
    void aStatusResponseCarriesEveryFieldOfTheLogAfterTheProblem() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_LOG));
        ByteBuf log = Unpooled.wrappedBuffer(body, body.length - StatusResponse.LOG_BYTES, StatusResponse.LOG_BYTES);
        assertThat(List.of(
                        log.readLong(),
                        log.readLong(),
                        log.readLong(),
                        log.readLong(),
                        log.readLong(),
                        log.readLong(),
                        log.readLong()))
                .containsExactly(15L, 4096L, 20L, 2048L, 1_700_000_000_123L, 2L, 1L);
    }

    @Test
    void aStatusResponseWithoutItsLogIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_LOG));
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, body.length - StatusResponse.LOG_BYTES),
                "truncated: log start offset needs 8 byte(s) but only 0 remain");
    }

    @Test
    void aStatusResponseWithATruncatedLogIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_LOG));
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, body.length - 3),
                "truncated: snapshots received needs 8 byte(s) but only 5 remain");
    }

    @Test
    void aStatusResponseWithAByteAfterItsLogIsRefusedAsATruncatedConfiguration() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_LOG));
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, body.length + 1),
                "truncated: configuration index needs 8 byte(s) but only 1 remain");
    }

    // ---- the configuration in the status ---------------------------------------------------------

    @Test
    void aStatusResponseCarriesItsConfigurationAfterTheLog() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        byte[] membership = PENDING.membership().encode().toByteArray();
        int start = bodyOf(new StatusResponse(3, STATUS_WITH_LOG)).length;
        assertThat(body).hasSize(start + StatusResponse.CONFIGURATION_HEADER_BYTES + membership.length);
        ByteBuf configuration = Unpooled.wrappedBuffer(body, start, body.length - start);
        assertThat(configuration.readLong()).as("index").isEqualTo(42);
        assertThat(configuration.readUnsignedByte()).as("committed").isEqualTo((short) 0);
        assertThat(configuration.readInt()).as("membership length").isEqualTo(membership.length);
        assertThat(ByteBufUtil.getBytes(configuration))
                .as("the membership as a CONFIGURATION entry holds it")
                .isEqualTo(membership);
    }

    @Test
    void aStatusResponseThatEndsAfterItsLogHasNoConfigurationAsAnOlderNodeSendsIt() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        byte[] older = Arrays.copyOf(body, bodyOf(new StatusResponse(3, STATUS_WITH_LOG)).length);

        decoder.writeInbound(frame(Frame.KIND_STATUS_RESPONSE, older));
        StatusResponse decoded = decoder.readInbound();

        assertThat(decoded.status().configuration()).isEmpty();
        assertThat(decoded.status()).isEqualTo(STATUS_WITH_LOG);
    }

    @Test
    void aStatusResponseWithATruncatedConfigurationIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        int membership = PENDING.membership().encode().size();
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, body.length - 3),
                "truncated: membership needs " + membership + " byte(s) but only " + (membership - 3) + " remain");
    }

    @Test
    void aStatusResponseWhoseConfigurationEndsAfterItsIndexIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, committedOffset(body)),
                "truncated: configuration committed needs 1 byte(s) but only 0 remain");
    }

    @Test
    void aStatusResponseWithBytesAfterItsConfigurationIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                Arrays.copyOf(body, body.length + 1),
                "1 trailing byte(s) after a complete StatusResponse");
    }

    @Test
    void aConfigurationCommittedFlagOtherThanZeroOrOneIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        body[committedOffset(body)] = 2;
        assertRefused(Frame.KIND_STATUS_RESPONSE, body, "configuration committed must be 0 or 1, was 2");
    }

    @Test
    void aConfigurationWhoseMembershipDoesNotDecodeIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        body[committedOffset(body) + 1 + Integer.BYTES] = 9; // the membership's format version
        assertRefused(Frame.KIND_STATUS_RESPONSE, body, "invalid configuration: unknown membership format version 9");
    }

    @Test
    void anUncommittedBootstrapConfigurationIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_CONFIGURATION));
        Unpooled.wrappedBuffer(body).setLong(committedOffset(body) - Long.BYTES, 0);
        assertRefused(
                Frame.KIND_STATUS_RESPONSE,
                body,
                "invalid configuration: the bootstrap membership (index 0) is committed by definition");
    }

    /** Where the committed flag of {@link #PENDING} is in a body of {@link #STATUS_WITH_CONFIGURATION}. */
    private static int committedOffset(byte[] body) {
        return body.length - PENDING.membership().encode().size() - Integer.BYTES - 1;
    }

    @Test
    void aStatusResponseWithALogStartBelowOneIsRefused() {
        byte[] body = bodyOf(new StatusResponse(3, STATUS_WITH_LOG));
        Unpooled.wrappedBuffer(body).setLong(body.length - StatusResponse.LOG_BYTES, 0);
        assertRefused(Frame.KIND_STATUS_RESPONSE, body, "log start offset must be >= 1, was 0");
    }

    @Test
    void anOutOfRangeErrorWithoutItsBoundsIsRefused() {
        byte[] body = bodyOf(ErrorResponse.offsetOutOfRange(7, new ErrorResponse.LogBounds(15, 30), "gone"));
        assertRefused(
                Frame.KIND_ERROR_RESPONSE,
                Arrays.copyOf(body, body.length - 2 * Long.BYTES),
                "truncated: log start offset needs 8 byte(s) but only 0 remain");
    }

    @Test
    void anOutOfRangeErrorWithHalfItsBoundsIsRefused() {
        byte[] body = bodyOf(ErrorResponse.offsetOutOfRange(7, new ErrorResponse.LogBounds(15, 30), "gone"));
        assertRefused(
                Frame.KIND_ERROR_RESPONSE,
                Arrays.copyOf(body, body.length - Long.BYTES),
                "truncated: high watermark needs 8 byte(s) but only 0 remain");
    }

    @Test
    void anOutOfRangeErrorWithImpossibleBoundsIsRefused() {
        byte[] body = bodyOf(ErrorResponse.offsetOutOfRange(7, new ErrorResponse.LogBounds(15, 30), "gone"));
        Unpooled.wrappedBuffer(body).setLong(body.length - 2 * Long.BYTES, 0);
        assertRefused(
                Frame.KIND_ERROR_RESPONSE,
                body,
                "an out-of-range error needs log start offset >= 1 and high watermark >= 0, got 0 and 30");
    }

    @Test
    void boundsAfterAnErrorOfAnotherCodeAreTrailingBytes() {
        byte[] body = bodyOf(ErrorResponse.of(5, Code.MALFORMED, "bad"));
        assertRefused(
                Frame.KIND_ERROR_RESPONSE,
                Arrays.copyOf(body, body.length + 2 * Long.BYTES),
                "16 trailing byte(s) after a complete ErrorResponse");
    }

    @Test
    void anUnknownErrorCodeIsRefused() {
        byte[] body = bodyOf(ErrorResponse.of(5, Code.MALFORMED, "bad"));
        body[Long.BYTES] = 99; // the code byte, after the request id
        assertRefused(Frame.KIND_ERROR_RESPONSE, body, "unknown error code 99");
    }

    @Test
    void boundsGoWithTheOutOfRangeCodeAndOnlyWithIt() {
        ErrorResponse.LogBounds bounds = new ErrorResponse.LogBounds(15, 30);
        assertThatThrownBy(() -> new ErrorResponse(
                        1, Code.INTERNAL, Optional.empty(), Optional.empty(), "x", Optional.of(bounds)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErrorResponse.of(1, Code.OFFSET_OUT_OF_RANGE, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorResponse.LogBounds(0, 30)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorResponse.LogBounds(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDeleteRecordsRequestOfTheWrongSizeIsRefused() {
        byte[] body = bodyOf(new DeleteRecordsRequest(6, 15));
        assertRefused(
                Frame.KIND_DELETE_RECORDS_REQUEST,
                Arrays.copyOf(body, body.length - 1),
                "truncated: offset needs 8 byte(s) but only 7 remain");
    }

    @Test
    void aDeleteRecordsRequestWithTrailingBytesIsRefused() {
        byte[] body = bodyOf(new DeleteRecordsRequest(6, 15));
        assertRefused(
                Frame.KIND_DELETE_RECORDS_REQUEST,
                Arrays.copyOf(body, body.length + 1),
                "1 trailing byte(s) after a complete DeleteRecordsRequest");
    }

    @Test
    void aDeleteRecordsResponseWithALogStartBelowOneIsRefused() {
        byte[] body = bodyOf(new DeleteRecordsResponse(6, 15));
        Unpooled.wrappedBuffer(body).setLong(Long.BYTES, 0);
        assertRefused(Frame.KIND_DELETE_RECORDS_RESPONSE, body, "log start offset must be >= 1, was 0");
    }

    @Test
    void aTruncatedDeleteRecordsResponseIsRefused() {
        byte[] body = bodyOf(new DeleteRecordsResponse(6, 15));
        assertRefused(
                Frame.KIND_DELETE_RECORDS_RESPONSE,
                Arrays.copyOf(body, Long.BYTES),
                "truncated: log start offset needs 8 byte(s) but only 0 remain");
    }

    // ---- linearizable reads: the read's consistency, the read index ------------------------------

    @Test
    void aReadRequestCarriesItsConsistencyInItsLastByte() {
        assertThat(bodyOf(ReadRequest.of(2, 5, 100, 250, ReadConsistency.COMMITTED)))
                .endsWith(ReadRequest.COMMITTED);
        assertThat(bodyOf(ReadRequest.of(2, 5, 100, 250, ReadConsistency.LINEARIZABLE)))
                .endsWith(ReadRequest.LINEARIZABLE);
        for (ReadConsistency consistency : ReadConsistency.values()) {
            assertThat(ReadRequest.of(1, 1, 1, 0, consistency).consistency()).isEqualTo(consistency);
        }
    }

    @Test
    void aReadRequestWithoutItsConsistencyIsRefused() {
        byte[] body = bodyOf(ReadRequest.of(2, 5, 100, 250, ReadConsistency.LINEARIZABLE));
        assertRefused(
                Frame.KIND_READ_REQUEST,
                Arrays.copyOf(body, body.length - 1),
                "truncated: read consistency needs 1 byte(s) but only 0 remain");
    }

    @Test
    void aReadRequestWithBytesAfterItsConsistencyIsRefused() {
        byte[] body = bodyOf(ReadRequest.of(2, 5, 100, 250, ReadConsistency.LINEARIZABLE));
        assertRefused(
                Frame.KIND_READ_REQUEST,
                Arrays.copyOf(body, body.length + 1),
                "1 trailing byte(s) after a complete ReadRequest");
    }

    @Test
    void anUnknownConsistencyDecodesAndSaysWhatTheNodeKnowsWhenAskedFor() {
        byte[] body = bodyOf(ReadRequest.of(2, 5, 100, 250, ReadConsistency.LINEARIZABLE));
        body[body.length - 1] = 7;
        ReadRequest decoded =
                (ReadRequest) FrameDecoder.decodeBody(Frame.KIND_READ_REQUEST, Unpooled.wrappedBuffer(body));

        assertThat(decoded.consistencyCode()).isEqualTo(7);
        assertThatThrownBy(decoded::consistency)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown read consistency 7 (this node knows 0 for COMMITTED and 1 for LINEARIZABLE)");
        assertThatThrownBy(() -> new ReadRequest(2, 5, 100, 250, 256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTruncatedReadIndexRequestIsRefused() {
        byte[] body = bodyOf(new ReadIndexRequest(8));
        assertRefused(
                Frame.KIND_READ_INDEX_REQUEST,
                Arrays.copyOf(body, body.length - 1),
                "truncated: request id needs 8 byte(s) but only 7 remain");
    }

    @Test
    void aReadIndexRequestWithTrailingBytesIsRefused() {
        byte[] body = bodyOf(new ReadIndexRequest(8));
        assertRefused(
                Frame.KIND_READ_INDEX_REQUEST,
                Arrays.copyOf(body, body.length + 1),
                "1 trailing byte(s) after a complete ReadIndexRequest");
    }

    @Test
    void aReadIndexResponseWithANegativeIndexIsRefused() {
        byte[] body = bodyOf(new ReadIndexResponse(8, 2_500));
        Unpooled.wrappedBuffer(body).setLong(Long.BYTES, -1);
        assertRefused(Frame.KIND_READ_INDEX_RESPONSE, body, "a read index must be >= 0, was -1");
    }

    @Test
    void aTruncatedReadIndexResponseIsRefused() {
        byte[] body = bodyOf(new ReadIndexResponse(8, 2_500));
        assertRefused(
                Frame.KIND_READ_INDEX_RESPONSE,
                Arrays.copyOf(body, Long.BYTES + 3),
                "truncated: read index needs 8 byte(s) but only 3 remain");
    }

    /** A frame of {@code kind} around {@code body} is refused with {@code reason}, and what follows is discarded. */
    private void assertRefused(int kind, byte[] body, String reason) {
        ByteBuf frame = frame(kind, body);
        assertThatThrownBy(() -> decoder.writeInbound(frame))
                .isInstanceOf(ProtocolException.class)
                .hasMessage(reason);
        decoder.writeInbound(encode(new StatusRequest(1)));
        assertThat((Object) decoder.readInbound()).isNull();
    }

    /** A frame of {@code kind} around {@code body}, which may be anything. */
    private static ByteBuf frame(int kind, byte[] body) {
        return Unpooled.buffer()
                .writeInt(2 + body.length)
                .writeByte(Frame.VERSION)
                .writeByte(kind)
                .writeBytes(body);
    }

    private static byte[] bodyOf(Frame frame) {
        byte[] bytes = RawBytes.of(frame);
        return Arrays.copyOfRange(bytes, Frame.HEADER_BYTES, bytes.length);
    }

    private ByteBuf encode(Frame frame) {
        assertThat(encoder.writeOutbound(frame)).isTrue();
        return encoder.readOutbound();
    }

    /** Frames as byte arrays, for tests that corrupt them. */
    static final class RawBytes {
        static byte[] of(Frame frame) {
            ByteBuf buffer = Unpooled.buffer();
            FrameEncoder.write(frame, buffer);
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            buffer.release();
            return bytes;
        }
    }

    @Test
    void aMembershipRequestThatNamesNoNodeForAChangeIsRefused() {
        byte[] body = bodyOf(new MembershipRequest(9, MembershipRequest.Op.GET, Optional.empty(), ""));
        body[Long.BYTES] = 3; // REMOVE, with no node
        assertRefused(Frame.KIND_MEMBERSHIP_REQUEST, body, "invalid MembershipRequest: REMOVE must name a node");
    }

    @Test
    void anUnknownMembershipOperationIsRefused() {
        byte[] body = bodyOf(new MembershipRequest(9, MembershipRequest.Op.GET, Optional.empty(), ""));
        body[Long.BYTES] = 9;
        assertRefused(Frame.KIND_MEMBERSHIP_REQUEST, body, "unknown membership operation 9");
    }
}
