package io.raftlog.examples.filestore;

import io.raftlog.api.CorruptLogException;
import io.raftlog.storage.files.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new log file holding only the entries present: how the store gives back the space of
 * truncated entries, which an append-only file otherwise keeps forever. The new file is complete
 * and forced before {@link FileLogStore} renames it over the old one, so a crash leaves the old
 * file or the new one, both the same log.
 *
 * <p>Frames are copied with their stored entry checksums: a payload damaged in the old file stays
 * detectably damaged in the new one, instead of getting a fresh checksum that would bless it.
 */
final class LogRewrite {
    /** The new file: where each present entry now lies, in order, and where the next operation goes. */
    record Result(long[] positions, long end) {}

    private LogRewrite() {}

    /**
     * Writes the entries of {@code index}, read through {@code from}, to {@code target}, after a
     * reset frame that makes the new log start where the old one does.
     *
     * @throws CorruptLogException if an entry's frame header is damaged (the rewrite is abandoned;
     *     reading that entry reports it, and a repair rewrites it)
     */
    static Result write(FileChannel from, EntryIndex index, Path target, String location) throws IOException {
        long first = index.firstIndex();
        long last = index.lastIndex();
        long[] positions = new long[(int) (last - first + 1)];
        try (FileChannel out = FileChannel.open(
                target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long at = 0;
            at += put(out, Frames.control(at, Frames.RESET, first - 1, index.termBeforeFirst()), at);
            for (long entry = first; entry <= last; entry++) {
                ByteBuffer frame = ByteBuffer.allocate((int) index.frameBytes(entry));
                FileIo.readFully(from, frame, index.position(entry));
                frame.flip();
                if (!Frames.relocate(frame, index.position(entry), at)) {
                    throw new CorruptLogException(
                            entry,
                            location,
                            "the frame header at file position " + index.position(entry)
                                    + " fails its CRC32C (found while rewriting the log)");
                }
                positions[(int) (entry - first)] = at;
                at += put(out, frame, at);
            }
            at += put(out, Frames.commitMarkers(at, last, index.lastTerm()), at);
            out.force(true);
            return new Result(positions, at);
        }
    }

    private static int put(FileChannel out, ByteBuffer frame, long position) throws IOException {
        int bytes = frame.remaining();
        FileIo.writeFully(out, frame, position);
        return bytes;
    }
}
