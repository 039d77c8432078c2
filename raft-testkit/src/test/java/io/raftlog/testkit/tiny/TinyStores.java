package io.raftlog.testkit.tiny;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;

/** Factories for {@link TinyFileLogStore}, one per flaw: the crash suite instantiates them by name. */
public final class TinyStores {
    private TinyStores() {}

    /** The correct store. */
    public static final class Correct implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NONE);
        }
    }

    /** Never forces. */
    public static final class NoForce implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NO_FORCE);
        }
    }

    /** Never forces its directory. */
    public static final class NoDirectoryForce implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NO_DIRECTORY_FORCE);
        }
    }

    /** Appends a batch entry by entry. */
    public static final class NonAtomicBatch implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NON_ATOMIC_BATCH);
        }
    }

    /** Returns payloads without checking them. */
    public static final class NoReadCheck implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NO_READ_CHECK);
        }
    }

    /** Overwrites its hard state in place. */
    public static final class HardStateInPlace implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.HARD_STATE_IN_PLACE);
        }
    }

    /** Correct, but writes through java.io. */
    public static final class JavaIo implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.JAVA_IO);
        }
    }

    /** Correct, reading its log through a RandomAccessFile. */
    public static final class RandomAccessFileReads implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.RANDOM_ACCESS_FILE_READS);
        }
    }

    /** Drops a damaged record and everything after it, as if a crash had cut it short. */
    public static final class DamageTakenForATornTail implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.DAMAGE_TAKEN_FOR_A_TORN_TAIL);
        }
    }
}
