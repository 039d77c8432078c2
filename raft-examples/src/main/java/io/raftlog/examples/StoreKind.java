package io.raftlog.examples;

import com.google.inject.Module;
import io.raftlog.storage.lmdb.LmdbStorageModule;
import io.raftlog.storage.segment.SegmentStorageModule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The durable log stores {@code raftlog node} and {@code raftlog demo} offer ({@code --store}).
 * Both keep every acknowledged record through a crash or a power cut; they differ in how they
 * write. A data directory belongs to the store that created it: each store refuses the other's.
 */
enum StoreKind {
    /**
     * raft-storage-segment: each batch one checksummed record and one {@code fdatasync} in append-only
     * segment files. The default: the fastest at low and moderate concurrency and with large records
     * (docs/BENCHMARKS.md), pure Java.
     */
    SEGMENT("segment") {
        @Override
        Module module(Path directory) {
            return new SegmentStorageModule(directory);
        }
    },
    /** raft-storage-lmdb: LMDB (a B+tree, two syncs per commit); needs lmdbjava's JVM flags. */
    LMDB("lmdb") {
        @Override
        Module module(Path directory) {
            return new LmdbStorageModule(directory);
        }
    };

    /** What {@code --store} takes when it is not given. */
    static final StoreKind DEFAULT = SEGMENT;

    /** The name {@code --store} takes. */
    final String flag;

    StoreKind(String flag) {
        this.flag = flag;
    }

    /** The Guice module that binds this store in {@code directory}. */
    abstract Module module(Path directory);

    /** The store named {@code text} (any case), or an error listing the names. */
    static StoreKind parse(String text) {
        for (StoreKind kind : values()) {
            if (kind.flag.equalsIgnoreCase(text.strip())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown store '" + text + "': expected "
                + Arrays.stream(values()).map(kind -> kind.flag).collect(Collectors.joining(" or "))
                + " (default " + DEFAULT.flag + ")");
    }

    @Override
    public String toString() {
        return flag;
    }
}
