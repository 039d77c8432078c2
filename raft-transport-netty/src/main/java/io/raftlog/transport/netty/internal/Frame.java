package io.raftlog.transport.netty.internal;

import io.netty.buffer.ByteBuf;

/**
 * One frame of the raftlog wire protocol (internal: the format may change between versions).
 *
 * <h2>Framing (version {@value #VERSION})</h2>
 *
 * <pre>
 * length i32 (bytes that follow, at most the configured maximum frame size) | version u8 | kind u8 | body
 * </pre>
 *
 * <p>Integers are big-endian. A connection starts with a {@link Hello} from the connecting side,
 * answered by {@link HelloAccepted} or {@link HelloRejected}; the hello says whether a peer or a
 * client is speaking. Peers then send {@link RaftFrame}s one way; clients send requests and get
 * responses matched by request id, so many can be in flight on one connection.
 *
 * <pre>
 * kind  frame                  body
 *  1    Hello                  role u8 (1 peer, 2 client) | cluster id str | from id | to id   (ids: peers only)
 *  2    HelloAccepted          node id
 *  3    HelloRejected          reason u8 | detail str
 *  4    RaftFrame              the raft-api MessageCodec encoding
 * 16    AppendRequest          request id i64 | producer id i64 | first sequence i64 | count i32
 *                              | (length i32 | bytes)*
 * 17    ReadRequest            request id i64 | from offset i64 | max records i32 | max wait ms i64
 *                              | consistency u8 (0 COMMITTED, 1 LINEARIZABLE; another value is answered MALFORMED)
 * 18    StatusRequest          request id i64
 * 19    DeleteRecordsRequest   request id i64 | offset i64
 * 20    ReadIndexRequest       request id i64
 * 21    MembershipRequest      request id i64 | op u8 (0 get, 1 add learner, 2 promote, 3 remove,
 *                              4 transfer leadership) | node id? (none for get) | address str (add learner only)
 * 32    AppendResponse         request id i64 | count i32 | offset i64*
 * 33    ReadResponse           request id i64 | count i32 | (offset i64 | length i32 | bytes)*
 * 34    StatusResponse         request id i64 | node id | role u8 | term i64 | leader id? | commit i64 | last i64
 *                              | count i32 | (node id | match i64)* | health u8 | problem str
 *                              | log start i64 | log bytes i64 | snapshot index i64 | snapshot bytes i64
 *                              | snapshot ms i64 | snapshots sent i64 | snapshots received i64
 * 35    DeleteRecordsResponse  request id i64 | log start i64
 * 36    ReadIndexResponse      request id i64 | read index i64
 * 37    MembershipResponse     request id i64 | length i32 | membership (raft-api Membership.encode) | leader id?
 * 47    ErrorResponse          request id i64 | code u8 | leader id? | leader host str | leader port u16 | message str
 *                              | (log start i64 | high watermark i64: code 11, OFFSET_OUT_OF_RANGE, only)
 * </pre>
 *
 * <p>A node id is its length as u8 (1 to 64) and ASCII bytes; an optional id ({@code id?}) uses
 * length 0 for "none". A string is its UTF-8 length as u16 and the bytes.
 *
 * <p>Every body is decoded exactly: a field missing or a byte left over is a {@link ProtocolException}.
 * So a node and a client must agree on each body's layout, not only on the version byte: the log
 * fields of {@link StatusResponse} and the bounds of an {@code OFFSET_OUT_OF_RANGE}
 * {@link ErrorResponse} came after version 1 was first written (as did the status's health, the
 * consistency byte of {@link ReadRequest} and the read index frames), and a side without them
 * refuses those frames and closes the connection rather than misread them.
 *
 * <p>A node answers a request it can decode but not serve — an offset, count or wait out of range,
 * an unknown read consistency — with an {@link ErrorResponse} ({@code MALFORMED}) that says why,
 * and keeps the connection.
 */
public sealed interface Frame permits Hello, HelloAccepted, HelloRejected, RaftFrame, ClientRequest, ClientResponse {
    /** The wire protocol version this code writes and the only one it reads. */
    int VERSION = 1;
    /** Bytes before the body: the length field, version and kind. */
    int HEADER_BYTES = Integer.BYTES + 2;

    int KIND_HELLO = 1;
    int KIND_HELLO_ACCEPTED = 2;
    int KIND_HELLO_REJECTED = 3;
    int KIND_RAFT = 4;
    int KIND_APPEND_REQUEST = 16;
    int KIND_READ_REQUEST = 17;
    int KIND_STATUS_REQUEST = 18;
    int KIND_DELETE_RECORDS_REQUEST = 19;
    int KIND_READ_INDEX_REQUEST = 20;
    int KIND_MEMBERSHIP_REQUEST = 21;
    int KIND_APPEND_RESPONSE = 32;
    int KIND_READ_RESPONSE = 33;
    int KIND_STATUS_RESPONSE = 34;
    int KIND_DELETE_RECORDS_RESPONSE = 35;
    int KIND_READ_INDEX_RESPONSE = 36;
    int KIND_MEMBERSHIP_RESPONSE = 37;
    int KIND_ERROR_RESPONSE = 47;

    /** This frame's kind byte. */
    int kind();

    /** The exact number of body bytes {@link #writeBody} writes. */
    int bodySize();

    /** Writes the body (not the header) at the writer index. */
    void writeBody(ByteBuf out);

    /** The value of the length field for this frame: version, kind and body. */
    default int frameLength() {
        return 2 + bodySize();
    }
}
