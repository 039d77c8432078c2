package io.raftlog.storage.segment;

import io.raftlog.storage.files.FileIo;
import io.raftlog.storage.files.SharedReadChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files: where the next record goes, how a record is made durable with one
 * {@code force}, new segments, and the deletion of dead ones.
 *
 * <p>Not thread-safe. The writer side ({@link #write}, {@link #deleteBelow}, {@link #close}) is
 * called by {@link SegmentLogStore} holding its writer monitor; the list of segments changes only in
 * {@link #adopt} and {@link #deleteBelow}, which the store calls under its write lock, and readers
 * look segments up ({@link #read}) under its read lock. The write channel is the writer's own;
 * readers have one per segment ({@link SharedReadChannel}), so a reader's interrupt never closes
 * the channel a write is using.
 */
final class SegmentFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);
    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.log");
    /** How far past the last record a segment is filled with zeros ahead of time (at most a segment). */
    static final long PREALLOCATE_BYTES = 1L << 20;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    /** Makes a record's bytes once its place is known. */
    interface RecordMaker {
        ByteBuffer make(long sequence, long offset);
    }

    /** The log's shape before a write, for the START record of a new segment. */
    record Shape(long firstIndex, long termBefore, long lastIndex, long lastTerm) {}

    /** One segment: its sequence, file and the readers' channel. */
    record Segment(long sequence, Path path, SharedReadChannel reads) {}

    /** Where a record went; {@code created} is the new segment it opened, if any. */
    record Placed(long sequence, long offset, Segment created) {}

    private final Path directory;
    private final long segmentBytes;
    private final List<Segment> segments; // oldest first, consecutive sequences
    private FileChannel channel; // the active (last) segment's, for writing
    private long end; // where the next record goes in the active segment
    private long allocated; // the active segment's size: records up to end, zeros after
    private boolean dirty; // a failed write may have left bytes after end
    private FileChannel pendingChannel; // a new segment written, not yet adopted
    private long pendingEnd;
    private long pendingAllocated;
    private final List<Path> pendingDeletes = new ArrayList<>();

    SegmentFiles(Path directory, long segmentBytes, List<Segment> segments, long end) throws IOException {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.segments = new ArrayList<>(segments);
        this.end = end;
        this.channel = openForWriting(active().path());
        this.allocated = channel.size();
        this.dirty = allocated > end;
    }

    static String fileName(long sequence) {
        return String.format("segment-%020d.log", sequence);
    }

    /** The sequence in a segment file's name, or -1 if it is not one. */
    static long sequenceOf(String fileName) {
        Matcher matcher = NAME.matcher(fileName);
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** Creates segment {@code sequence} holding only its START record: a new store, or a torn first segment. */
    static void create(Path directory, long sequence, Shape shape) throws IOException {
        Path path = directory.resolve(fileName(sequence));
        try (FileChannel channel = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            FileIo.writeFully(channel, start(sequence, shape), 0);
            channel.force(false);
        }
        FileIo.forceDirectory(directory);
    }

    long activeSequence() {
        return active().sequence();
    }

    long end() {
        return end;
    }

    /**
     * Writes a record after the last one and makes it durable: one {@code force} of the file. The
     * file is filled with zeros {@value #PREALLOCATE_BYTES} bytes ahead of the records (in the same
     * force), so that most forces need not also write the file's new size: the one {@code
     * fdatasync} then writes the record's pages only. With
     * {@code newSegment} (or when the active segment is full and {@code mayRoll}), the record goes
     * into a new segment instead, after a START record of {@code shape}; then the directory is
     * forced too, so the new file survives a power cut before the call returns. Nothing is published
     * here: if this throws, the record is not in the log (what reached a file is cut off, now or
     * before the next write), and the caller's {@link #adopt} makes it visible.
     */
    Placed write(RecordMaker maker, Shape shape, boolean mayRoll, boolean newSegment) throws IOException {
        prepare();
        if (newSegment || (mayRoll && end >= segmentBytes)) {
            return writeInNewSegment(maker, shape);
        }
        ByteBuffer record = maker.make(activeSequence(), end);
        long at = end;
        long recordEnd = at + record.limit();
        try {
            FileIo.writeFully(channel, record, at);
            if (recordEnd > allocated) {
                allocated = preallocate(channel, recordEnd);
            }
            channel.force(false);
        } catch (IOException e) {
            dirty = true;
            cutBackQuietly();
            throw e;
        }
        end = recordEnd;
        return new Placed(activeSequence(), at, null);
    }

    private Placed writeInNewSegment(RecordMaker maker, Shape shape) throws IOException {
        long sequence = activeSequence() + 1;
        Path path = directory.resolve(fileName(sequence));
        FileChannel created = FileChannel.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        SharedReadChannel reads = null;
        try {
            ByteBuffer start = start(sequence, shape);
            long offset = start.limit();
            ByteBuffer record = maker.make(sequence, offset);
            FileIo.writeFully(created, start, 0);
            FileIo.writeFully(created, record, offset);
            long allocatedThere = preallocate(created, offset + record.limit());
            created.force(false);
            FileIo.forceDirectory(directory); // the new name is durable before the call returns
            reads = new SharedReadChannel(path);
            pendingChannel = created;
            pendingEnd = offset + record.limit();
            pendingAllocated = allocatedThere;
            return new Placed(sequence, offset, new Segment(sequence, path, reads));
        } catch (IOException | RuntimeException e) {
            closeQuietly(created);
            if (reads != null) {
                reads.close();
            }
            pendingDeletes.add(path); // never part of the log: gone before anything else is written
            deletePendingQuietly();
            throw e;
        }
    }

    /** Makes the new segment of {@code placed}, if any, the active one (called under the store's write lock). */
    void adopt(Placed placed) {
        if (placed.created() == null) {
            return;
        }
        segments.add(placed.created());
        try {
            // The full segment's zeros are of no use now; if a crash undoes the cut, replay skips them.
            channel.truncate(end);
        } catch (IOException ignored) {
            // they stay: replay skips zeros after the last record of a segment
        }
        closeQuietly(channel);
        channel = pendingChannel;
        end = pendingEnd;
        allocated = pendingAllocated;
        dirty = false;
        pendingChannel = null;
    }

    /**
     * Deletes the segments, oldest first, whose sequence is below {@code sequence} (never the
     * active one): called under the store's write lock once no present entry lies in them. Oldest
     * first, so a crash in between leaves a run of consecutive segments, which the replay accepts.
     * A failure is logged and the segment kept for the next call: a dead segment replays harmlessly.
     */
    void deleteBelow(long sequence) {
        boolean deleted = false;
        while (segments.size() > 1 && segments.get(0).sequence() < Math.min(sequence, activeSequence())) {
            Segment oldest = segments.get(0);
            try {
                oldest.reads().close();
                Files.deleteIfExists(oldest.path());
            } catch (IOException e) {
                LOG.warn(
                        "cannot delete the dead segment {} (will try again later): {}",
                        oldest.path(),
                        FileIo.reason(e));
                break;
            }
            segments.remove(0);
            deleted = true;
        }
        if (deleted) {
            try {
                FileIo.forceDirectory(directory);
            } catch (IOException e) {
                // A deleted segment that comes back after a power cut is dead and replays harmlessly.
                LOG.debug("forcing {} after deleting segments failed: {}", directory, FileIo.reason(e));
            }
        }
    }

    /** Reads {@code length} bytes at {@code offset} of segment {@code sequence} (under the store's read lock). */
    ByteBuffer read(long sequence, long offset, int length) throws IOException {
        long oldest = segments.get(0).sequence();
        if (sequence < oldest || sequence > activeSequence()) {
            throw new IllegalStateException(
                    "segment " + sequence + " is not among " + oldest + ".." + activeSequence());
        }
        return segments.get((int) (sequence - oldest)).reads().read(offset, length);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Segment segment : segments) {
            try {
                segment.reads().close();
            } catch (IOException e) {
                failure = e;
            }
        }
        channel.close();
        if (failure != null) {
            throw failure;
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // already failing with a more useful error
        }
    }

    private Segment active() {
        return segments.get(segments.size() - 1);
    }

    /** Repairs what a failed earlier write may have left, so it can never pass for part of the log. */
    private void prepare() throws IOException {
        if (!channel.isOpen()) {
            // An interrupt of the writer thread during an earlier write closed the channel.
            channel = openForWriting(active().path());
        }
        if (!pendingDeletes.isEmpty()) {
            for (Path path : List.copyOf(pendingDeletes)) {
                Files.deleteIfExists(path);
                pendingDeletes.remove(path);
            }
            FileIo.forceDirectory(directory);
        }
        if (dirty) {
            cutBack();
        }
    }

    /** Cuts the preallocated zeros off the active segment (on close: the files hold records only). */
    void trim() throws IOException {
        prepare();
        if (allocated > end) {
            dirty = true;
            cutBack();
        }
    }

    /** Cuts the active segment back to its last record: the bytes of a failed write, and the zeros after. */
    private void cutBack() throws IOException {
        channel.truncate(end);
        channel.force(true);
        allocated = end;
        dirty = false;
    }

    /** Fills {@code file} with zeros from {@code from} on; returns its new size. */
    private long preallocate(FileChannel file, long from) throws IOException {
        long to = from + Math.min(PREALLOCATE_BYTES, segmentBytes);
        for (long at = from; at < to; ) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            FileIo.writeFully(file, zeros, at);
            at += zeros.limit();
        }
        return to;
    }

    private void cutBackQuietly() {
        try {
            if (channel.isOpen()) {
                cutBack();
            }
        } catch (IOException ignored) {
            // prepare() tries again before the next write
        }
    }

    private void deletePendingQuietly() {
        try {
            for (Path path : List.copyOf(pendingDeletes)) {
                Files.deleteIfExists(path);
                pendingDeletes.remove(path);
            }
            FileIo.forceDirectory(directory);
        } catch (IOException ignored) {
            // prepare() tries again before the next write
        }
    }

    private static ByteBuffer start(long sequence, Shape shape) {
        return Records.control(
                sequence,
                0,
                Records.START,
                shape.firstIndex(),
                shape.termBefore(),
                shape.lastIndex(),
                shape.lastTerm());
    }

    private static FileChannel openForWriting(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
