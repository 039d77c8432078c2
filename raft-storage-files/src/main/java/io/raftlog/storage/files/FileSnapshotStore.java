package io.raftlog.storage.files;

import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.SnapshotStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} keeping each snapshot as one file in a directory, named for its index and
 * term: {@code snapshot-<index, 20 digits>-<term>.snap}. Other files in the directory are ignored.
 *
 * <p><b>Durability.</b> A writer fills a temporary {@code snapshot-*.tmp} file in the same
 * directory; {@link SnapshotWriter#commit()} forces it to disk, renames it atomically onto its
 * final name, deletes the snapshot it replaces at the same index (if that had another term), and
 * forces the directory, so the rename survives a power loss. {@link #open(Path)} deletes the
 * temporary files a crash left. If a crash came between the rename and the delete of a replaced
 * snapshot of another term, opening keeps the one with the higher term.
 *
 * <p><b>Threads.</b> Thread-safe: the set of snapshots is guarded by the store's monitor. Each
 * reader has its own channel and reads at a position, so a reader opened before a delete keeps
 * reading the unlinked file (POSIX semantics).
 *
 * <p><b>Errors.</b> I/O failures throw {@link StorageException} naming the file or directory and
 * what was being done; calls after {@link #close()} throw {@link IllegalStateException}. The store
 * holds no lock on its directory: open one store per directory. raftlog's storage modules keep the
 * snapshots in a subdirectory of the log store's data directory and open them after the log store,
 * whose {@link DirectoryLock} keeps a second process out of both; a plugin does the same.
 *
 * <pre>{@code
 * LogStore log = MyLogStore.open(dataDirectory);              // takes the DirectoryLock
 * SnapshotStore snapshots = FileSnapshotStore.open(dataDirectory.resolve("snapshots"));
 * }</pre>
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final String PREFIX = "snapshot-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{1,19})\\.snap");

    /** A committed snapshot and the file that holds it. */
    record Stored(SnapshotInfo info, Path file) {}

    private final Path directory;
    private final String location;
    // All guarded by this.
    private final NavigableMap<Long, Stored> snapshots;
    private final Set<FileSnapshotWriter> writers = new HashSet<>();
    private final Set<FileSnapshotReader> readers = new HashSet<>();
    private boolean closed;

    private FileSnapshotStore(Path directory, NavigableMap<Long, Stored> snapshots) {
        this.directory = directory;
        this.location = directory.toString();
        this.snapshots = snapshots;
    }

    /**
     * Opens the snapshots in {@code directory} (created if missing), deleting the temporary files
     * of writers a crash interrupted.
     *
     * @throws StorageException if the directory cannot be created, listed or cleaned
     */
    public static FileSnapshotStore open(Path directory) {
        Path absolute = directory.toAbsolutePath();
        createDirectory(absolute);
        NavigableMap<Long, Stored> found = new TreeMap<>();
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(absolute)) {
            for (Path file : files) {
                scan(file, found, leftovers);
            }
        } catch (IOException | DirectoryIteratorException e) {
            IOException cause = e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e;
            throw new StorageException("cannot list snapshot directory " + absolute + ": " + FileIo.reason(cause), e);
        }
        if (!leftovers.isEmpty()) {
            for (Path file : leftovers) {
                deleteFile(file, "delete the leftover of an interrupted snapshot");
            }
            LOG.info("Deleted {} leftover snapshot file(s) in {}: {}", leftovers.size(), absolute, leftovers);
        }
        FileSnapshotStore store = new FileSnapshotStore(absolute, found);
        if (!leftovers.isEmpty()) {
            store.syncDirectory("deleting leftover files");
        }
        return store;
    }

    /** The name of the file that holds the snapshot at ({@code index}, {@code term}). */
    static String fileName(long index, long term) {
        return String.format("%s%020d-%d.snap", PREFIX, index, term);
    }

    /** The prefix of a writer's temporary file ({@code createTempFile} adds digits and the suffix). */
    private static String tempPrefix(long index, long term) {
        return String.format("%s%020d-%d-", PREFIX, index, term);
    }

    private static void scan(Path file, Map<Long, Stored> found, List<Path> leftovers) throws IOException {
        String name = file.getFileName().toString();
        if (name.startsWith(PREFIX) && name.endsWith(TEMP_SUFFIX)) {
            leftovers.add(file);
            return;
        }
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches() || !Files.isRegularFile(file)) {
            return; // not ours
        }
        long index;
        long term;
        try {
            index = Long.parseLong(matcher.group(1));
            term = Long.parseLong(matcher.group(2));
        } catch (NumberFormatException e) {
            return; // digits beyond a long: not a name this store writes
        }
        if (index < 1 || term < 1) {
            return;
        }
        Stored stored = new Stored(new SnapshotInfo(index, term, Files.size(file)), file);
        Stored other = found.get(index);
        if (other == null) {
            found.put(index, stored);
        } else if (other.info().term() < term) {
            // A crash between a replacing commit's rename and its delete: keep one per index.
            leftovers.add(other.file());
            found.put(index, stored);
        } else {
            leftovers.add(file);
        }
    }

    @Override
    public synchronized List<SnapshotInfo> list() {
        checkOpen();
        List<SnapshotInfo> infos = new ArrayList<>(snapshots.size());
        for (Stored stored : snapshots.values()) {
            infos.add(stored.info());
        }
        return List.copyOf(infos);
    }

    @Override
    public SnapshotWriter create(long index, long term) {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException(
                    "a snapshot has index >= 1 and term >= 1, got index " + index + " and term " + term);
        }
        synchronized (this) {
            checkOpen();
            String prefix = tempPrefix(index, term);
            Path temp;
            try {
                temp = Files.createTempFile(directory, prefix, TEMP_SUFFIX);
            } catch (IOException e) {
                throw new StorageException(
                        "cannot create a temporary snapshot file " + prefix + "*" + TEMP_SUFFIX + " in " + directory
                                + ": " + FileIo.reason(e),
                        e);
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(temp, StandardOpenOption.WRITE);
            } catch (IOException e) {
                deleteQuietly(temp);
                throw new StorageException(
                        "cannot open temporary snapshot file " + temp + " for writing: " + FileIo.reason(e), e);
            }
            FileSnapshotWriter writer = new FileSnapshotWriter(this, index, term, temp, channel);
            writers.add(writer);
            return writer;
        }
    }

    @Override
    public synchronized SnapshotReader open(long index) {
        checkOpen();
        Stored stored = snapshots.get(index);
        if (stored == null) {
            throw new IllegalArgumentException("there is no snapshot at index " + index + " in " + location);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(stored.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StorageException(
                    "cannot open snapshot file " + stored.file() + " for reading: " + FileIo.reason(e), e);
        }
        FileSnapshotReader reader = new FileSnapshotReader(this, stored, channel);
        readers.add(reader);
        return reader;
    }

    @Override
    public synchronized void delete(long index) {
        checkOpen();
        Stored stored = snapshots.get(index);
        if (stored == null) {
            return;
        }
        deleteFile(stored.file(), "delete snapshot " + index);
        snapshots.remove(index);
        syncDirectory("deleting snapshot " + index);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void close() {
        List<FileSnapshotWriter> openWriters;
        List<FileSnapshotReader> openReaders;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            openWriters = new ArrayList<>(writers);
            openReaders = new ArrayList<>(readers);
            writers.clear();
            readers.clear();
        }
        // Outside the monitor: a writer takes its own lock, then the store's.
        StorageException failure = null;
        for (FileSnapshotWriter writer : openWriters) {
            try {
                writer.abort();
            } catch (StorageException e) {
                failure = addFailure(failure, e);
            }
        }
        for (FileSnapshotReader reader : openReaders) {
            try {
                reader.close();
            } catch (StorageException e) {
                failure = addFailure(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "FileSnapshotStore[" + location + "]";
    }

    /**
     * Publishes a writer's forced and closed temporary file as the snapshot {@code info}: the
     * commit point of {@link FileSnapshotWriter#commit()}.
     */
    synchronized void publish(FileSnapshotWriter writer, Path temp, SnapshotInfo info) {
        writers.remove(writer);
        if (closed) {
            deleteQuietly(temp);
            throw new IllegalStateException(
                    "the snapshot store in " + location + " is closed; snapshot " + info.index() + " was abandoned");
        }
        Path target = directory.resolve(fileName(info.index(), info.term()));
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new StorageException(
                    "cannot rename " + temp + " to " + target + " to commit snapshot " + info.index() + ": "
                            + FileIo.reason(e),
                    e);
        }
        Stored replaced = snapshots.put(info.index(), new Stored(info, target));
        if (replaced != null && !replaced.file().equals(target)) {
            deleteFile(
                    replaced.file(),
                    "delete snapshot " + info.index() + " of term "
                            + replaced.info().term() + ", replaced by one of term " + info.term());
        }
        syncDirectory("committing snapshot " + info.index());
    }

    synchronized void forget(FileSnapshotWriter writer) {
        writers.remove(writer);
    }

    synchronized void forget(FileSnapshotReader reader) {
        readers.remove(reader);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the snapshot store in " + location + " is closed");
        }
    }

    /**
     * Forces the directory so renames and deletes in it survive a power loss. Some platforms
     * (Windows) cannot open a directory as a channel; there the rename is as durable as the OS makes
     * it, and the failure to open is ignored. A failing force is an error everywhere.
     */
    private void syncDirectory(String after) {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException e) {
            return;
        }
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            throw new StorageException(
                    "cannot sync snapshot directory " + directory + " after " + after + ": " + FileIo.reason(e), e);
        }
    }

    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException("snapshot directory " + directory + " exists but is not a directory", e);
        } catch (IOException e) {
            throw new StorageException("cannot create snapshot directory " + directory + ": " + FileIo.reason(e), e);
        }
    }

    static void deleteFile(Path file, String doing) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("cannot " + doing + ": deleting " + file + " failed: " + FileIo.reason(e), e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // already failing with a more useful error; the next open deletes the temporary file
        }
    }

    private static StorageException addFailure(StorageException first, StorageException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
