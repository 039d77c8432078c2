package io.raftlog.storage.files;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link FileSnapshotStore}'s writer: fills a temporary file through one direct buffer (small
 * writes are gathered, large direct buffers go straight to the channel), then hands it to the
 * store to publish. Its monitor guards its state; it takes the store's monitor inside its own,
 * never the other way round.
 */
final class FileSnapshotWriter implements SnapshotWriter {
    static final int BUFFER_BYTES = 64 * 1024;

    private enum State {
        OPEN,
        COMMITTED,
        ABORTED
    }

    private final FileSnapshotStore store;
    private final long index;
    private final long term;
    private final Path temp;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private long size;
    private State state = State.OPEN;

    FileSnapshotWriter(FileSnapshotStore store, long index, long term, Path temp, FileChannel channel) {
        this.store = store;
        this.index = index;
        this.term = term;
        this.temp = temp;
        this.channel = channel;
    }

    @Override
    public synchronized void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkOpen();
        int length = data.remaining();
        try {
            while (data.hasRemaining()) {
                if (buffer.position() == 0 && data.isDirect() && data.remaining() >= buffer.capacity()) {
                    writeFully(data);
                } else {
                    int count = Math.min(buffer.remaining(), data.remaining());
                    buffer.put(buffer.position(), data, data.position(), count);
                    buffer.position(buffer.position() + count);
                    data.position(data.position() + count);
                    if (!buffer.hasRemaining()) {
                        flush();
                    }
                }
            }
        } catch (IOException e) {
            throw failed("write", e);
        }
        size += length;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized SnapshotInfo commit() {
        checkOpen();
        try {
            flush();
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            throw failed("commit", e);
        }
        SnapshotInfo info = new SnapshotInfo(index, term, size);
        try {
            store.publish(this, temp, info);
        } catch (RuntimeException e) {
            state = State.ABORTED;
            throw e;
        }
        state = State.COMMITTED;
        return info;
    }

    @Override
    public synchronized void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        store.forget(this);
        closeQuietly();
        FileSnapshotStore.deleteFile(temp, "abort snapshot " + index);
    }

    @Override
    public String toString() {
        return "FileSnapshotWriter[" + temp + "]";
    }

    private void flush() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    /** Aborts after an I/O failure and says what failed. */
    private StorageException failed(String doing, IOException e) {
        state = State.ABORTED;
        store.forget(this);
        closeQuietly();
        FileSnapshotStore.deleteQuietly(temp);
        return new StorageException(
                "cannot " + doing + " snapshot " + index + " (term " + term + ") in " + temp
                        + "; the snapshot is aborted: " + FileIo.reason(e),
                e);
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("the writer of snapshot " + index + " in " + store.location()
                    + " was already " + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is deleted next; nothing of it is kept
        }
    }
}
