package io.raftlog.testkit.powerloss;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Everything a power cut could still undo under one directory: for each file, the writes and
 * truncations since it was last forced (with the bytes they overwrote); and the files and
 * directories created, deleted or renamed since a directory was last forced. Kept in memory by the
 * child JVM; {@link PowerCut} undoes some or all of it.
 *
 * <p>Every change is recorded before it is made, under this object's lock, and the change itself is
 * made under the same lock, so a crash point (where the journal either copies the directory and
 * cuts the power on the copy, or cuts it on the directory itself and halts the JVM) always sees
 * whole operations.
 *
 * <p>Paths are the built-in provider's, absolute and normalized.
 */
final class Journal {
    /** A file or directory, followed across renames. */
    static final class Node {
        Path path;
        final boolean directory;
        /** The size it has on the disk for sure: at its last force, or when first seen. */
        long durableSize;

        final List<DataChange> pending = new ArrayList<>();

        Node(Path path, boolean directory, long durableSize) {
            this.path = path;
            this.directory = directory;
            this.durableSize = durableSize;
        }
    }

    /**
     * A change to a file's bytes: a write of {@code length} bytes at {@code position}, or a
     * truncation to {@code position} (then {@code length} bytes went); {@code before} holds the
     * bytes it overwrote or removed below {@code oldSize}. Not a record: it owns an array.
     */
    static final class DataChange {
        final boolean truncation;
        final long position;
        final long length;
        final long oldSize;
        private final byte[] before;

        DataChange(boolean truncation, long position, long length, long oldSize, byte[] before) {
            this.truncation = truncation;
            this.position = position;
            this.length = length;
            this.oldSize = oldSize;
            this.before = before;
        }

        /** The byte at {@code offset} before this change (0 where the file did not reach). */
        byte before(long offset) {
            return offset < oldSize ? before[(int) (offset - position)] : 0;
        }

        long newSize() {
            return truncation ? position : Math.max(oldSize, position + length);
        }
    }

    /** A change to directory entries: {@code node} appeared at {@code to}, left {@code from}, or both. */
    record EntryChange(Node node, Path from, Path to, Path copy, List<Node> moved, Node replaced, Path replacedCopy) {}

    static final int HALTED = 86;
    static final int DEFAULT_MEAN_GAP = 16;

    private final Path root;
    private final Path work;
    private final Random random;
    private final int meanGap;
    private final Map<Path, Node> nodes = new HashMap<>();
    private final List<EntryChange> entries = new ArrayList<>();
    private final Set<Path> touched = new LinkedHashSet<>();
    private final Map<String, Integer> sites = new HashMap<>();
    private int imagesLeft;
    private int images;
    private int copies;
    private long countdown;

    Journal(Path root, Path work, long seed, int images, int meanGap) {
        this.root = root.toAbsolutePath().normalize();
        this.work = work.toAbsolutePath().normalize();
        this.random = new Random(seed);
        this.imagesLeft = images;
        this.meanGap = meanGap;
        this.countdown = nextGap();
    }

    boolean covers(Path path) {
        return path.toAbsolutePath().normalize().startsWith(root);
    }

    Path root() {
        return root;
    }

    List<EntryChange> entries() {
        return entries;
    }

    Iterable<Node> nodes() {
        return new ArrayList<>(nodes.values());
    }

    Random random() {
        return random;
    }

