package io.raftlog.examples.filestore;

import io.raftlog.api.CorruptLogException;
import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.storage.files.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the {@link EntryIndex} from the log file at open: replays every operation that ends in a
 * commit marker, and cuts off what comes after the last one — an operation a crash interrupted,
 * which its caller never saw succeed.
 *
 * <p>A frame whose header fails its checksum is either that torn tail or damage to data that was
 * durable. They differ in what follows: a torn write is the end of the file, whereas damage is
 * followed by later operations. So on a bad header, the rest of the file is searched for a valid
 * commit marker; if one is found the store refuses to open ({@link CorruptLogException}) rather
 * than cut off acknowledged entries. Reads only headers: payloads are checked when read.
 */
final class LogRecovery {
    private static final int WINDOW_BYTES = 1 << 20;

    /** What the file holds: its entries, and where the next operation goes. */
    record Result(EntryIndex index, long end, long discardedBytes) {}

    private final FileChannel channel;
    private final String location;
    private final long size;
    private final EntryIndex index = new EntryIndex();
    private final List<Frames.Header> pending = new ArrayList<>();
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart = -1;
    /** Whether the last operation's second marker is missing (a crash came between the two). */
    private boolean secondCopyMissing;

    private LogRecovery(FileChannel channel, String location) throws IOException {
        this.channel = channel;
        this.location = location;
        this.size = channel.size();
    }

    /**
     * Replays the log in {@code channel}, and truncates the file after its last committed operation.
     *
     * @throws CorruptLogException if damage is found before the last committed operation
     */
    static Result recover(FileChannel channel, String location) throws IOException {
        LogRecovery recovery = new LogRecovery(channel, location);
        long end = recovery.replay();
        long discarded = recovery.size - end;
        if (discarded > 0) {
            channel.truncate(end);
        }
        if (recovery.secondCopyMissing) {
            // A crash cut the second copy of the last marker: write it, so that every operation in
            // the file is followed by two marker slots and the next one starts after both.
            ByteBuffer copy = Frames.control(end, Frames.COMMIT, recovery.index.lastIndex(), recovery.index.lastTerm());
            FileIo.writeFully(channel, copy, end);
            end += Frames.HEADER_BYTES;
        }
        if (discarded > 0 || recovery.secondCopyMissing) {
            channel.force(true);
        }
        return new Result(recovery.index, end, discarded);
    }

    /** Returns the end of the last committed operation (after its second marker, if that is there). */
    private long replay() throws IOException {
        long committedEnd = 0;
        long position = 0;
        while (size - position >= Frames.HEADER_BYTES) {
            Frames.Header header = header(position);
            boolean firstCopyDamaged = false;
            if (header == null && !pending.isEmpty()) {
                // The damaged frame may be the first copy of a commit marker: then the second decides.
                header = commitAt(position + Frames.HEADER_BYTES);
                firstCopyDamaged = header != null;
            }
            if (header == null) {
                checkNoLaterCommit(position);
                break;
            }
            if (header.end() > size) {
                break; // the tail of a write a crash cut short
            }
            position = header.end();
            if (header.kind() != Frames.COMMIT) {
                pending.add(header);
                continue;
            }
            commit(header);
            secondCopyMissing = false;
            if (!firstCopyDamaged) {
                // The first copy is intact: skip the second, whatever its state.
                secondCopyMissing = size - position < Frames.HEADER_BYTES;
                if (!secondCopyMissing) {
                    position += Frames.HEADER_BYTES;
                }
            }
            committedEnd = position;
        }
        return committedEnd;
    }

    /** Applies the pending operation, and checks that the log ends where its marker says. */
    private void commit(Frames.Header marker) {
        try {
            for (Frames.Header frame : pending) {
                apply(frame);
            }
        } catch (IllegalArgumentException inconsistent) {
            throw corrupt(
                    marker.position(),
                    "a committed operation does not fit the log before it: " + inconsistent.getMessage());
        }
        pending.clear();
        if (marker.index() != index.lastIndex() || marker.term() != index.lastTerm()) {
            throw corrupt(
                    marker.position(),
                    "the commit marker says the log ends at " + marker.index() + " in term " + marker.term()
                            + ", the replay ends at " + index.lastIndex() + " in term " + index.lastTerm());
        }
    }

