package io.raftlog.examples.filestore;

import io.raftlog.api.message.LogEntry;
import io.raftlog.storage.files.FileIo;
import io.raftlog.storage.files.SharedReadChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The log file as its one writer sees it: where the next operation goes, how an operation is made
 * durable, and how the file is rewritten to give back dead space.
 *
 * <p>Not thread-safe: {@link FileLogStore} calls it holding its writer monitor. The channel here is
 * the writer's own; readers have theirs ({@link SharedReadChannel}), so a reader's interrupt never
 * closes the channel a write is using.
 */
final class LogFile implements AutoCloseable {
    private final Path directory;
    private final Path path;
    private final Path rewritePath;
    private final EntryIndex index;
    private final long discardedBytes;
    private final long rewriteAfterDeadBytes;
    private FileChannel channel;
    /** Where the next operation goes: the end of the last one committed. */
    private long end;
    /** Dead bytes at which the next rewrite is tried (raised after a failed one). */
    private long rewriteAtDeadBytes;
    /** A rename whose directory sync failed: synced before anything else is written. */
    private boolean directorySyncPending;

    /** One operation, before it has a place in the file. */
    record Operation(byte kind, List<LogEntry> entries, long index, long term) {
        static Operation entries(byte kind, List<LogEntry> entries) {
            return new Operation(kind, entries, 0, 0);
        }

        static Operation control(byte kind, long index, long term) {
            return new Operation(kind, List.of(), index, term);
        }
    }

    /** An operation made durable at {@code positions} (one per entry); applying it publishes it. */
    record Written(Operation operation, long[] positions) {
        void applyTo(EntryIndex index) {
            Operation op = operation;
            switch (op.kind()) {
                case Frames.ENTRY -> {
                    for (int i = 0; i < positions.length; i++) {
                        LogEntry entry = op.entries().get(i);
                        index.append(positions[i], entry.payload().size(), entry.term());
                    }
                }
                case Frames.REPLACE -> {
                    LogEntry entry = op.entries().get(0);
                    index.replace(entry.index(), positions[0], entry.payload().size());
                }
                case Frames.TRUNCATE_SUFFIX -> index.truncateSuffix(op.index());
                case Frames.TRUNCATE_PREFIX -> index.truncatePrefix(op.index());
                case Frames.RESET -> index.reset(op.index(), op.term());
                default -> throw new IllegalStateException("unknown operation kind " + op.kind());
            }
        }
    }

    private LogFile(
            Path directory,
            Path path,
            Path rewritePath,
            FileChannel channel,
            LogRecovery.Result recovered,
            long rewriteAfterDeadBytes) {
        this.directory = directory;
        this.path = path;
        this.rewritePath = rewritePath;
        this.channel = channel;
        this.index = recovered.index();
        this.end = recovered.end();
        this.discardedBytes = recovered.discardedBytes();
        this.rewriteAfterDeadBytes = rewriteAfterDeadBytes;
        this.rewriteAtDeadBytes = rewriteAfterDeadBytes;
    }

