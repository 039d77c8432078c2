package io.raftlog.testkit.powerloss;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The default file system of the crash suite's power-loss child JVM
 * ({@code -Djava.nio.file.spi.DefaultFileSystemProvider=} this class): the built-in provider,
 * with every change under one directory recorded so a simulated power cut can undo what the disk
 * might not have kept. Public only because the JVM instantiates it by name; not an API.
 *
 * <p>Configured by system properties: {@value #ROOT_PROPERTY} (the directory to follow; without it
 * the provider only passes calls through), {@value #WORK_PROPERTY} (where it keeps copies of
 * deleted files and the images it takes), {@value #SEED_PROPERTY}, {@value #IMAGES_PROPERTY} (how
 * many crash points are taken on a copy before one cuts the power on the directory itself and halts
 * the JVM) and {@value #MEAN_GAP_PROPERTY} (the mean distance between crash points, in file
 * changes; a force counts 4, or 12 when it makes bytes overwritten in place durable, and a kind of
 * change not cut at yet counts more).
 *
 * <p><b>What it follows.</b> Everything through {@code java.nio.file} and the {@link FileChannel}s
 * it opens: writes, truncations, forces (of files and, opened for reading, of directories),
 * creating, deleting, renaming and copying files and directories, links. <b>What it cannot
 * see</b>: writes through a {@code MappedByteBuffer} (reported when a file is mapped for writing),
 * {@link AsynchronousFileChannel} (reported), {@code java.io.FileOutputStream},
 * {@code RandomAccessFile} and {@code File.delete/renameTo/mkdir} (which do not use
 * {@code java.nio.file} on JDK 17), and native code such as LMDB's. The crash suite notices files
 * that changed without passing here and fails the test saying so. Opening with
 * {@code DELETE_ON_CLOSE} and changes of attributes are not followed. Reads need no following:
 * whatever the API ({@code RandomAccessFile} opened for reading included), they see the live
 * files, and a power cut is applied to a copy, or to the directory as the JVM halts.
 *
 * <p><b>Threads.</b> Each change under the root is made under one lock, with its crash point, so a
 * simulated power cut sees whole calls of every thread.
 */
public final class PowerLossFileSystemProvider extends FileSystemProvider {
    /** The directory whose changes are followed. */
    public static final String ROOT_PROPERTY = "raftlog.tck.powerloss.root";
    /** A directory outside the root for images and kept copies. */
    public static final String WORK_PROPERTY = "raftlog.tck.powerloss.work";
    /** The seed of the crash points and of what each power cut loses. */
    public static final String SEED_PROPERTY = "raftlog.tck.powerloss.seed";
    /** Crash points taken on a copy before the one that halts the JVM. */
    public static final String IMAGES_PROPERTY = "raftlog.tck.powerloss.images";
    /** The mean gap between crash points. */
    public static final String MEAN_GAP_PROPERTY = "raftlog.tck.powerloss.meanGap";

    /** The exit status of a child JVM halted by the last power cut. */
    public static final int HALT_STATUS = Journal.HALTED;

    private final FileSystemProvider delegate;
    private final PowerLossFileSystem fileSystem;
    private final Journal journal;
    private final JournaledChanges changes;

    /** Called by the JVM with the built-in default provider. */
    public PowerLossFileSystemProvider(FileSystemProvider delegate) {
        this.delegate = delegate;
        FileSystem builtIn = delegate.getFileSystem(URI.create("file:///"));
        this.fileSystem = new PowerLossFileSystem(this, builtIn);
        String root = System.getProperty(ROOT_PROPERTY);
        this.journal = root == null
                ? null
                : new Journal(
                        builtIn.getPath(root),
                        builtIn.getPath(System.getProperty(WORK_PROPERTY, root + ".power-loss")),
                        Long.getLong(SEED_PROPERTY, 1),
                        Integer.getInteger(IMAGES_PROPERTY, 0),
                        Integer.getInteger(MEAN_GAP_PROPERTY, Journal.DEFAULT_MEAN_GAP));
        this.changes = journal == null ? null : new JournaledChanges(delegate, journal);
    }

    @Override
    public String getScheme() {
        return delegate.getScheme();
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        return delegate.newFileSystem(uri, env);
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        delegate.getFileSystem(uri); // checks the URI
        return fileSystem;
    }

