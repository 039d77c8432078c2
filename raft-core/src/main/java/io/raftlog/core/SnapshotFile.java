package io.raftlog.core;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The layout of a node's snapshot in a {@link SnapshotStore}: its own state, then the
 * application's, then a trailer with a CRC32C over everything before it, so a snapshot read back
 * (from a disk, or after a transfer) is either whole and intact or refused.
 *
 * <pre>
 * magic u32 "RSNP" | version u16 (= 1) | index i64 | term i64 | created (epoch ms) i64
 * | node state length i32 | node state bytes
 * | application state bytes (as its StateMachine.Snapshot wrote them)
 * | application state length i64 | CRC32C u32 of every byte before the CRC | magic u32 "END!"
 * </pre>
 */
final class SnapshotFile {
    static final int MAGIC = 0x52534E50; // "RSNP"
    static final int END_MAGIC = 0x454E4421; // "END!"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4 + 2 + 8 + 8 + 8 + 4;
    static final int TRAILER_BYTES = 8 + 4 + 4;
    private static final int BUFFER_BYTES = 64 * 1024;

    /** What a snapshot's header and trailer say, checked against its checksum. */
    record Layout(
            long index,
            long term,
            long createdMillis,
            long nodeOffset,
            int nodeLength,
            long userOffset,
            long userLength) {}

    private SnapshotFile() {}

    /**
     * Writes a whole snapshot to {@code writer} and commits it.
     *
     * @throws IOException if the application's snapshot fails to write itself
     */
    static SnapshotStore.SnapshotInfo write(
            SnapshotStore.SnapshotWriter writer,
            long index,
            long term,
            long createdMillis,
            byte[] nodeState,
            io.raftlog.api.StateMachine.Snapshot application)
            throws IOException {
        try (Output out = new Output(writer)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            header.putInt(MAGIC)
                    .putShort((short) VERSION)
                    .putLong(index)
                    .putLong(term)
                    .putLong(createdMillis)
                    .putInt(nodeState.length);
            out.write(header.array());
            out.write(nodeState);
            long userStart = out.count;
            application.writeTo(new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the node closes the snapshot, not the application
                }
            });
            long userLength = out.count - userStart;
            ByteBuffer length = ByteBuffer.allocate(8).putLong(userLength);
            out.write(length.array());
            out.finish();
            return writer.commit();
        }
    }

    /**
     * Reads the snapshot's layout and verifies its checksum (reading it whole).
     *
     * @throws StorageException naming the snapshot if it is truncated, damaged or not a snapshot
     */
    static Layout verify(SnapshotStore.SnapshotReader reader, String location) {
        long size = reader.info().sizeBytes();
        String name = "snapshot " + reader.info().index() + " in " + location;
        if (size < HEADER_BYTES + TRAILER_BYTES) {
            throw new StorageException(name + " is damaged: " + size + " bytes is too short for a snapshot");
        }
        ByteBuffer header = readFully(reader, 0, HEADER_BYTES);
        if (header.getInt() != MAGIC || header.getShort() != VERSION) {
            throw new StorageException(name + " is damaged or not a raftlog snapshot (bad magic or version)");
        }
        long index = header.getLong();
        long term = header.getLong();
        long created = header.getLong();
        int nodeLength = header.getInt();
        ByteBuffer trailer = readFully(reader, size - TRAILER_BYTES, TRAILER_BYTES);
        long userLength = trailer.getLong();
        int storedCrc = trailer.getInt();
        int endMagic = trailer.getInt();
        if (endMagic != END_MAGIC
                || nodeLength < 0
                || userLength < 0
                || HEADER_BYTES + (long) nodeLength + userLength + TRAILER_BYTES != size) {
            throw new StorageException(name + " is damaged: its lengths do not add up to its " + size + " bytes");
        }
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        long covered = size - 8;
        for (long position = 0; position < covered; ) {
            buffer.clear().limit((int) Math.min(BUFFER_BYTES, covered - position));
            int read = reader.read(position, buffer);
            if (read <= 0) {
                throw new StorageException(name + " is damaged: it ends at " + position + " of " + size + " bytes");
            }
            buffer.flip();
            crc.update(buffer);
            position += read;
        }
        if ((int) crc.getValue() != storedCrc) {
            throw new StorageException(name + " is damaged: its checksum does not match its contents");
        }
        if (index != reader.info().index() || term != reader.info().term()) {
            throw new StorageException(name + " holds the state of (" + index + ", " + term + "), not of ("
                    + reader.info().index() + ", " + reader.info().term() + ")");
        }
        return new Layout(index, term, created, HEADER_BYTES, nodeLength, HEADER_BYTES + (long) nodeLength, userLength);
    }

    /** The node state section of a verified snapshot. */
    static byte[] nodeState(SnapshotStore.SnapshotReader reader, Layout layout) {
        return readFully(reader, layout.nodeOffset(), layout.nodeLength()).array();
    }

    /** The application's section of a verified snapshot, as a stream. */
    static InputStream userState(SnapshotStore.SnapshotReader reader, Layout layout) {
        return new InputStream() {
            private long position = layout.userOffset();
            private final long end = layout.userOffset() + layout.userLength();

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (position >= end) {
                    return -1;
                }
                ByteBuffer target = ByteBuffer.wrap(b, off, (int) Math.min(len, end - position));
                int read = reader.read(position, target);
                position += read;
                return read;
            }
        };
    }

    private static ByteBuffer readFully(SnapshotStore.SnapshotReader reader, long position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = reader.read(position + buffer.position(), buffer);
            if (read <= 0) {
                throw new StorageException(
                        "snapshot " + reader.info().index() + " ends before byte " + (position + length));
            }
        }
        buffer.flip();
        return buffer;
    }

    /** Buffers, counts and checksums what goes into a snapshot writer. */
    private static final class Output extends OutputStream {
        private final SnapshotStore.SnapshotWriter writer;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        private final CRC32C crc = new CRC32C();
        long count;
        private boolean finished;

        Output(SnapshotStore.SnapshotWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            buffer.put((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (!buffer.hasRemaining()) {
                    drain();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.put(b, off, n);
                off += n;
                len -= n;
                count += n;
            }
        }

        private void drain() {
            buffer.flip();
            crc.update(buffer.duplicate());
            writer.write(buffer);
            buffer.clear();
        }

        /** Appends the checksum of everything written, and the end magic. */
        void finish() {
            drain();
            ByteBuffer tail =
                    ByteBuffer.allocate(8).putInt((int) crc.getValue()).putInt(END_MAGIC);
            tail.flip();
            writer.write(tail);
            finished = true;
        }

        @Override
        public void close() {
            if (!finished) {
                writer.abort();
            }
        }
    }
}
