package io.raftlog.storage.files;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A {@link FileSnapshotStore}'s reader: positional reads on its own channel, which keeps the file
 * readable after it is deleted or replaced.
 */
final class FileSnapshotReader implements SnapshotReader {
    private final FileSnapshotStore store;
    private final FileSnapshotStore.Stored stored;
    private final FileChannel channel;
    private volatile boolean closed;

    FileSnapshotReader(FileSnapshotStore store, FileSnapshotStore.Stored stored, FileChannel channel) {
        this.store = store;
        this.stored = stored;
        this.channel = channel;
    }

    @Override
    public SnapshotInfo info() {
        return stored.info();
    }

    @Override
    public int read(long position, ByteBuffer target) {
        Objects.requireNonNull(target, "target");
        checkOpen();
        long end = stored.info().sizeBytes();
        if (position < 0 || position > end) {
            throw new IllegalArgumentException("position " + position + " is outside snapshot "
                    + stored.info().index() + " (0.." + end + ") in " + store.location());
        }
        int wanted = (int) Math.min(target.remaining(), end - position);
        int limit = target.limit();
        target.limit(target.position() + wanted);
        int total = 0;
        try {
            while (target.hasRemaining()) {
                int count = channel.read(target, position + total);
                if (count < 0) {
                    throw new StorageException("snapshot file " + stored.file() + " ends at byte " + (position + total)
                            + ", before its size " + end + " (truncated by something else)");
                }
                total += count;
            }
        } catch (ClosedByInterruptException e) {
            throw new StorageException(
                    "interrupted while reading snapshot file " + stored.file() + "; the interrupt closed the reader",
                    e);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException(
                    "the reader of snapshot " + stored.info().index() + " is closed", e);
        } catch (IOException e) {
            throw new StorageException(
                    "cannot read snapshot file " + stored.file() + " at byte " + (position + total) + ": "
                            + FileIo.reason(e),
                    e);
        } finally {
            target.limit(limit);
        }
        return total;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.forget(this);
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot close snapshot file " + stored.file() + ": " + FileIo.reason(e), e);
        }
    }

    @Override
    public String toString() {
        return "FileSnapshotReader[" + stored.file() + "]";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "the reader of snapshot " + stored.info().index() + " in " + store.location() + " is closed");
        }
    }
}
