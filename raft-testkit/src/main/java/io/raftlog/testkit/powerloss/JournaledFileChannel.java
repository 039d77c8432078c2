package io.raftlog.testkit.powerloss;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel under the journal's root: reads pass through; each write, truncation and force
 * first passes a crash point and tells the {@link Journal}, then happens, all under the journal's
 * lock. A second channel, opened for reading on the same file, reads what a write overwrites.
 */
final class JournaledFileChannel extends FileChannel {
    private final FileChannel delegate;
    private final FileChannel reader;
    private final Journal journal;
    private final Journal.Node node;
    private final boolean append;
    private final boolean synchronous;

    JournaledFileChannel(
            FileChannel delegate,
            FileChannel reader,
            Journal journal,
            Journal.Node node,
            boolean append,
            boolean synchronous) {
        this.delegate = delegate;
        this.reader = reader;
        this.journal = journal;
        this.node = node;
        this.append = append;
        this.synchronous = synchronous;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        return delegate.read(target);
    }

    @Override
    public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
        return delegate.read(targets, offset, length);
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
        return delegate.read(target, position);
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        synchronized (journal) {
            long position = before(source.remaining(), -1);
            int written = delegate.write(source);
            after(position + written);
            return written;
        }
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += sources[i].remaining();
        }
        synchronized (journal) {
            long position = before(total, -1);
            long written = delegate.write(sources, offset, length);
            after(position + written);
            return written;
        }
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
        synchronized (journal) {
            before(source.remaining(), position);
            int written = delegate.write(source, position);
            after(position + written);
            return written;
        }
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        synchronized (journal) {
            if (!node.directory) {
                journal.crashPoint(node.path, "truncate", 1);
                journal.beforeTruncate(node, size, reader);
            }
            delegate.truncate(size);
            return this;
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        synchronized (journal) {
            // Just before a force, everything since the last one is at stake; more so if it
            // overwrote bytes in place.
            boolean overwrites = overwrites();
            journal.crashPoint(node.path, overwrites ? "force after overwrite" : "force", overwrites ? 12 : 4);
            delegate.force(metaData);
            journal.forced(node, node.directory ? 0 : delegate.size());
        }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            if (source.read(buffer) <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                done += write(buffer, position + done);
            }
        }
        return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        if (mode != MapMode.READ_ONLY) {
            journal.bypass(node.path + " is mapped " + mode + ": writes through a MappedByteBuffer do not pass the"
                    + " file system provider");
        }
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        try {
            delegate.close();
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
    }

    /** Passes the crash point and records the write; returns where it goes ({@code at} unless -1). */
    private long before(long length, long at) throws IOException {
        long position = at >= 0 ? at : append ? delegate.size() : delegate.position();
        journal.crashPoint(node.path, position < delegate.size() ? "overwrite" : "write", 1);
        if (length > 0) {
            journal.beforeWrite(node, position, length, reader);
        }
        return position;
    }

    private void after(long end) throws IOException {
        if (synchronous) {
            journal.forced(node, Math.max(end, delegate.size()));
        }
    }

    private boolean overwrites() {
        for (Journal.DataChange change : node.pending) {
            if (!change.truncation && change.position < change.oldSize) {
                return true;
            }
        }
        return false;
    }
}
