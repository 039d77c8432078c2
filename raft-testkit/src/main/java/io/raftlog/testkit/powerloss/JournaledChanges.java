package io.raftlog.testkit.powerloss;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.spi.FileSystemProvider;
import java.util.Set;

/**
 * The changes {@link PowerLossFileSystemProvider} follows under the journal's root, each made by
 * the built-in provider and recorded in the {@link Journal} under its lock, after a crash point:
 * opening a channel (which may create or truncate the file), deleting, renaming.
 */
final class JournaledChanges {
    private final FileSystemProvider delegate;
    private final Journal journal;

    JournaledChanges(FileSystemProvider delegate, Journal journal) {
        this.delegate = delegate;
        this.journal = journal;
    }

    /** Opens a channel on {@code real} (a built-in path under the root) that tells the journal what it changes. */
    FileChannel open(Path real, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        Path key = real.toAbsolutePath().normalize();
        synchronized (journal) {
            boolean writable =
                    options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
            BasicFileAttributes existing = attributesOrNull(delegate, key);
            boolean creates = writable
                    && existing == null
                    && (options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW));
            boolean truncates = writable
                    && existing != null
                    && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
                    && existing.size() > 0;
            if (creates || truncates) {
                journal.crashPoint(key, creates ? "create" : "truncate", 1);
            }
            if (truncates) {
                try (FileChannel reader = delegate.newFileChannel(key, Set.of(StandardOpenOption.READ))) {
                    journal.beforeTruncate(journal.node(key), 0, reader);
                }
            }
            FileChannel channel = delegate.newFileChannel(real, options, attrs);
            try {
                if (creates) {
                    journal.created(key, false);
                }
                if (writable) {
                    journal.touch(key);
                }
                Journal.Node node = journal.node(key);
                FileChannel reader =
                        node.directory ? null : delegate.newFileChannel(key, Set.of(StandardOpenOption.READ));
                return new JournaledFileChannel(
                        channel,
                        reader,
                        journal,
                        node,
                        options.contains(StandardOpenOption.APPEND),
                        options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /** Deletes {@code real}, which exists, keeping a copy a power cut could bring back. */
    void delete(Path real) throws IOException {
        synchronized (journal) {
            journal.crashPoint(real, "delete", 1);
            Journal.Node node = journal.node(real);
            Path copy = journal.keepCopy(real);
            try {
                delegate.delete(real);
            } catch (IOException e) {
                deleteQuietly(copy);
                throw e;
            }
            journal.deleted(node, copy);
        }
    }

    /** Renames {@code from}, which exists, to {@code to}; either may lie outside the root. */
    void move(Path from, Path to, CopyOption... options) throws IOException {
        synchronized (journal) {
            journal.crashPoint(journal.covers(to) ? to : from, "rename", 1);
            boolean replaces = attributesOrNull(delegate, to) != null && !from.equals(to);
            if (journal.covers(from) && journal.covers(to)) {
                Journal.Node node = journal.node(from);
                Journal.Node replaced = replaces ? journal.node(to) : null;
                Path copy = replaces ? journal.keepCopy(to) : null;
                moveOrForget(from, to, copy, options);
                journal.renamed(node, to, replaced, copy);
            } else if (journal.covers(to)) {
                Journal.Node replaced = replaces ? journal.node(to) : null;
                Path copy = replaces ? journal.keepCopy(to) : null;
                moveOrForget(from, to, copy, options);
                if (replaced != null) {
                    journal.deleted(replaced, copy);
                }
                journal.created(to, Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS));
            } else {
                Journal.Node node = journal.node(from);
                Path copy = journal.keepCopy(from);
                moveOrForget(from, to, copy, options);
                journal.deleted(node, copy);
            }
        }
    }

    static BasicFileAttributes attributesOrNull(FileSystemProvider delegate, Path real) throws IOException {
        try {
            return delegate.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void moveOrForget(Path from, Path to, Path copy, CopyOption... options) throws IOException {
        try {
            delegate.move(from, to, options);
        } catch (IOException e) {
            deleteQuietly(copy);
            throw e;
        }
    }

    private static void deleteQuietly(Path copy) {
        if (copy != null) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                // a kept copy nobody needs: leaving it is harmless
            }
        }
    }
}
