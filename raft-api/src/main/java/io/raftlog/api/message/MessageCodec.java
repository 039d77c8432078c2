package io.raftlog.api.message;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The versioned binary encoding of {@link RaftMessage}s, used on the wire.
 *
 * <h2>Format (version {@value #VERSION})</h2>
 *
 * <p>All integers are big-endian, whatever the order set on the buffer. A node id is its length
 * as an unsigned byte (1 to 64) followed by that many ASCII bytes from {@code [A-Za-z0-9._-]}.
 * Every message starts with the same prefix:
 *
 * <pre>
 * version u8 (= 1) | type u8 | from id | to id | term i64
 * </pre>
 *
 * followed by the fields of its type:
 *
 * <pre>
 * 1 VoteRequest            lastLogIndex i64 | lastLogTerm i64 | flags u8 (0x01 preVote, 0x02 leadershipTransfer)
 * 2 VoteResponse           flags u8 (0x01 granted, 0x02 preVote)
 * 3 AppendEntriesRequest   prevLogIndex i64 | prevLogTerm i64 | leaderCommit i64 | readContext i64
 *                          | entry count i32 | entries
 *                          where each entry is: index i64 | term i64 | type u8 ({@link EntryType#code()})
 *                                               | payload length i32 | payload bytes
 * 4 AppendEntriesResponse  flags u8 (0x01 success) | index i64 | hintIndex i64 | hintTerm i64
 *                          | readContext i64
 * 5 TimeoutNow             lastLogIndex i64 (0: not given)
 * 6 InstallSnapshotRequest snapshotIndex i64 | snapshotTerm i64 | totalBytes i64 | offset i64 | flags u8 (0x01 last)
 *                          | data length i32 | data bytes
 * 7 IdentityRequest        storeId i64 | generation i64 | boot count u8 (1 to 16) | boots i64 each
 *                          | flags u8 (0x01 rejoining, 0x02 takes part) | storeTerm i64
 *                          | storeLastIndex i64
 * 8 IdentityResponse       flags u8 (0x01 accepted, 0x02 answers a rejoining start, 0x04 tells a membership)
 *                          | boot i64 | reason length u16 (at most 1,024) | reason UTF-8 | with 0x04: membership
 *                          index i64 | voter count u16 (1 to 1,024) | voter ids
 * 9 RepairRequest          index i64
 * 10 RepairResponse        flags u8 (0x01 damaged) | index i64 | entry count i32 (0, 1 or 2) | entries as in
 *                          AppendEntriesRequest
 * 11 InstallSnapshotResponse snapshotIndex i64 | nextOffset i64 | flags u8 (0x01 refused)
 * 12 ReadIndexRequest      requestId i64
 * 13 ReadIndexResponse     requestId i64 | index i64 | flags u8 (0x01 granted)
 * </pre>
 *
 * <p>The encoding is canonical: flag bits not listed above must be zero, so a message has
 * exactly one encoding and {@code encode(decode(bytes))} gives back {@code bytes}. A message
 * carries no length prefix and no checksum; framing and integrity belong to the transport.
 *
 * <h2>Contract</h2>
 *
 * <p>{@link #decode} consumes exactly the remaining bytes of its buffer: one frame, one message.
 * It rejects anything that is not a valid encoding — truncated input, trailing bytes, an unknown
 * version, message type or entry type, negative or oversized counts and lengths, invalid node
 * ids, set reserved flag bits, and values the message records refuse (negative terms,
 * non-consecutive entries, an entry term above the message term, an index below 1, a snapshot
 * chunk that does not fit its snapshot or whose last flag disagrees with where it ends…) — with a
 * {@link MalformedMessageException} and never any other exception. Counts and lengths are checked
 * against the bytes remaining before anything is allocated for them, so a corrupt frame cannot
 * make the decoder allocate more than the frame's own size. Payloads are copied out of the
 * source buffer, which the caller may reuse or release as soon as {@code decode} returns.
 *
 * <h2>Threading and allocation</h2>
 *
 * <p>Every method may be called from any thread at once, as long as each call gets its own
 * buffer (a {@link ByteBuffer} is not thread-safe). A call changes nothing on its buffer but the
 * position; the byte order is restored before it returns. Besides the decoded records and payload
 * copies, the codec allocates nothing on its hot path (messages between ids in the cache below).
 *
 * <p>The codec has no instances and keeps no state per call or per buffer, but it shares one cache
 * across the process (one per class loader): the first 64 distinct node ids it encodes or decodes,
 * each with its ASCII bytes, so a cluster's few member ids are matched and written without a new
 * string and {@link NodeId} per message. The cache is bounded at 64 ids of at most 64 bytes (a few
 * KiB) and never evicts: once it is full, other ids take the slow path every time (validated byte
 * by byte to decode, their bytes built anew to encode), with the same result. The cache changes
 * speed only, never what is encoded or decoded, except that a decoded message may share its
 * {@code NodeId} instances (immutable) with earlier ones. It is lock-free: readers see an
 * immutable array through a volatile field and a new id publishes a copy one longer; when two
 * threads add ids at once one addition may be lost, and that id is added the next time it is met.
 */
public final class MessageCodec {
    /** The format version this codec writes, and the only one it reads. */
    public static final int VERSION = 1;

    private static final int TYPE_VOTE_REQUEST = 1;
    private static final int TYPE_VOTE_RESPONSE = 2;
    private static final int TYPE_APPEND_ENTRIES_REQUEST = 3;
    private static final int TYPE_APPEND_ENTRIES_RESPONSE = 4;
    private static final int TYPE_TIMEOUT_NOW = 5;
    private static final int TYPE_INSTALL_SNAPSHOT_REQUEST = 6;
    private static final int TYPE_IDENTITY_REQUEST = 7;
    private static final int TYPE_IDENTITY_RESPONSE = 8;
    private static final int TYPE_REPAIR_REQUEST = 9;
    private static final int TYPE_REPAIR_RESPONSE = 10;
    private static final int TYPE_INSTALL_SNAPSHOT_RESPONSE = 11;
    private static final int TYPE_READ_INDEX_REQUEST = 12;
    private static final int TYPE_READ_INDEX_RESPONSE = 13;
    private static final int READ_INDEX_GRANTED = 0x01;
    private static final int IDENTITY_REJOINING = 0x01;
    private static final int IDENTITY_TAKES_PART = 0x02;
    private static final int IDENTITY_REPLACES = 0x04;
    private static final int IDENTITY_ACCEPTED = 0x01;
    private static final int IDENTITY_ANSWERS_REJOINING = 0x02;
    private static final int IDENTITY_TELLS_MEMBERSHIP = 0x04;
    private static final int IDENTITY_TELLS_PREVIOUS_STORE = 0x08;
    private static final int REPAIR_DAMAGED = 0x01;
    private static final int SNAPSHOT_LAST = 0x01;
    private static final int SNAPSHOT_REFUSED = 0x01;
    private static final int MAX_REASON_BYTES = 1024;

    private static final int VOTE_PRE_VOTE = 0x01;
    private static final int VOTE_LEADERSHIP_TRANSFER = 0x02;
    private static final int RESPONSE_GRANTED = 0x01;
    private static final int RESPONSE_PRE_VOTE = 0x02;
    private static final int APPEND_SUCCESS = 0x01;

    private static final String[] TYPE_NAMES = {
        null,
        "VoteRequest",
        "VoteResponse",
        "AppendEntriesRequest",
        "AppendEntriesResponse",
        "TimeoutNow",
        "InstallSnapshotRequest",
        "IdentityRequest",
        "IdentityResponse",
        "RepairRequest",
        "RepairResponse",
        "InstallSnapshotResponse",
        "ReadIndexRequest",
        "ReadIndexResponse",
    };

    private static final int MAX_NODE_ID_BYTES = NodeId.MAX_LENGTH;
    private static final int TYPE_OFFSET = 1;
    /** version, type, term; the two node ids come on top. */
    private static final int PREFIX_BYTES = 1 + 1 + Long.BYTES;
    /** index, term, type code, payload length. */
    private static final int ENTRY_HEADER_BYTES = Long.BYTES + Long.BYTES + 1 + Integer.BYTES;

    /** Entry types by code; EntryType.fromCode would clone values() on every call. */
    private static final EntryType[] ENTRY_TYPES = new EntryType[256];

    static {
        for (EntryType type : EntryType.values()) {
            ENTRY_TYPES[type.code()] = type;
        }
    }

    private MessageCodec() {}

    /**
     * The exact number of bytes {@link #encode(RaftMessage, ByteBuffer)} writes for {@code message}.
     *
     * @throws IllegalArgumentException if the encoding would exceed {@link Integer#MAX_VALUE} bytes
     */
    public static int encodedSize(RaftMessage message) {
        Objects.requireNonNull(message, "message");
        long size = PREFIX_BYTES + nodeIdSize(message.from()) + nodeIdSize(message.to());
        if (message instanceof VoteRequest) {
            size += Long.BYTES + Long.BYTES + 1;
        } else if (message instanceof VoteResponse) {
            size += 1;
        } else if (message instanceof AppendEntriesRequest request) {
            size += Long.BYTES * 4 + Integer.BYTES;
            List<LogEntry> entries = request.entries();
            for (int i = 0; i < entries.size(); i++) {
                size += ENTRY_HEADER_BYTES + (long) entries.get(i).payload().size();
            }
        } else if (message instanceof AppendEntriesResponse) {
            size += 1 + Long.BYTES * 4;
        } else if (message instanceof IdentityRequest identity) {
            size += Long.BYTES * 4 + 1 + 1 + Long.BYTES * identity.boots().size();
            if (!identity.replaces().isEmpty()) {
                size += 1 + Long.BYTES * identity.replaces().size();
            }
        } else if (message instanceof IdentityResponse response) {
            size += 1 + Long.BYTES + 2 + response.reason().getBytes(StandardCharsets.UTF_8).length;
            if (!response.voters().isEmpty()) {
                size += Long.BYTES + 2;
                for (NodeId voter : response.voters()) {
                    size += nodeIdSize(voter);
                }
            }
            if (response.previousStore() != 0) {
                size += Long.BYTES;
            }
        } else if (message instanceof RepairRequest) {
            size += Long.BYTES;
        } else if (message instanceof RepairResponse response) {
            size += 1 + Long.BYTES + Integer.BYTES;
            for (LogEntry entry : response.entries()) {
                size += ENTRY_HEADER_BYTES + (long) entry.payload().size();
            }
        } else if (message instanceof InstallSnapshotRequest chunk) {
            // In long arithmetic: a chunk near 2 GiB must fail the size check below, not wrap around.
            size += Long.BYTES * 4 + 1 + Integer.BYTES + (long) chunk.data().size();
        } else if (message instanceof InstallSnapshotResponse) {
            size += Long.BYTES * 2 + 1;
        } else if (message instanceof ReadIndexRequest) {
            size += Long.BYTES;
        } else if (message instanceof ReadIndexResponse) {
            size += Long.BYTES * 2 + 1;
        } else if (message instanceof TimeoutNow) {
            size += Long.BYTES;
        } else {
            throw unsupported(message);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a " + message.getClass().getSimpleName() + " of " + size + " bytes is too large to encode");
        }
        return (int) size;
    }

    /**
     * Writes {@code message} at {@code target}'s position, advancing it by
     * {@link #encodedSize(RaftMessage)} bytes.
     *
     * @throws IllegalArgumentException if {@code target} is read-only or has fewer bytes remaining
     *                                  than the encoding needs; nothing is written then
     */
    public static void encode(RaftMessage message, ByteBuffer target) {
        int size = encodedSize(message);
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("cannot encode into a read-only buffer");
        }
        if (target.remaining() < size) {
            throw new IllegalArgumentException(
                    "the encoded " + message.getClass().getSimpleName() + " needs " + size
                            + " bytes but the target buffer has only " + target.remaining() + " remaining");
        }
        write(message, target, size);
    }

    /**
     * Like {@link #encode(RaftMessage, ByteBuffer)} for a caller that has already computed
     * {@code encodedSize} with {@link #encodedSize(RaftMessage)}: the message is not sized again.
     *
     * @throws IllegalArgumentException if {@code target} is read-only or has fewer than
     *                                  {@code encodedSize} bytes remaining; nothing is written then
     * @throws IllegalStateException    if {@code encodedSize} is not the message's encoded size
     */
    public static void encode(RaftMessage message, ByteBuffer target, int encodedSize) {
        Objects.requireNonNull(message, "message");
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("cannot encode into a read-only buffer");
        }
        if (encodedSize < 0 || target.remaining() < encodedSize) {
            throw new IllegalArgumentException(
                    "the encoded " + message.getClass().getSimpleName() + " needs " + encodedSize
                            + " bytes but the target buffer has only " + target.remaining() + " remaining");
        }
        int limit = target.limit();
        // Bounded to the promised size, so a wrong size cannot write past it.
        target.limit(target.position() + encodedSize);
        try {
            write(message, target, encodedSize);
        } catch (java.nio.BufferOverflowException | IndexOutOfBoundsException e) {
            throw new IllegalStateException(
                    "a " + message.getClass().getSimpleName() + " does not fit the " + encodedSize
                            + " bytes given as its encoded size",
                    e);
        } finally {
            target.limit(limit);
        }
    }

    /** Encodes {@code message} into a new heap buffer, flipped: position 0, limit the encoded size. */
    public static ByteBuffer encode(RaftMessage message) {
        int size = encodedSize(message);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        write(message, buffer, size);
        return buffer.flip();
    }

    /**
     * Decodes the remaining bytes of {@code source} as exactly one message. On success the
     * position is at the limit; on failure it is where it was.
     *
     * @throws MalformedMessageException if the bytes are not a valid encoding (see the class
     *                                   documentation); its offset counts from the position at call
     */
    public static RaftMessage decode(ByteBuffer source) {
        int start = source.position();
        ByteOrder order = source.order();
        source.order(ByteOrder.BIG_ENDIAN);
        try {
            RaftMessage message = read(source, start);
            if (source.hasRemaining()) {
                throw new MalformedMessageException(
                        source.remaining() + " trailing byte(s) after a complete "
                                + message.getClass().getSimpleName(),
                        source.position() - start);
            }
            return message;
        } catch (RuntimeException e) {
            source.position(start);
            throw e;
        } finally {
            source.order(order);
        }
    }

    // ---- encoding ----

    private static void write(RaftMessage message, ByteBuffer target, int size) {
        int start = target.position();
        ByteOrder order = target.order();
        target.order(ByteOrder.BIG_ENDIAN);
        try {
            writeFields(message, target);
        } finally {
            target.order(order);
        }
        if (target.position() - start != size) {
            throw new IllegalStateException("wrote " + (target.position() - start) + " bytes for a "
                    + message.getClass().getSimpleName() + " whose encoded size is " + size);
        }
    }

    private static void writeFields(RaftMessage message, ByteBuffer target) {
        if (message instanceof VoteRequest vote) {
            writePrefix(target, TYPE_VOTE_REQUEST, vote);
            target.putLong(vote.lastLogIndex()).putLong(vote.lastLogTerm());
            target.put((byte) ((vote.preVote() ? VOTE_PRE_VOTE : 0)
                    | (vote.leadershipTransfer() ? VOTE_LEADERSHIP_TRANSFER : 0)));
        } else if (message instanceof VoteResponse response) {
            writePrefix(target, TYPE_VOTE_RESPONSE, response);
            target.put((byte)
                    ((response.granted() ? RESPONSE_GRANTED : 0) | (response.preVote() ? RESPONSE_PRE_VOTE : 0)));
        } else if (message instanceof AppendEntriesRequest append) {
            writePrefix(target, TYPE_APPEND_ENTRIES_REQUEST, append);
            target.putLong(append.prevLogIndex()).putLong(append.prevLogTerm()).putLong(append.leaderCommit());
            target.putLong(append.readContext());
            List<LogEntry> entries = append.entries();
            target.putInt(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                LogEntry entry = entries.get(i);
                target.putLong(entry.index()).putLong(entry.term()).put((byte)
                        entry.type().code());
                target.putInt(entry.payload().size());
                entry.payload().copyTo(target);
            }
        } else if (message instanceof AppendEntriesResponse response) {
            writePrefix(target, TYPE_APPEND_ENTRIES_RESPONSE, response);
            target.put((byte) (response.success() ? APPEND_SUCCESS : 0));
            target.putLong(response.index()).putLong(response.hintIndex()).putLong(response.hintTerm());
            target.putLong(response.readContext());
        } else if (message instanceof TimeoutNow timeoutNow) {
            writePrefix(target, TYPE_TIMEOUT_NOW, timeoutNow);
            target.putLong(timeoutNow.lastLogIndex());
        } else if (message instanceof IdentityRequest identity) {
            writePrefix(target, TYPE_IDENTITY_REQUEST, identity);
            target.putLong(identity.storeId()).putLong(identity.generation());
            target.put((byte) identity.boots().size());
            for (long boot : identity.boots()) {
                target.putLong(boot);
            }
            target.put((byte) ((identity.rejoining() ? IDENTITY_REJOINING : 0)
                    | (identity.takesPart() ? IDENTITY_TAKES_PART : 0)
                    | (identity.replaces().isEmpty() ? 0 : IDENTITY_REPLACES)));
            target.putLong(identity.storeTerm()).putLong(identity.storeLastIndex());
            if (!identity.replaces().isEmpty()) {
                target.put((byte) identity.replaces().size());
                for (long replaced : identity.replaces()) {
                    target.putLong(replaced);
                }
            }
        } else if (message instanceof IdentityResponse response) {
            writePrefix(target, TYPE_IDENTITY_RESPONSE, response);
            target.put((byte) ((response.accepted() ? IDENTITY_ACCEPTED : 0)
                    | (response.rejoining() ? IDENTITY_ANSWERS_REJOINING : 0)
                    | (response.voters().isEmpty() ? 0 : IDENTITY_TELLS_MEMBERSHIP)
                    | (response.previousStore() == 0 ? 0 : IDENTITY_TELLS_PREVIOUS_STORE)));
            target.putLong(response.boot());
            byte[] reason = response.reason().getBytes(StandardCharsets.UTF_8);
            target.putShort((short) reason.length).put(reason);
            if (!response.voters().isEmpty()) {
                target.putLong(response.membershipIndex())
                        .putShort((short) response.voters().size());
                for (NodeId voter : response.voters()) {
                    writeNodeId(target, voter);
                }
            }
            if (response.previousStore() != 0) {
                target.putLong(response.previousStore());
            }
        } else if (message instanceof RepairRequest repair) {
            writePrefix(target, TYPE_REPAIR_REQUEST, repair);
            target.putLong(repair.index());
        } else if (message instanceof RepairResponse repair) {
            writePrefix(target, TYPE_REPAIR_RESPONSE, repair);
            target.put((byte) (repair.damaged() ? REPAIR_DAMAGED : 0));
            target.putLong(repair.index());
            target.putInt(repair.entries().size());
            for (LogEntry entry : repair.entries()) {
                target.putLong(entry.index()).putLong(entry.term()).put((byte)
                        entry.type().code());
                target.putInt(entry.payload().size());
                entry.payload().copyTo(target);
            }
        } else if (message instanceof InstallSnapshotRequest chunk) {
            writePrefix(target, TYPE_INSTALL_SNAPSHOT_REQUEST, chunk);
            target.putLong(chunk.snapshotIndex()).putLong(chunk.snapshotTerm());
            target.putLong(chunk.totalBytes()).putLong(chunk.offset());
            target.put((byte) (chunk.last() ? SNAPSHOT_LAST : 0));
            target.putInt(chunk.data().size());
            chunk.data().copyTo(target);
        } else if (message instanceof InstallSnapshotResponse response) {
            writePrefix(target, TYPE_INSTALL_SNAPSHOT_RESPONSE, response);
            target.putLong(response.snapshotIndex()).putLong(response.nextOffset());
            target.put((byte) (response.refused() ? SNAPSHOT_REFUSED : 0));
        } else if (message instanceof ReadIndexRequest request) {
            writePrefix(target, TYPE_READ_INDEX_REQUEST, request);
            target.putLong(request.requestId());
        } else if (message instanceof ReadIndexResponse response) {
            writePrefix(target, TYPE_READ_INDEX_RESPONSE, response);
            target.putLong(response.requestId()).putLong(response.index());
            target.put((byte) (response.granted() ? READ_INDEX_GRANTED : 0));
        } else {
            throw unsupported(message);
        }
    }

    private static void writePrefix(ByteBuffer target, int type, RaftMessage message) {
        target.put((byte) VERSION).put((byte) type);
        writeNodeId(target, message.from());
        writeNodeId(target, message.to());
        target.putLong(message.term());
    }

    private static void writeNodeId(ByteBuffer target, NodeId id) {
        // NodeId guarantees 1 to 64 ASCII characters, so each char is one byte.
        KnownNodeIds.write(target, id);
    }

    private static int nodeIdSize(NodeId id) {
        return 1 + id.value().length();
    }

    private static IllegalStateException unsupported(RaftMessage message) {
        // Unreachable while the sealed RaftMessage and this class agree; a new permitted type lands here.
        return new IllegalStateException("no encoding for " + message.getClass().getName());
    }

    // ---- decoding: every read checks what remains first, so no buffer exception escapes ----

    private static RaftMessage read(ByteBuffer in, int start) {
        int version = readUnsignedByte(in, start, "version");
        if (version != VERSION) {
            throw new MalformedMessageException(
                    "unsupported version " + version + " (this codec reads version " + VERSION + ")", 0);
        }
        int type = readUnsignedByte(in, start, "message type");
        if (type < TYPE_VOTE_REQUEST || type > TYPE_READ_INDEX_RESPONSE) {
            throw new MalformedMessageException("unknown message type " + type, TYPE_OFFSET);
        }
        NodeId from = readNodeId(in, start, "from");
        NodeId to = readNodeId(in, start, "to");
        long term = readNonNegativeLong(in, start, "term");
        try {
            return switch (type) {
                case TYPE_VOTE_REQUEST -> readVoteRequest(in, start, from, to, term);
                case TYPE_VOTE_RESPONSE -> readVoteResponse(in, start, from, to, term);
                case TYPE_APPEND_ENTRIES_REQUEST -> readAppendEntriesRequest(in, start, from, to, term);
                case TYPE_APPEND_ENTRIES_RESPONSE -> readAppendEntriesResponse(in, start, from, to, term);
                case TYPE_IDENTITY_REQUEST -> readIdentityRequest(in, start, from, to, term);
                case TYPE_IDENTITY_RESPONSE -> readIdentityResponse(in, start, from, to, term);
                case TYPE_REPAIR_REQUEST -> new RepairRequest(from, to, term, readNonNegativeLong(in, start, "index"));
                case TYPE_REPAIR_RESPONSE -> readRepairResponse(in, start, from, to, term);
                case TYPE_INSTALL_SNAPSHOT_REQUEST -> readInstallSnapshotRequest(in, start, from, to, term);
                case TYPE_INSTALL_SNAPSHOT_RESPONSE -> readInstallSnapshotResponse(in, start, from, to, term);
                case TYPE_READ_INDEX_REQUEST ->
                    new ReadIndexRequest(from, to, term, readNonNegativeLong(in, start, "requestId"));
                case TYPE_READ_INDEX_RESPONSE -> readReadIndexResponse(in, start, from, to, term);
                default -> new TimeoutNow(from, to, term, readNonNegativeLong(in, start, "lastLogIndex"));
            };
        } catch (IllegalArgumentException e) {
            // A record constructor refused the decoded values (our own checks throw MalformedMessageException).
            throw new MalformedMessageException("invalid " + TYPE_NAMES[type] + ": " + e.getMessage(), e);
        }
    }

    private static VoteRequest readVoteRequest(ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long lastLogIndex = readNonNegativeLong(in, start, "lastLogIndex");
        long lastLogTerm = readNonNegativeLong(in, start, "lastLogTerm");
        int flags = readFlags(in, start, VOTE_PRE_VOTE | VOTE_LEADERSHIP_TRANSFER);
        return new VoteRequest(
                from,
                to,
                term,
                lastLogIndex,
                lastLogTerm,
                (flags & VOTE_PRE_VOTE) != 0,
                (flags & VOTE_LEADERSHIP_TRANSFER) != 0);
    }

    private static VoteResponse readVoteResponse(ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        int flags = readFlags(in, start, RESPONSE_GRANTED | RESPONSE_PRE_VOTE);
        return new VoteResponse(from, to, term, (flags & RESPONSE_GRANTED) != 0, (flags & RESPONSE_PRE_VOTE) != 0);
    }

    private static AppendEntriesRequest readAppendEntriesRequest(
            ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long prevLogIndex = readNonNegativeLong(in, start, "prevLogIndex");
        long prevLogTerm = readNonNegativeLong(in, start, "prevLogTerm");
        long leaderCommit = readNonNegativeLong(in, start, "leaderCommit");
        long readContext = readNonNegativeLong(in, start, "readContext");
        List<LogEntry> entries = readEntries(in, start);
        return new AppendEntriesRequest(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, readContext);
    }

    private static AppendEntriesResponse readAppendEntriesResponse(
            ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        boolean success = readFlags(in, start, APPEND_SUCCESS) != 0;
        long index = readNonNegativeLong(in, start, "index");
        long hintIndex = readNonNegativeLong(in, start, "hintIndex");
        long hintTerm = readNonNegativeLong(in, start, "hintTerm");
        long readContext = readNonNegativeLong(in, start, "readContext");
        return new AppendEntriesResponse(from, to, term, success, index, hintIndex, hintTerm, readContext);
    }

    private static ReadIndexResponse readReadIndexResponse(
            ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long requestId = readNonNegativeLong(in, start, "requestId");
        long index = readNonNegativeLong(in, start, "index");
        boolean granted = readFlags(in, start, READ_INDEX_GRANTED) != 0;
        return new ReadIndexResponse(from, to, term, requestId, index, granted);
    }

    private static RepairResponse readRepairResponse(ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        boolean damaged = readFlags(in, start, REPAIR_DAMAGED) != 0;
        long index = readNonNegativeLong(in, start, "index");
        return new RepairResponse(from, to, term, index, readEntries(in, start), damaged);
    }

    private static InstallSnapshotRequest readInstallSnapshotRequest(
            ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long snapshotIndex = readNonNegativeLong(in, start, "snapshotIndex");
        long snapshotTerm = readNonNegativeLong(in, start, "snapshotTerm");
        long totalBytes = readNonNegativeLong(in, start, "totalBytes");
        long offset = readNonNegativeLong(in, start, "offset");
        boolean last = readFlags(in, start, SNAPSHOT_LAST) != 0;
        int lengthOffset = in.position() - start;
        int length = readInt(in, start, "data length");
        if (length < 0) {
            throw new MalformedMessageException("negative data length " + length, lengthOffset);
        }
        if (length > in.remaining()) {
            throw new MalformedMessageException(
                    "truncated or corrupt: data length " + length + " exceeds the " + in.remaining()
                            + " bytes remaining",
                    lengthOffset);
        }
        // Subtracted, not added: offset + length could overflow past the check the record makes.
        if (offset > totalBytes || length > totalBytes - offset) {
            throw new MalformedMessageException(
                    "a chunk of " + length + " bytes at offset " + offset + " does not fit a snapshot of " + totalBytes
                            + " bytes",
                    lengthOffset);
        }
        Bytes data = readPayload(in, length);
        return new InstallSnapshotRequest(from, to, term, snapshotIndex, snapshotTerm, totalBytes, offset, data, last);
    }

    private static InstallSnapshotResponse readInstallSnapshotResponse(
            ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long snapshotIndex = readNonNegativeLong(in, start, "snapshotIndex");
        long nextOffset = readNonNegativeLong(in, start, "nextOffset");
        boolean refused = readFlags(in, start, SNAPSHOT_REFUSED) != 0;
        return new InstallSnapshotResponse(from, to, term, snapshotIndex, nextOffset, refused);
    }

    private static IdentityRequest readIdentityRequest(ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        long storeId = readLong(in, start, "storeId");
        long generation = readNonNegativeLong(in, start, "generation");
        int countOffset = in.position() - start;
        int count = readUnsignedByte(in, start, "boot count");
        if (count < 1 || count > IdentityRequest.MAX_BOOTS) {
            throw new MalformedMessageException(
                    "boot count " + count + " is outside 1 to " + IdentityRequest.MAX_BOOTS, countOffset);
        }
        List<Long> boots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boots.add(readLong(in, start, "boot"));
        }
        int flags = readFlags(in, start, IDENTITY_REJOINING | IDENTITY_TAKES_PART | IDENTITY_REPLACES);
        long storeTerm = readNonNegativeLong(in, start, "storeTerm");
        long storeLastIndex = readNonNegativeLong(in, start, "storeLastIndex");
        List<Long> replaces = List.of();
        if ((flags & IDENTITY_REPLACES) != 0) {
            int replacesOffset = in.position() - start;
            if (in.remaining() < 1) {
                throw new MalformedMessageException("truncated: no replaced store count", replacesOffset);
            }
            int replacedCount = Byte.toUnsignedInt(in.get());
            if (replacedCount < 1 || replacedCount > IdentityRequest.MAX_REPLACES) {
                throw new MalformedMessageException(
                        "replaced store count " + replacedCount + " is outside 1 to " + IdentityRequest.MAX_REPLACES,
                        replacesOffset);
            }
            List<Long> read = new ArrayList<>(replacedCount);
            for (int i = 0; i < replacedCount; i++) {
                read.add(readLong(in, start, "replaced store"));
            }
            replaces = read;
        }
        return new IdentityRequest(
                from,
                to,
                term,
                storeId,
                generation,
                boots,
                (flags & IDENTITY_REJOINING) != 0,
                storeTerm,
                storeLastIndex,
                (flags & IDENTITY_TAKES_PART) != 0,
                replaces);
    }

    private static IdentityResponse readIdentityResponse(ByteBuffer in, int start, NodeId from, NodeId to, long term) {
        int flags = readFlags(
                in,
                start,
                IDENTITY_ACCEPTED
                        | IDENTITY_ANSWERS_REJOINING
                        | IDENTITY_TELLS_MEMBERSHIP
                        | IDENTITY_TELLS_PREVIOUS_STORE);
        boolean accepted = (flags & IDENTITY_ACCEPTED) != 0;
        long boot = readLong(in, start, "boot");
        int lengthOffset = in.position() - start;
        if (in.remaining() < 2) {
            throw new MalformedMessageException("truncated: no reason length", lengthOffset);
        }
        int length = Short.toUnsignedInt(in.getShort());
        if (length > MAX_REASON_BYTES) {
            throw new MalformedMessageException(
                    "reason length " + length + " exceeds " + MAX_REASON_BYTES + " bytes", lengthOffset);
        }
        if (length > in.remaining()) {
            throw new MalformedMessageException(
                    "truncated or corrupt: reason length " + length + " exceeds the " + in.remaining()
                            + " bytes remaining",
                    lengthOffset);
        }
        byte[] reason = new byte[length];
        in.get(reason);
        String text;
        try {
            // Strict: bytes that are not UTF-8 are refused, so the encoding stays canonical.
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(reason))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedMessageException("reason is not valid UTF-8", lengthOffset + 2);
        }
        if (text.length() > IdentityResponse.MAX_REASON_CHARS) {
            throw new MalformedMessageException(
                    "reason of " + text.length() + " characters exceeds " + IdentityResponse.MAX_REASON_CHARS,
                    lengthOffset + 2);
        }
        long membershipIndex = 0;
        List<NodeId> voters = List.of();
        if ((flags & IDENTITY_TELLS_MEMBERSHIP) != 0) {
            int indexOffset = in.position() - start;
            membershipIndex = readLong(in, start, "membership index");
            if (membershipIndex < 0) {
                throw new MalformedMessageException("negative membership index " + membershipIndex, indexOffset);
            }
            int countOffset = in.position() - start;
            if (in.remaining() < 2) {
                throw new MalformedMessageException("truncated: no voter count", countOffset);
            }
            int count = Short.toUnsignedInt(in.getShort());
            if (count < 1 || count > IdentityResponse.MAX_VOTERS) {
                throw new MalformedMessageException(
                        "voter count " + count + " is outside 1.." + IdentityResponse.MAX_VOTERS, countOffset);
            }
            if (count * 2L > in.remaining()) {
                throw new MalformedMessageException(
                        "truncated or corrupt: " + count + " voters cannot fit the " + in.remaining()
                                + " bytes remaining",
                        countOffset);
            }
            List<NodeId> read = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                NodeId voter = readNodeId(in, start, "voter");
                if (read.contains(voter)) {
                    throw new MalformedMessageException("voter " + voter + " is listed twice", countOffset);
                }
                read.add(voter);
            }
            voters = read;
        }
        long previousStore = 0;
        if ((flags & IDENTITY_TELLS_PREVIOUS_STORE) != 0) {
            int previousOffset = in.position() - start;
            previousStore = readLong(in, start, "previous store");
            if (previousStore == 0) {
                throw new MalformedMessageException("previous store flagged but 0", previousOffset);
            }
        }
        return new IdentityResponse(
                from,
                to,
                term,
                accepted,
                boot,
                (flags & IDENTITY_ANSWERS_REJOINING) != 0,
                text,
                membershipIndex,
                voters,
                previousStore);
    }

    private static List<LogEntry> readEntries(ByteBuffer in, int start) {
        int countOffset = in.position() - start;
        int count = readInt(in, start, "entry count");
        if (count < 0) {
            throw new MalformedMessageException("negative entry count " + count, countOffset);
        }
        if (count == 0) {
            return List.of();
        }
        // Checked before allocating, so a garbage count cannot ask for a huge array.
        long minimumBytes = (long) count * ENTRY_HEADER_BYTES;
        if (minimumBytes > in.remaining()) {
            throw new MalformedMessageException(
                    "truncated or corrupt: entry count " + count + " needs at least " + minimumBytes
                            + " bytes but only " + in.remaining() + " remain",
                    countOffset);
        }
        if (count == 1) {
            return List.of(readEntry(in, start, 0)); // the common case of a small batch: no array
        }
        LogEntry[] entries = new LogEntry[count];
        for (int i = 0; i < count; i++) {
            entries[i] = readEntry(in, start, i);
        }
        // An immutable list, so the record's List.copyOf keeps it instead of copying again.
        return List.of(entries);
    }

    private static LogEntry readEntry(ByteBuffer in, int start, int position) {
        int entryOffset = in.position() - start;
        long index = readLong(in, start, "entry index");
        long term = readLong(in, start, "entry term");
        int typeOffset = in.position() - start;
        int code = readUnsignedByte(in, start, "entry type");
        EntryType type = ENTRY_TYPES[code];
        if (type == null) {
            throw new MalformedMessageException("unknown entry type " + code + " in entry " + position, typeOffset);
        }
        int lengthOffset = in.position() - start;
        int length = readInt(in, start, "payload length");
        if (length < 0) {
            throw new MalformedMessageException(
                    "negative payload length " + length + " in entry " + position, lengthOffset);
        }
        if (length > in.remaining()) {
            throw new MalformedMessageException(
                    "truncated or corrupt: payload length " + length + " in entry " + position + " exceeds the "
                            + in.remaining() + " bytes remaining",
                    lengthOffset);
        }
        Bytes payload = readPayload(in, length);
        try {
            return new LogEntry(index, term, type, payload);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("invalid entry " + position + ": " + e.getMessage(), entryOffset, e);
        }
    }

    /** Copies {@code length} bytes (already checked to remain) into a new {@link Bytes}. */
    private static Bytes readPayload(ByteBuffer in, int length) {
        if (length == 0) {
            return Bytes.EMPTY;
        }
        int end = in.position() + length;
        if (in.isDirect()) {
            // Copied straight into an array this codec owns: no view of the direct buffer is made.
            byte[] copy = new byte[length];
            in.get(in.position(), copy);
            in.position(end);
            return Bytes.wrap(copy);
        }
        if (in.hasArray()) {
            // One copy of the range, and no duplicate of the source buffer.
            Bytes payload = Bytes.copyOf(in.array(), in.arrayOffset() + in.position(), length);
            in.position(end);
            return payload;
        }
        // Bytes.copyOf copies what remains: narrow the limit rather than allocate a slice.
        int limit = in.limit();
        in.limit(end);
        try {
            return Bytes.copyOf(in);
        } finally {
            in.limit(limit);
            in.position(end);
        }
    }

    private static NodeId readNodeId(ByteBuffer in, int start, String field) {
        // Twice per message: kept small enough to inline, everything else is in readNewNodeId.
        int at = in.position();
        int available = in.limit() - at - 1;
        if (available >= 0) {
            int length = in.get(at) & 0xff;
            if (length >= 1 && length <= available) { // length <= MAX_NODE_ID_BYTES once known
                NodeId known = KnownNodeIds.find(in, at + 1, length);
                if (known != null) {
                    in.position(at + 1 + length);
                    return known;
                }
            }
        }
        return readNewNodeId(in, start, field);
    }

    /** An id the codec has not met yet, or a malformed one: checked byte by byte, with labelled errors. */
    private static NodeId readNewNodeId(ByteBuffer in, int start, String field) {
        int lengthOffset = in.position() - start;
        if (!in.hasRemaining()) {
            throw new MalformedMessageException(
                    "truncated: " + field + " id length needs 1 byte but none remain", lengthOffset);
        }
        int length = in.get() & 0xff;
        if (length < 1 || length > MAX_NODE_ID_BYTES) {
            throw new MalformedMessageException(
                    field + " id length " + length + " is outside 1.." + MAX_NODE_ID_BYTES, lengthOffset);
        }
        if (in.remaining() < length) {
            throw new MalformedMessageException(
                    "truncated: " + field + " id needs " + length + " bytes but only " + in.remaining() + " remain",
                    lengthOffset + 1);
        }
        int first = in.position();
        for (int i = first; i < first + length; i++) {
            byte b = in.get(i);
            if (!isNodeIdByte(b)) {
                throw new MalformedMessageException(
                        String.format(
                                "byte 0x%02x in the %s id is not one of " + "A-Z, a-z, 0-9, '.', '_', '-'",
                                b & 0xff, field),
                        i - start);
            }
        }
        String value;
        if (in.hasArray()) {
            value = new String(in.array(), in.arrayOffset() + first, length, StandardCharsets.US_ASCII);
        } else {
            byte[] ascii = new byte[length];
            in.get(first, ascii);
            value = new String(ascii, StandardCharsets.US_ASCII);
        }
        in.position(first + length);
        try {
            return KnownNodeIds.remember(new NodeId(value));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("invalid " + field + " id: " + e.getMessage(), lengthOffset, e);
        }
    }

    private static boolean isNodeIdByte(byte b) {
        return (b >= 'a' && b <= 'z')
                || (b >= 'A' && b <= 'Z')
                || (b >= '0' && b <= '9')
                || b == '.'
                || b == '_'
                || b == '-';
    }

    private static int readFlags(ByteBuffer in, int start, int known) {
        int offset = in.position() - start;
        int flags = readUnsignedByte(in, start, "flags");
        if ((flags & ~known) != 0) {
            throw new MalformedMessageException(
                    String.format("flags 0x%02x set bits outside the known 0x%02x", flags, known), offset);
        }
        return flags;
    }

    private static long readNonNegativeLong(ByteBuffer in, int start, String field) {
        int offset = in.position() - start;
        long value = readLong(in, start, field);
        if (value < 0) {
            throw new MalformedMessageException(field + " must be >= 0, was " + value, offset);
        }
        return value;
    }

    private static long readLong(ByteBuffer in, int start, String field) {
        require(in, start, Long.BYTES, field);
        return in.getLong();
    }

    private static int readInt(ByteBuffer in, int start, String field) {
        require(in, start, Integer.BYTES, field);
        return in.getInt();
    }

    private static int readUnsignedByte(ByteBuffer in, int start, String field) {
        require(in, start, 1, field);
        return in.get() & 0xff;
    }

    private static void require(ByteBuffer in, int start, int bytes, String field) {
        if (in.remaining() < bytes) {
            throw new MalformedMessageException(
                    "truncated: " + field + " needs " + bytes + " byte(s) but only " + in.remaining() + " remain",
                    in.position() - start);
        }
    }
}