    /** The node at {@code path}, known or first seen now (then all it holds is durable). */
    Node node(Path path) {
        Path key = path.toAbsolutePath().normalize();
        return nodes.computeIfAbsent(key, unused -> {
            try {
                BasicFileAttributes attributes =
                        Files.readAttributes(key, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new Node(key, attributes.isDirectory(), attributes.size());
            } catch (IOException e) {
                throw new UncheckedIOException("power-loss journal: cannot look at " + key, e);
            }
        });
    }

    /**
     * A place where a power cut may happen, before the change {@code kind} to {@code path}. An
     * operation weighs {@code weight} — more for a force, which stakes everything written since the
     * last one — times the novelty of its site (the file, its digits blurred, and the kind of
     * change): 4 before the first crash point there, 2 after two, 0.5 after fourteen. A crash point
     * comes every meanGap units of weighted novelty-2 operations or so. So a file forced once in a
     * while is cut about as often as the busy ones, and a long run reaches deeper states.
     */
    void crashPoint(Path path, String kind, int weight) {
        String site =
                root.relativize(path.toAbsolutePath().normalize()).toString().replaceAll("[0-9]+", "#") + " " + kind;
        int taken = sites.getOrDefault(site, 0);
        countdown -= (long) weight * 8 / (2 + taken);
        if (countdown > 0) {
            return;
        }
        sites.merge(site, 1, Integer::sum);
        countdown = nextGap();
        if (imagesLeft > 0) {
            imagesLeft--;
            takeImage();
        } else {
            halt();
        }
    }

    void beforeWrite(Node node, long position, long length, FileChannel reader) throws IOException {
        touch(node.path);
        long oldSize = reader.size();
        node.pending.add(new DataChange(
                false, position, length, oldSize, read(reader, position, Math.min(position + length, oldSize))));
    }

    void beforeTruncate(Node node, long newSize, FileChannel reader) throws IOException {
        touch(node.path);
        long oldSize = reader.size();
        if (newSize < oldSize) {
            node.pending.add(new DataChange(true, newSize, oldSize - newSize, oldSize, read(reader, newSize, oldSize)));
        }
    }

    /** A force of {@code node}: its data is on the disk, or a directory's entries (and all before them). */
    void forced(Node node, long size) {
        if (node.directory) {
            // Journaling file systems commit entry changes in order: forcing one directory makes
            // every earlier entry change durable too (more than POSIX promises, so never too harsh).
            for (EntryChange change : entries) {
                deleteCopy(change.copy());
                deleteCopy(change.replacedCopy());
            }
            entries.clear();
        } else {
            node.pending.clear();
            node.durableSize = size;
        }
    }

    void created(Path path, boolean directory) {
        Path key = path.toAbsolutePath().normalize();
        touch(key);
        Node node = new Node(key, directory, 0);
        nodes.put(key, node);
        entries.add(new EntryChange(node, null, key, null, List.of(node), null, null));
    }

    /** Keeps what {@code path} holds where a power cut can bring it back; call before deleting it. */
    Path keepCopy(Path path) throws IOException {
        Path key = path.toAbsolutePath().normalize();
        touch(key);
        if (Files.isDirectory(key, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Files.createDirectories(work);
        Path copy = work.resolve("kept-" + ++copies);
        try {
            Files.createLink(copy, key); // the same inode, with no copying: nobody writes it again
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(key, copy);
        }
        return copy;
    }

    /** {@code node} (looked up before) was deleted; {@code copy} is what {@link #keepCopy} kept of it. */
    /** Notes that {@code path} changed through this journal; the first time, tells the parent. */
    void touch(Path path) {
        Path key = path.toAbsolutePath().normalize();
        if (touched.add(key)) {
            say("TOUCHED " + root.relativize(key));
        }
    }

    void deleted(Node node, Path copy) {
        nodes.remove(node.path);
        entries.add(new EntryChange(node, node.path, null, copy, List.of(node), null, null));
    }

    /**
     * {@code node} (looked up before) was renamed {@code to}, replacing {@code replaced} (or null)
     * of which {@code replacedCopy} keeps the bytes.
     */
    void renamed(Node node, Path to, Node replaced, Path replacedCopy) {
        Path source = node.path;
        Path target = to.toAbsolutePath().normalize();
        touch(source);
        touch(target);
        if (replaced != null) {
            nodes.remove(replaced.path);
        }
        List<Node> moved = new ArrayList<>();
        for (Map.Entry<Path, Node> known : new ArrayList<>(nodes.entrySet())) {
            if (known.getKey().startsWith(source)) {
                Node each = known.getValue();
                nodes.remove(known.getKey());
                each.path = target.resolve(source.relativize(known.getKey()));
                moved.add(each);
            }
        }
        for (Node each : moved) {
            nodes.put(each.path, each);
        }
        entries.add(new EntryChange(node, source, target, null, moved, replaced, replacedCopy));
    }

    /** Reports a way of writing this journal cannot follow; the parent fails the test with it. */
    void bypass(String what) {
        say("BYPASS " + what);
    }

    Path work() {
        return work;
    }

    private void takeImage() {
        Path image = work.resolve("image-" + ++images);
        try {
            PowerCut.copyTree(root, image);
            new PowerCut(this, image).apply();
        } catch (IOException e) {
            throw new UncheckedIOException("power-loss journal: cannot take image " + image, e);
        }
        say("IMAGE " + images + " " + image);
    }

    private void halt() {
        try {
            new PowerCut(this, root).apply();
        } catch (IOException e) {
            throw new UncheckedIOException("power-loss journal: cannot cut the power on " + root, e);
        }
        say("HALT");
        Runtime.getRuntime().halt(HALTED);
    }

    /**
     * Prints {@code line} on stdout (which the crash suite's child also copies to its report file),
     * where the parent reads it between the child's calls, with the tag of the suite's protocol.
     */
    private static void say(String line) {
        PrintStream out = System.out;
        synchronized (out) {
            out.println("@tck " + line);
            out.flush();
        }
    }

    private long nextGap() {
        // Mean 2 * meanGap: with the novelty factor of a site cut twice (2), one every meanGap.
        return 1L + random.nextInt(4 * meanGap);
    }

    private static void deleteCopy(Path copy) {
        if (copy != null) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                // a kept copy nobody needs any more: leaving it is harmless
            }
        }
    }

    private static byte[] read(FileChannel reader, long from, long to) throws IOException {
        if (to <= from) {
            return new byte[0];
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(to - from));
        while (buffer.hasRemaining()) {
            if (reader.read(buffer, from + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.array();
    }
}
