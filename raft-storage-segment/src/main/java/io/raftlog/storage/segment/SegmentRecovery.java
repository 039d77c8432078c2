package io.raftlog.storage.segment;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.storage.files.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the {@link EntryIndex} at open by replaying every segment's records in order, and cuts
 * off the torn tail: the record a crash interrupted, whose caller never saw it return.
 *
 * <p><b>Torn or damaged.</b> Every call forces its record before it returns, so only the last
 * record of the last segment can be unfinished. A bad record anywhere else is damage to durable
 * data, and open fails with a {@link CorruptLogException} rather than drop what follows it. A bad
 * header in the last segment is the torn tail only if no valid record follows it (the rest of the
 * segment is searched). The last record, if its header is intact, has every entry checked too: a
 * power cut may lose any of its sectors. A damaged last record cannot be told from a torn one, so
 * it is dropped; {@link SegmentLogStore#close} ends the file with a CLOSE record, which makes the
 * record before it provably whole. Payloads of the other records are checked when read.
 *
 * <p><b>Zeros.</b> Segments are filled with zeros ahead of their records ({@link SegmentFiles}).
 * Zeros after the last record of the last segment are cut off with the torn tail; in an earlier
 * segment, zeros to its end are where it filled up and the next one began. Zeros over records that
 * mattered there would leave the log the next segment's START record describes unmatched, and open
 * fails.
 */
final class SegmentRecovery {
    private static final int WINDOW_BYTES = 1 << 20;

    /** What the files hold: the segments in order, the log, and where the next record goes. */
    record Result(List<Path> segments, List<Long> sequences, EntryIndex index, long end, long discardedBytes) {}

    private final Path directory;
    private final String location;
    private final EntryIndex index = new EntryIndex();
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private FileChannel channel;
    private long size;
    private long windowStart = -1;

    private SegmentRecovery(Path directory) {
        this.directory = directory;
        this.location = directory.toString();
    }

    /** Replays the segments in {@code directory}, creating the first one if there is none. */
    static Result recover(Path directory) throws IOException {
        return new SegmentRecovery(directory).run();
    }

    private Result run() throws IOException {
        List<Long> sequences = listSequences();
        if (sequences.isEmpty()) {
            SegmentFiles.create(directory, 1, new SegmentFiles.Shape(1, 0, 0, 0));
            sequences.add(1L);
        }
        long discarded = 0;
        long end = 0;
        long previousEnd = 0;
        for (int k = 0; k < sequences.size(); k++) {
            long sequence = sequences.get(k);
            if (k > 0 && sequence != sequences.get(k - 1) + 1) {
                throw corrupt("segment " + SegmentFiles.fileName(sequences.get(k - 1) + 1) + " is missing");
            }
            boolean last = k == sequences.size() - 1;
            Path path = directory.resolve(SegmentFiles.fileName(sequence));
            try (FileChannel opened = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel = opened;
                size = opened.size();
                windowStart = -1;
                previousEnd = end;
                end = replay(sequence, k == 0, last);
                if (last && end < size) {
                    discarded = zerosFrom(end) ? 0 : size - end;
                    opened.truncate(end);
                    opened.force(true);
                }
            }
            if (last && end == 0) {
                // The START record of a new segment was torn: the segment never began.
                Files.delete(path);
                FileIo.forceDirectory(directory);
                sequences.remove(k);
                if (sequences.isEmpty()) {
                    return run(); // it was the first one of a new store
                }
                // The segment before is the last one now: its records end where its replay stopped
                // (zeros preallocated after them, if any, are cut off before the next write).
                end = previousEnd;
            }
        }
        long unplaced = index.firstUnplaced();
        if (unplaced >= 0) {
            throw new CorruptLogException(
                    unplaced,
                    location,
                    "the entry lies in a segment before " + SegmentFiles.fileName(sequences.get(0))
                            + ", which is missing");
        }
        List<Path> paths = new ArrayList<>();
        for (long sequence : sequences) {
            paths.add(directory.resolve(SegmentFiles.fileName(sequence)));
        }
        return new Result(paths, sequences, index, end, discarded);
    }

    /** Replays one segment; returns the end of its last whole record. */
    private long replay(long sequence, boolean oldest, boolean last) throws IOException {
        long position = 0;
        while (position < size) {
            Records.Header header = header(sequence, position);
            if (header == null || header.end() > size) {
                if (!last && zerosFrom(position)) {
                    // Preallocated space after a full segment's last record. (Zeros over a record
                    // that mattered would make the next segment's START disagree with the log.)
                    return position;
                }
                if (!last) {
                    throw corrupt("segment " + sequence + " is damaged at offset " + position
                            + ", and later segments show it is not an unfinished write");
                }
                checkNoLaterRecord(sequence, position);
                return position; // the torn tail
            }
            if (last && isLast(sequence, header) && !whole(header)) {
                checkNoLaterRecord(sequence, position);
                return position; // the last record, torn (or damaged: the two look alike)
            }
            if ((position == 0) != (header.kind() == Records.START)) {
                throw corrupt("segment " + sequence + " has a "
                        + (position == 0 ? "first record that is not a START" : "START record at offset " + position));
            }
            try {
                apply(header, oldest);
            } catch (IllegalArgumentException inconsistent) {
                throw corrupt("the record at offset " + position + " of segment " + sequence
                        + " does not fit the log before it: " + inconsistent.getMessage());
            }
            position = header.end();
        }
        return position;
    }

    private void apply(Records.Header header, boolean oldest) {
        switch (header.kind()) {
            case Records.START -> start(header, oldest);
            case Records.BATCH -> {
                long previous = index.lastTerm();
                if (header.a() != index.lastIndex() + 1) {
                    throw new IllegalArgumentException(
                            "a batch from " + header.a() + " after the log's last index " + index.lastIndex());
                }
                for (int i = 0; i < header.count(); i++) {
                    long term = header.terms()[i];
                    if (term < previous) {
                        throw new IllegalArgumentException(
                                "entry " + (header.a() + i) + " in term " + term + " after term " + previous);
                    }
                    index.append(position(header, i), header.payloadLengths()[i], term);
                    previous = term;
                }
            }
            case Records.REPLACE -> {
                long at = header.a();
                index.checkBoundary("replace", at);
                if (at > index.lastIndex()) {
                    throw new IllegalArgumentException("a replacement of entry " + at + " beyond the log");
                }
                long stored = index.term(at);
                if (stored != EntryIndex.UNKNOWN_TERM && stored != header.terms()[0]) {
                    throw new IllegalArgumentException("a replacement of entry " + at + " in another term");
                }
                index.replace(at, position(header, 0), header.payloadLengths()[0], header.terms()[0]);
            }
            case Records.TRUNCATE_SUFFIX -> {
                index.checkBoundary("truncateSuffix", header.a());
                index.truncateSuffix(header.a());
            }
            case Records.TRUNCATE_PREFIX -> {
                index.checkBoundary("truncatePrefix", header.a());
                index.truncatePrefix(header.a(), header.b());
            }
            case Records.RESET -> {
                LogStore.checkReset(header.a(), header.b());
                index.reset(header.a(), header.b());
            }
            case Records.CLOSE -> {
                if (header.a() != index.lastIndex()) {
                    throw new IllegalArgumentException(
                            "closed at index " + header.a() + ", the log ends at " + index.lastIndex());
                }
            }
            default -> throw new IllegalArgumentException("unknown record kind " + header.kind());
        }
    }

    /**
     * The oldest segment's START says what the log was when it began: its entries lie in segments
     * deleted since (all of them must have been removed from the log by now). A later segment's
     * START must match the log the segments before it built.
     */
    private void start(Records.Header header, boolean oldest) {
        long first = header.a();
        long termBefore = header.b();
        long last = header.c();
        long lastTerm = header.d();
        if (first < 1 || last < first - 1 || termBefore < 0 || lastTerm < 0) {
            throw new IllegalArgumentException("a START record of the log " + first + ".." + last);
        }
        if (oldest) {
            index.reset(first - 1, termBefore);
            for (long i = first; i <= last; i++) {
                index.append(EntryIndex.UNPLACED, 0, i == last ? lastTerm : EntryIndex.UNKNOWN_TERM);
            }
            return;
        }
        long knownLastTerm = index.lastTerm();
        if (first != index.firstIndex()
                || termBefore != index.termBeforeFirst()
                || last != index.lastIndex()
                || (knownLastTerm != EntryIndex.UNKNOWN_TERM && knownLastTerm != lastTerm)) {
            throw new IllegalArgumentException("the segment starts with the log " + first + ".." + last
                    + ", the segments before it end with " + index.firstIndex() + ".." + index.lastIndex());
        }
    }

    private static long position(Records.Header header, int entry) {
        return EntryIndex.position(header.sequence(), header.frameOffset(entry));
    }

    /** Whether no record follows {@code header}'s: the file ends, or preallocated zeros or a torn write follow. */
    private boolean isLast(long sequence, Records.Header header) throws IOException {
        return header.end() == size || header(sequence, header.end()) == null;
    }

    /** Whether every entry of the record passes its checks (for the last record, which may be torn). */
    private boolean whole(Records.Header header) throws IOException {
        if (header.count() == 0) {
            return true; // the header checksum covers all of it
        }
        ByteBuffer record = ByteBuffer.allocate(header.length());
        FileIo.readFully(channel, record, header.offset());
        try {
            for (int i = 0; i < header.count(); i++) {
                Records.decode(
                        record,
                        (int) (header.frameOffset(i) - header.offset()),
                        header.a() + i,
                        header.terms()[i],
                        header.payloadLengths()[i],
                        "the last record",
                        location);
            }
            return true;
        } catch (CorruptLogException torn) {
            return false;
        }
    }

    /** Whether the segment holds only zero bytes from {@code position} to its end. */
    private boolean zerosFrom(long position) throws IOException {
        for (long at = position; at < size; ) {
            int length = (int) Math.min(WINDOW_BYTES, size - at);
            ByteBuffer bytes = fill(at, length);
            for (int i = (int) (at - windowStart); i < (int) (at - windowStart) + length; i++) {
                if (bytes.get(i) != 0) {
                    return false;
                }
            }
            at += length;
        }
        return true;
    }

    /** Damage, not a torn write, if a valid record lies after {@code position}. */
    private void checkNoLaterRecord(long sequence, long position) throws IOException {
        for (long candidate = position + 1; candidate <= size - Records.HEADER_BYTES; candidate++) {
            ByteBuffer bytes = fill(candidate, Records.HEADER_BYTES);
            if (bytes.getInt((int) (candidate - windowStart)) != Records.MAGIC) {
                continue; // the cheap test first
            }
            Records.Header later = header(sequence, candidate);
            if (later != null) {
                throw corrupt("segment " + sequence + " is damaged at offset " + position
                        + ", and a record after it (at offset " + candidate
                        + ") shows it is not an unfinished write; the entries after " + index.lastIndex()
                        + " cannot be located. Restore this node's data from a peer");
            }
        }
    }

    /** The valid header at {@code position}, or null (damaged, torn, or the file ends inside it). */
    private Records.Header header(long sequence, long position) throws IOException {
        if (size - position < Records.HEADER_BYTES) {
            return null;
        }
        ByteBuffer fixed = fill(position, Records.HEADER_BYTES);
        int at = (int) (position - windowStart);
        if (!Records.plausible(fixed, at, sequence, position)) {
            return null;
        }
        long headerBytes = Records.HEADER_BYTES + (long) Records.tableBytes(fixed, at);
        if (position + headerBytes > size) {
            return null;
        }
        if (headerBytes > WINDOW_BYTES) {
            ByteBuffer whole = ByteBuffer.allocate((int) headerBytes);
            FileIo.readFully(channel, whole, position);
            return Records.parse(whole, 0, sequence, position);
        }
        ByteBuffer bytes = fill(position, (int) headerBytes);
        return Records.parse(bytes, (int) (position - windowStart), sequence, position);
    }

    /** The window, holding the {@code length} bytes at {@code position} (the file has them). */
    private ByteBuffer fill(long position, int length) throws IOException {
        if (windowStart < 0 || position < windowStart || position + length > windowStart + window.limit()) {
            window.clear().limit((int) Math.min(WINDOW_BYTES, size - position));
            FileIo.readFully(channel, window, position);
            windowStart = position;
        }
        return window;
    }

    private List<Long> listSequences() throws IOException {
        List<Long> sequences = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                long sequence = SegmentFiles.sequenceOf(file.getFileName().toString());
                if (sequence >= 0) {
                    sequences.add(sequence);
                }
            }
        }
        sequences.sort(null);
        return sequences;
    }

    private CorruptLogException corrupt(String detail) {
        return new CorruptLogException(index.lastIndex() + 1, location, detail);
    }
}