    @Override
    public Path getPath(URI uri) {
        return fileSystem.wrap(delegate.getPath(uri));
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        Path real = PowerLossPath.unwrap(path);
        if (!follows(real)) {
            return delegate.newFileChannel(real, options, attrs);
        }
        return changes.open(real, options, attrs);
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(
            Path path, Set<? extends OpenOption> options, ExecutorService executor, FileAttribute<?>... attrs)
            throws IOException {
        Path real = PowerLossPath.unwrap(path);
        if (follows(real)) {
            journal.bypass(real + " is opened as an AsynchronousFileChannel, which power-loss mode does not follow");
        }
        return delegate.newAsynchronousFileChannel(real, options, executor, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        DirectoryStream<Path> stream =
                delegate.newDirectoryStream(PowerLossPath.unwrap(dir), entry -> filter.accept(fileSystem.wrap(entry)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> entries = stream.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return entries.hasNext();
                    }

                    @Override
                    public Path next() {
                        return fileSystem.wrap(entries.next());
                    }
                };
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        Path real = PowerLossPath.unwrap(dir);
        if (!follows(real)) {
            delegate.createDirectory(real, attrs);
            return;
        }
        synchronized (journal) {
            journal.crashPoint(real, "create directory", 1);
            delegate.createDirectory(real, attrs);
            journal.created(real, true);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Path real = PowerLossPath.unwrap(path);
        if (!follows(real) || JournaledChanges.attributesOrNull(delegate, real) == null) {
            delegate.delete(real); // outside the root, or missing: nothing to follow
            return;
        }
        changes.delete(real);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        Path to = PowerLossPath.unwrap(target);
        if (!follows(to)) {
            delegate.copy(PowerLossPath.unwrap(source), to, options);
            return;
        }
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        Path from = PowerLossPath.unwrap(source);
        if (Files.isDirectory(from)) {
            if (replace) {
                deleteIfExists(to);
            }
            createDirectory(to);
            return;
        }
        Set<StandardOpenOption> writeOptions = replace
                ? EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                : EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // Through this provider's own channel, so the copy's writes are followed like any others.
        try (FileChannel in = delegate.newFileChannel(from, Set.of(StandardOpenOption.READ));
                FileChannel out = newFileChannel(to, writeOptions)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                buffer.clear();
            }
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        Path from = PowerLossPath.unwrap(source).toAbsolutePath().normalize();
        Path to = PowerLossPath.unwrap(target).toAbsolutePath().normalize();
        if ((!follows(from) && !follows(to)) || JournaledChanges.attributesOrNull(delegate, from) == null) {
            delegate.move(from, to, options);
            return;
        }
        changes.move(from, to, options);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        Path real = PowerLossPath.unwrap(link);
        if (!follows(real)) {
            delegate.createSymbolicLink(real, PowerLossPath.unwrap(target), attrs);
            return;
        }
        synchronized (journal) {
            journal.crashPoint(real, "link", 1);
            delegate.createSymbolicLink(real, PowerLossPath.unwrap(target), attrs);
            journal.created(real, false);
        }
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        Path real = PowerLossPath.unwrap(link);
        if (!follows(real)) {
            delegate.createLink(real, PowerLossPath.unwrap(existing));
            return;
        }
        synchronized (journal) {
            journal.crashPoint(real, "link", 1);
            delegate.createLink(real, PowerLossPath.unwrap(existing));
            journal.created(real, false);
        }
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return fileSystem.wrap(delegate.readSymbolicLink(PowerLossPath.unwrap(link)));
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return delegate.isSameFile(PowerLossPath.unwrap(path), PowerLossPath.unwrap(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return delegate.isHidden(PowerLossPath.unwrap(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return delegate.getFileStore(PowerLossPath.unwrap(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        delegate.checkAccess(PowerLossPath.unwrap(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return delegate.getFileAttributeView(PowerLossPath.unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return delegate.readAttributes(PowerLossPath.unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return delegate.readAttributes(PowerLossPath.unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        delegate.setAttribute(PowerLossPath.unwrap(path), attribute, value, options);
    }

    private boolean follows(Path real) {
        return journal != null && journal.covers(real);
    }
}