    private void apply(Frames.Header frame) {
        switch (frame.kind()) {
            case Frames.ENTRY -> {
                if (frame.index() != index.lastIndex() + 1 || frame.term() < index.lastTerm()) {
                    throw new IllegalArgumentException("entry " + frame.index() + " in term " + frame.term()
                            + " does not continue the log at " + index.lastIndex() + " in term " + index.lastTerm());
                }
                index.append(frame.position(), frame.payloadLength(), frame.term());
            }
            case Frames.REPLACE -> {
                if (frame.index() < index.firstIndex()
                        || frame.index() > index.lastIndex()
                        || frame.term() != index.term(frame.index())) {
                    throw new IllegalArgumentException("replacement of entry " + frame.index() + " in term "
                            + frame.term() + " matches no stored entry");
                }
                index.replace(frame.index(), frame.position(), frame.payloadLength());
            }
            case Frames.TRUNCATE_SUFFIX -> {
                index.checkBoundary("truncateSuffix", frame.index());
                index.truncateSuffix(frame.index());
            }
            case Frames.TRUNCATE_PREFIX -> {
                index.checkBoundary("truncatePrefix", frame.index());
                if (frame.term() != index.term(frame.index() - 1)) {
                    throw new IllegalArgumentException("truncatePrefix(" + frame.index() + ") says the entry before"
                            + " has term " + frame.term() + ", the log says " + index.term(frame.index() - 1));
                }
                index.truncatePrefix(frame.index());
            }
            case Frames.RESET -> {
                LogStore.checkReset(frame.index(), frame.term());
                index.reset(frame.index(), frame.term());
            }
            default -> throw new IllegalArgumentException("unexpected frame kind " + frame.kind());
        }
    }

    /** Damage, not a torn write, if any valid commit marker lies after {@code position}. */
    private void checkNoLaterCommit(long position) throws IOException {
        for (long candidate = position + 1; candidate <= size - Frames.HEADER_BYTES; candidate++) {
            ByteBuffer bytes = fill(candidate);
            if (bytes.getLong((int) (candidate - windowStart)) != candidate) {
                continue; // the cheap test first: a frame's first 8 bytes are its own position
            }
            Frames.Header header = header(candidate);
            if (header != null && header.kind() == Frames.COMMIT) {
                throw corrupt(
                        position,
                        "the frame there is damaged, and operations committed after it"
                                + " (at position " + candidate
                                + ") show it is not an unfinished write; the entries after "
                                + index.lastIndex() + " cannot be located. Restore this node's data from a peer");
            }
        }
    }

    /** The valid commit marker at {@code position}, or null. */
    private Frames.Header commitAt(long position) throws IOException {
        if (size - position < Frames.HEADER_BYTES) {
            return null;
        }
        Frames.Header header = header(position);
        return header != null && header.kind() == Frames.COMMIT ? header : null;
    }

    private Frames.Header header(long position) throws IOException {
        ByteBuffer bytes = fill(position);
        return Frames.parse(bytes, (int) (position - windowStart), position);
    }

    /** The window, holding at least the header at {@code position} (the file has one there). */
    private ByteBuffer fill(long position) throws IOException {
        if (windowStart < 0
                || position < windowStart
                || position + Frames.HEADER_BYTES > windowStart + window.limit()) {
            window.clear().limit((int) Math.min(WINDOW_BYTES, size - position));
            FileIo.readFully(channel, window, position);
            windowStart = position;
        }
        return window;
    }

    private CorruptLogException corrupt(long position, String detail) {
        long entry = index.lastIndex()
                + 1
                + pending.stream().filter(f -> f.kind() == Frames.ENTRY).count();
        return new CorruptLogException(entry, location, "log file damaged at position " + position + ": " + detail);
    }
}
