package io.raftlog.testkit.tiny;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.api.spi.storage.LogStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small file {@link LogStore} for testing the crash and corruption suites: correct with
 * {@link Flaw#NONE}, and with one deliberate bug otherwise.
 *
 * <p>Every call appends one record ({@link TinyRecords}) to {@code log}, forces it, then writes
 * the log's committed length into one of two 20-byte slots of {@code head} (sequence number,
 * length, CRC32C; the slots alternate so a torn slot leaves the other) and forces that. Opening
 * replays the log: below the committed length any damage is corruption and fails loudly; past it,
 * a record failing its checksum is a write a crash interrupted and is cut off. Payloads are read
 * from the file on each read and checked there. Everything else lives in memory.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public class TinyFileLogStore implements LogStore {
    /** The deliberate bugs. */
    public enum Flaw {
        NONE,
        /** Never calls {@code force}: only the page cache holds what it wrote. */
        NO_FORCE,
        /** Forces its files but never the directory that holds them. */
        NO_DIRECTORY_FORCE,
        /** Appends a batch one entry (one durable record) at a time. */
        NON_ATOMIC_BATCH,
        /** Does not check payload checksums when reading. */
        NO_READ_CHECK,
        /** Keeps the hard state in its own file, overwritten in place. */
        HARD_STATE_IN_PLACE,
        /** Correct, but opens its files with {@code java.io.RandomAccessFile}, past {@code java.nio.file}. */
        JAVA_IO,
        /** Takes any damaged record for a write a crash cut short, and drops it and all after it. */
        DAMAGE_TAKEN_FOR_A_TORN_TAIL,
        /**
         * Correct, and reads its log (at open, and every payload) through a {@code java.io.RandomAccessFile}
         * opened for reading, past {@code java.nio.file}: power-loss mode follows changes only, so reads
         * like these must pass it.
         */
        RANDOM_ACCESS_FILE_READS
    }

    private static final int SLOT_BYTES = 20;
    private static final int SLOT_DISTANCE = 512;

    private final Path directory;
    private final Flaw flaw;
    private final FileChannel log;
    private final FileChannel head;
    private final FileChannel hard;
    /** The log opened for reading with java.io, for {@link Flaw#RANDOM_ACCESS_FILE_READS}; else null. */
    private final RandomAccessFile randomAccessReads;

    private final TinyLogState state;
    private long logLength;
    private long headSeq;
    private boolean closed;

    private TinyFileLogStore(Path directory, Flaw flaw) throws IOException {
        this.directory = directory;
        this.flaw = flaw;
        this.state = new TinyLogState(directory.toString());
        Files.createDirectories(directory);
        boolean fresh = !Files.exists(directory.resolve("log"));
        this.log = open("log");
        this.head = open("head");
        this.hard = flaw == Flaw.HARD_STATE_IN_PLACE ? open("hard") : null;
        this.randomAccessReads = flaw == Flaw.RANDOM_ACCESS_FILE_READS
                ? new RandomAccessFile(directory.resolve("log").toFile(), "r")
                : null;
        if (fresh) {
            forceDirectory();
        }
        TinyLogScan.scan(this, committedLength());
        if (hard != null && hard.size() > 0) {
            state.hardState = readHardStateInPlace();
        }
    }

    /** Opens (creating if needed) a store in {@code directory} with {@code flaw}. */
    public static TinyFileLogStore open(Path directory, Flaw flaw) {
        try {
            return new TinyFileLogStore(directory, flaw);
        } catch (IOException e) {
            throw new StorageException("cannot open the tiny store in " + directory + ": " + e, e);
        }
    }

    @Override
    public synchronized HardState hardState() {
        checkOpen();
        return state.hardState;
    }

    @Override
    public synchronized void saveHardState(HardState state) {
        checkOpen();
        if (hard != null) {
            byte[] body = TinyRecords.encodeHardState(state);
            ByteBuffer record = ByteBuffer.allocate(body.length + 4)
                    .put(body)
                    .putInt(TinyRecords.crc(body, 0, body.length))
                    .flip();
            io(() -> {
                writeFully(hard, record, 0);
                force(hard);
            });
            this.state.hardState = state;
            return;
        }
        commit(TinyRecords.hardState(state));
    }

    @Override
    public synchronized void replace(LogEntry entry) {
        checkOpen();
        if (!state.holds(entry.index())) {
            throw new IllegalArgumentException(
                    "replace(" + entry.index() + ") is outside " + state.first + ".." + state.last());
        }
        commit(TinyRecords.batch(TinyRecords.REPLACE, List.of(entry)));
    }

    @Override
    public synchronized Optional<Bytes> metadata(String name) {
        LogStore.checkMetadata(name, null);
        checkOpen();
        return state.metadata(name);
    }

    @Override
    public synchronized void saveMetadata(String name, Bytes value) {
        LogStore.checkMetadata(name, value);
        checkOpen();
        commit(TinyRecords.metadata(name, value));
    }

    @Override
    public synchronized long firstIndex() {
        checkOpen();
        return state.first;
    }

    @Override
    public synchronized long lastIndex() {
        checkOpen();
        return state.last();
    }

    @Override
    public synchronized long term(long index) {
        checkOpen();
        if (index == state.first - 1) {
            return state.termBeforeFirst;
        }
        if (!state.holds(index)) {
            throw new IllegalArgumentException(
                    "term(" + index + ") is outside " + (state.first - 1) + ".." + state.last());
        }
        return state.ref(index).term();
    }

    @Override
    public synchronized void append(List<LogEntry> entries) {
        checkOpen();
        long expected = state.last() + 1;
        long lastTerm = state.lastTerm();
        for (LogEntry entry : entries) {
            if (entry.index() != expected || entry.term() < lastTerm) {
                throw new IllegalArgumentException("entry " + entry.index() + " in term " + entry.term()
                        + " does not continue the log at " + expected + " in term " + lastTerm + " or later");
            }
            lastTerm = entry.term();
            expected++;
        }
        if (entries.isEmpty()) {
            return;
        }
        if (flaw == Flaw.NON_ATOMIC_BATCH) {
            for (LogEntry entry : entries) {
                commit(TinyRecords.batch(TinyRecords.BATCH, List.of(entry)));
            }
        } else {
            commit(TinyRecords.batch(TinyRecords.BATCH, entries));
        }
    }

    @Override
    public synchronized void truncateSuffix(long fromIndex) {
        checkOpen();
        checkBoundary("truncateSuffix", fromIndex);
        commit(TinyRecords.longs(TinyRecords.TRUNCATE_SUFFIX, fromIndex));
    }

    @Override
    public synchronized void truncatePrefix(long toIndex) {
        checkOpen();
        checkBoundary("truncatePrefix", toIndex);
        commit(TinyRecords.longs(TinyRecords.TRUNCATE_PREFIX, toIndex, term(toIndex - 1)));
    }

    @Override
    public synchronized void reset(long index, long term) {
        LogStore.checkReset(index, term);
        checkOpen();
        commit(TinyRecords.longs(TinyRecords.RESET, index, term));
    }

    @Override
    public synchronized List<LogEntry> read(long fromIndex, int maxEntries, long maxBytes) {
        checkOpen();
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxEntries and maxBytes must be positive");
        }
        checkBoundary("read", fromIndex);
        List<LogEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (long index = fromIndex; index <= state.last() && entries.size() < maxEntries; index++) {
            TinyLogState.Ref ref = state.ref(index);
            long size = LogEntry.sizeInBytes(ref.length()); // before reading the payload
            if (!entries.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            entries.add(new LogEntry(index, ref.term(), ref.type(), payload(index, ref)));
            bytes += size;
        }
        return entries;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        io(() -> {
            log.close();
            head.close();
            if (hard != null) {
                hard.close();
            }
            if (randomAccessReads != null) {
                randomAccessReads.close();
            }
        });
    }

    // ---- used by TinyLogScan while opening -----------------------------------------------------

    Path directory() {
        return directory;
    }

    Flaw flaw() {
        return flaw;
    }

    FileChannel log() {
        return log;
    }

    void cutTail(long offset) throws IOException {
        log.truncate(offset);
        force(log);
    }

    void scanned(long length) {
        logLength = length;
    }

    TinyLogState state() {
        return state;
    }

    // ---- internals -----------------------------------------------------------------------------

    private void commit(ByteBuffer record) {
        long at = logLength;
        io(() -> {
            writeFully(log, record.duplicate(), at);
            force(log);
            writeHead(at + record.remaining());
        });
        logLength = at + record.remaining();
        byte[] body = new byte[record.remaining() - TinyRecords.HEADER_BYTES];
        record.get(TinyRecords.HEADER_BYTES, body);
        state.apply(record.get(0), ByteBuffer.wrap(body), at + TinyRecords.HEADER_BYTES);
    }

    private void writeHead(long length) throws IOException {
        long seq = ++headSeq;
        ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES).putLong(seq).putLong(length);
        slot.putInt(TinyRecords.crc(slot, 0, 16)).flip();
        writeFully(head, slot, (seq % 2) * SLOT_DISTANCE);
        force(head);
    }

    /** The committed length in the newer intact slot of {@code head} (0 if neither is). */
    private long committedLength() throws IOException {
        long length = 0;
        for (int slot = 0; slot < 2; slot++) {
            ByteBuffer bytes = readAt(head, slot * (long) SLOT_DISTANCE, SLOT_BYTES);
            if (bytes.remaining() == SLOT_BYTES
                    && TinyRecords.crc(bytes, 0, 16) == bytes.getInt(16)
                    && bytes.getLong(0) > headSeq) {
                headSeq = bytes.getLong(0);
                length = bytes.getLong(8);
            }
        }
        return length;
    }

    private HardState readHardStateInPlace() throws IOException {
        ByteBuffer bytes = readAt(hard, 0, (int) hard.size());
        int voteLength = bytes.remaining() > 8 ? bytes.get(8) : -1;
        if (voteLength < 0
                || 9 + voteLength + 4 > bytes.remaining()
                || TinyRecords.crc(bytes, 0, 9 + voteLength) != bytes.getInt(9 + voteLength)) {
            throw new StorageException("the hard state in " + directory + " is corrupt (torn?)");
        }
        return TinyRecords.decodeHardState(bytes.duplicate().limit(9 + voteLength));
    }

    private Bytes payload(long index, TinyLogState.Ref ref) {
        ByteBuffer[] read = new ByteBuffer[1];
        io(() -> read[0] = readLog(ref.payloadOffset(), ref.length()));
        ByteBuffer payload = read[0];
        if (payload.remaining() < ref.length()) {
            throw new CorruptLogException(index, directory.toString(), "the payload is cut short");
        }
        if (flaw != Flaw.NO_READ_CHECK
                && TinyRecords.payloadChecksum(
                                index, ref.term(), (byte) ref.type().code(), payload.duplicate())
                        != ref.checksum()) {
            throw new CorruptLogException(index, directory.toString(), "the payload fails its checksum");
        }
        return Bytes.wrap(payload);
    }

    /** Up to {@code length} bytes of the log from {@code position}, fewer at its end; flipped. */
    ByteBuffer readLog(long position, int length) throws IOException {
        if (randomAccessReads == null) {
            return readAt(log, position, length);
        }
        byte[] bytes = new byte[length];
        randomAccessReads.seek(position);
        int filled = 0;
        while (filled < length) {
            int read = randomAccessReads.read(bytes, filled, length - filled);
            if (read < 0) {
                break; // the end of the file
            }
            filled += read;
        }
        return ByteBuffer.wrap(bytes, 0, filled);
    }

    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining() && channel.read(bytes, position + bytes.position()) >= 0) {
            // until full or at the end of the file
        }
        return bytes.flip();
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    private void force(FileChannel channel) throws IOException {
        if (flaw != Flaw.NO_FORCE) {
            channel.force(false);
        }
    }

    private void forceDirectory() throws IOException {
        if (flaw == Flaw.NO_FORCE || flaw == Flaw.NO_DIRECTORY_FORCE) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @SuppressWarnings("resource") // the channel closes the file
    private FileChannel open(String name) throws IOException {
        if (flaw == Flaw.JAVA_IO) {
            return new java.io.RandomAccessFile(directory.resolve(name).toFile(), "rw").getChannel();
        }
        return FileChannel.open(
                directory.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private void checkBoundary(String operation, long index) {
        if (index < state.first || index > state.last() + 1) {
            throw new IllegalArgumentException(operation + "(" + index + ") is outside " + state.first + ".."
                    + (state.last() + 1) + " (firstIndex..lastIndex + 1)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the tiny store in " + directory + " is closed");
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private void io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new StorageException("I/O on the tiny store in " + directory + " failed: " + e, e);
        }
    }
}