    /** Opens (creating) {@code directory/name} and recovers it ({@link LogRecovery}). */
    static LogFile open(Path directory, String name, String rewriteName, long rewriteAfterDeadBytes)
            throws IOException {
        Path path = directory.resolve(name);
        boolean existed = Files.exists(path);
        FileChannel channel =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (!existed) {
                FileIo.forceDirectory(directory); // the new file's name is durable before anything in it is
            }
            LogRecovery.Result recovered = LogRecovery.recover(channel, directory.toString());
            return new LogFile(
                    directory, path, directory.resolve(rewriteName), channel, recovered, rewriteAfterDeadBytes);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    EntryIndex index() {
        return index;
    }

    long discardedBytes() {
        return discardedBytes;
    }

    /**
     * Writes {@code operation} after the last one and makes it durable: its frames, force, two
     * commit markers saying where the log ends after it, force. Nothing is published here; if this
     * throws, the operation is not in the log (the next write cuts off whatever of it reached the
     * file).
     */
    Written write(Operation operation, long lastIndexAfter, long lastTermAfter) throws IOException {
        prepare();
        long start = end;
        List<LogEntry> entries = operation.entries();
        long[] positions = new long[entries.size()];
        ByteBuffer[] frames;
        long at = start;
        if (entries.isEmpty()) {
            frames = new ByteBuffer[] {Frames.control(at, operation.kind(), operation.index(), operation.term())};
            at += Frames.HEADER_BYTES;
        } else {
            frames = new ByteBuffer[2 * entries.size()];
            for (int i = 0; i < entries.size(); i++) {
                LogEntry entry = entries.get(i);
                positions[i] = at;
                frames[2 * i] = Frames.entryHeader(at, operation.kind(), entry);
                frames[2 * i + 1] = entry.payload().asReadOnlyBuffer();
                at += Frames.HEADER_BYTES + (long) entry.payload().size();
            }
        }
        channel.position(start);
        FileIo.writeFully(channel, frames);
        channel.force(false); // the frames are durable before any marker can vouch for them
        FileIo.writeFully(channel, Frames.commitMarkers(at, lastIndexAfter, lastTermAfter), at);
        channel.force(false);
        end = at + 2 * Frames.HEADER_BYTES;
        return new Written(operation, positions);
    }

    /** Whether dead bytes (truncated entries, replaced copies, markers) outweigh the live ones. */
    boolean worthRewriting() {
        long dead = end - index.liveBytes();
        return dead >= rewriteAtDeadBytes && dead > index.liveBytes();
    }

    /** Runs an action while no read runs: {@link FileLogStore} holds its write lock around it. */
    interface Exclusive {
        void run(FileIo.VoidAction action) throws IOException;
    }

    /**
     * Writes the present entries to a new file and renames it over this one. The rename and the
     * switch of the readers' channel and of the index's positions happen in {@code exclusive}: a
     * reader must never open the new file by name while it still holds the old positions.
     */
    void rewrite(SharedReadChannel reads, Exclusive exclusive) throws IOException {
        prepare();
        long dead = end - index.liveBytes();
        LogRewrite.Result rewritten;
        FileChannel newChannel = null;
        FileChannel newReads = null;
        try {
            rewritten = LogRewrite.write(channel, index, rewritePath, directory.toString());
            // Opened before the rename, so that nothing is left to fail once the new file is the log.
            newChannel = FileChannel.open(rewritePath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            newReads = FileChannel.open(rewritePath, StandardOpenOption.READ);
            FileChannel readChannel = newReads;
            exclusive.run(() -> {
                Files.move(rewritePath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                reads.switchTo(readChannel);
                index.relocate(rewritten.positions());
            });
        } catch (IOException | RuntimeException e) {
            closeQuietly(newChannel);
            closeQuietly(newReads);
            Files.deleteIfExists(rewritePath);
            rewriteAtDeadBytes = 2 * dead;
            throw e;
        }
        closeQuietly(channel);
        channel = newChannel;
        end = rewritten.end();
        rewriteAtDeadBytes = rewriteAfterDeadBytes;
        directorySyncPending = true;
        syncDirectoryIfPending(); // if this fails, the next write tries again before it writes
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    void closeQuietly() {
        closeQuietly(channel);
    }

    /** Repairs what a failed earlier write may have left, so it can never pass for part of the log. */
    private void prepare() throws IOException {
        if (!channel.isOpen()) {
            // An interrupt of the writer thread during an earlier write closed the channel.
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        syncDirectoryIfPending();
        if (channel.size() > end) {
            channel.truncate(end);
            channel.force(true);
        }
    }

    private void syncDirectoryIfPending() throws IOException {
        if (directorySyncPending) {
            // Until the rename is durable, a crash could bring the old file back: nothing new may be
            // acknowledged in the new one before that.
            FileIo.forceDirectory(directory);
            directorySyncPending = false;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing depends on it any more
            }
        }
    }
}
