package io.raftlog.testkit.powerloss;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Turns a directory that mirrors the journal's root into what a power cut at this moment might
 * leave on the disk, undoing some or all of what the {@link Journal} holds:
 *
 * <ul>
 *   <li>entry changes (files and directories created, deleted, renamed) since the last directory
 *       force: the newest ones are undone, down to a random point, as a journaling file system
 *       that commits them in order would lose them;</li>
 *   <li>each unforced write, per 512-byte sector: lost, kept, or torn (its first bytes kept, the
 *       rest lost); a write that overwrote bytes in place is torn in six sectors of ten, one that
 *       extended the file in one of ten. Once a
 *       sector keeps a version, the writes before it stay too;</li>
 *   <li>each file's size: any size it had since it was last forced (bytes it gains that no kept
 *       write covers read as zeros).</li>
 * </ul>
 *
 * <p>One cut in four loses everything unforced. Bytes that were forced are never changed: the
 * model assumes a disk does not damage what it already made durable.
 */
final class PowerCut {
    static final int SECTOR_BYTES = 512;

    private final Journal journal;
    private final Path target;
    private final Random random;
    private final boolean loseAll;
    private final IdentityHashMap<Journal.Node, Path> where = new IdentityHashMap<>();

    PowerCut(Journal journal, Path target) {
        this.journal = journal;
        this.target = target;
        this.random = journal.random();
        this.loseAll = random.nextInt(4) == 0;
    }

    void apply() throws IOException {
        for (Journal.Node node : journal.nodes()) {
            where.put(node, node.path);
        }
        List<Journal.EntryChange> entries = journal.entries();
        for (Journal.EntryChange change : entries) {
            for (Journal.Node node : change.moved()) {
                where.putIfAbsent(node, null); // deleted before the cut: gone unless brought back
            }
            if (change.replaced() != null) {
                where.putIfAbsent(change.replaced(), null);
            }
        }
        int cut = loseAll ? 0 : random.nextInt(entries.size() + 1);
        for (int i = entries.size() - 1; i >= cut; i--) {
            undo(entries.get(i));
        }
        for (Map.Entry<Journal.Node, Path> placed : where.entrySet()) {
            Journal.Node node = placed.getKey();
            if (placed.getValue() != null && !node.directory && !node.pending.isEmpty()) {
                undoData(node, place(placed.getValue()));
            }
        }
    }

    private void undo(Journal.EntryChange change) throws IOException {
        if (change.from() == null) {
            deleteTree(place(change.to()));
            where.put(change.node(), null);
        } else if (change.to() == null) {
            bringBack(change.node(), change.from(), change.copy());
        } else {
            Files.move(place(change.to()), place(change.from()));
            for (Journal.Node node : change.moved()) {
                Path now = where.get(node);
                if (now != null) {
                    where.put(node, change.from().resolve(change.to().relativize(now)));
                }
            }
            if (change.replaced() != null) {
                bringBack(change.replaced(), change.to(), change.replacedCopy());
            }
        }
    }

    private void bringBack(Journal.Node node, Path path, Path copy) throws IOException {
        Path place = place(path);
        if (node.directory) {
            Files.createDirectories(place);
        } else {
            Files.copy(copy, place, StandardCopyOption.REPLACE_EXISTING);
        }
        where.put(node, path);
    }

    private void undoData(Journal.Node node, Path file) throws IOException {
        List<Journal.DataChange> changes = node.pending;
        long[] sizes = new long[changes.size() + 1];
        sizes[0] = changes.get(0).oldSize;
        long largest = Math.max(sizes[0], Files.size(file));
        for (int i = 0; i < changes.size(); i++) {
            sizes[i + 1] = changes.get(i).newSize();
            largest = Math.max(largest, Math.max(sizes[i + 1], changes.get(i).oldSize));
        }
        byte[] content = new byte[Math.toIntExact(largest)];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read it all; what lies past the end stays zero
            }
        }
        Set<Long> kept = new HashSet<>();
        for (int i = changes.size() - 1; i >= 0; i--) {
            undoSectors(changes.get(i), content, kept);
        }
        long size = loseAll ? sizes[0] : sizes[random.nextInt(sizes.length)];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content, 0, (int) size), 0);
            channel.truncate(size);
        }
    }

    private void undoSectors(Journal.DataChange change, byte[] content, Set<Long> kept) {
        long from = change.position;
        long to = from + change.length;
        for (long sector = from / SECTOR_BYTES; sector * SECTOR_BYTES < to; sector++) {
            if (kept.contains(sector)) {
                continue; // a later version of this sector reached the disk: so did this one
            }
            long start = Math.max(from, sector * SECTOR_BYTES);
            long end = Math.min(to, (sector + 1) * SECTOR_BYTES);
            // Bytes overwritten in place are where a torn sector hurts: tear those more often.
            boolean overwrite = start < change.oldSize;
            int roll = loseAll ? 0 : random.nextInt(10);
            int lostBelow = overwrite ? 2 : 5;
            int keptBelow = overwrite ? 4 : 9;
            boolean torn = roll >= keptBelow && !change.truncation && end - start >= 2;
            if (roll >= lostBelow && !torn) {
                kept.add(sector);
                continue;
            }
            long lostFrom = start;
            if (torn) {
                lostFrom = start + 1 + random.nextInt((int) (end - start - 1)); // the first bytes made it
                kept.add(sector);
            }
            for (long at = lostFrom; at < end; at++) {
                content[(int) at] = change.before(at);
            }
        }
    }

    private Path place(Path path) {
        return target.resolve(journal.root().relativize(path).toString());
    }

    /** Copies the tree at {@code from} to {@code to}, which must not exist. */
    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                    throws IOException {
                Files.createDirectories(to.resolve(from.relativize(directory).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
