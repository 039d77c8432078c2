package io.raftlog.storage.files;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One read-only channel on a file (a log file, a segment), shared by every reader thread, that an
 * interrupt cannot take away from them.
 *
 * <p>The hazard: a {@link FileChannel} is an {@link java.nio.channels.InterruptibleChannel}. If a
 * thread is interrupted before or during a read, the JDK <em>closes the channel</em> — for every
 * thread — and throws {@link java.nio.channels.ClosedByInterruptException} at it; the others get
 * {@link java.nio.channels.AsynchronousCloseException} or {@link ClosedChannelException}.
 * Application threads do read the log (a consumer's {@code ReplicatedLog.read} runs on its own
 * thread), and applications interrupt threads (an executor's {@code shutdownNow}, a cancelled
 * future), so one interrupted consumer would break every later read of the node.
 *
 * <p>The choice here: a read puts the calling thread's interrupt aside (clears it, and sets it again
 * before returning), so an interrupt that came <em>before</em> the read costs nothing; an interrupt
 * that arrives <em>during</em> it, or a close caused by another thread's, is answered by opening a
 * new channel and reading again, and after a few such rounds (interrupts that keep coming) by
 * reading through a {@link RandomAccessFile} of its own, which ignores them. Readers never fail
 * because of an interrupt, and the interrupted thread still finds its interrupt set afterwards.
 *
 * <p>The alternatives, and why not: every read through one shared {@link RandomAccessFile} (it has
 * no positional read, so readers would queue behind its file pointer); a memory map (remapped as
 * the file grows, and it cannot be unmapped on Java 17); a private file per read (an open and a
 * close each time, which is why that is only the fallback).
 *
 * <p><b>Threads.</b> {@link #read} is thread-safe and may run on many threads at once. The store
 * calls {@link #switchTo} and {@link #close} only while no read runs (under its write lock, say):
 * a read running meanwhile may fail with {@link ClosedChannelException}.
 *
 * <p><b>Errors.</b> A read throws the {@link IOException} of the file ({@link java.io.EOFException}
 * if it ends before the bytes asked for); after {@link #close}, {@link ClosedChannelException}.
 */
public final class SharedReadChannel implements AutoCloseable {
    /** Reads through the shared channel before falling back to one that interrupts cannot reach. */
    private static final int SHARED_ATTEMPTS = 3;

    private final Path file;
    private volatile FileChannel channel;
    private boolean closed; // guarded by this

    /** Opens {@code file} for reading. */
    public SharedReadChannel(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * Reads {@code length} bytes at {@code position} into a new heap buffer, flipped for reading;
     * the calling thread's interrupt flag is as it was before the call.
     */
    public ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        boolean interrupted = Thread.interrupted(); // put aside: restored in finally
        try {
            for (int attempt = 1; ; attempt++) {
                FileChannel current = channel;
                try {
                    buffer.clear();
                    FileIo.readFully(current, buffer, position);
                    return buffer.flip();
                } catch (ClosedChannelException closedUnderUs) {
                    // This thread's interrupt (it arrived during the read) or another reader's closed
                    // the channel: a new one for everybody, and read again.
                    interrupted |= Thread.interrupted();
                    reopen(current);
                    if (attempt == SHARED_ATTEMPTS) {
                        // Interrupts keep coming (someone interrupts this thread, or others, in a
                        // loop): read through a file of our own that ignores them.
                        return readIgnoringInterrupts(position, length);
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ByteBuffer readIgnoringInterrupts(long position, int length) throws IOException {
        byte[] bytes = new byte[length];
        try (RandomAccessFile own = new RandomAccessFile(file.toFile(), "r")) {
            own.seek(position);
            own.readFully(bytes);
        }
        return ByteBuffer.wrap(bytes);
    }

    /**
     * Reads through {@code newChannel} from now on, and reopens the file given at construction
     * when it breaks: after a store replaced the file by a rename, a channel on the new file. Closes
     * the old channel.
     */
    public synchronized void switchTo(FileChannel newChannel) {
        FileChannel old = channel;
        channel = newChannel;
        try {
            old.close();
        } catch (IOException ignored) {
            // no reader uses it any more
        }
    }

    /** Closes the channel; later reads throw {@link ClosedChannelException}. */
    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }

    private synchronized void reopen(FileChannel broken) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (channel == broken) { // else another reader has reopened it already
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
    }
}
