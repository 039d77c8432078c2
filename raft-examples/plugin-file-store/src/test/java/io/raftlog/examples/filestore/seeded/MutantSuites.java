package io.raftlog.examples.filestore.seeded;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.LogStoreContract;
import io.raftlog.testkit.LogStoreCorruptionContract;
import io.raftlog.testkit.LogStoreCrashContract;
import io.raftlog.testkit.LogStoreFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * The three suites, each opening the variant {@link SeededBugsTest} is proving at the moment. The
 * JUnit Platform instantiates these classes itself, so the variant is handed over in a static
 * field; SeededBugsTest runs one variant at a time.
 */
final class MutantSuites {
    private static volatile Mutant current;

    private MutantSuites() {}

    static void prove(Mutant mutant) {
        current = mutant;
    }

    private static Mutant current() {
        Mutant mutant = current;
        if (mutant == null) {
            throw new IllegalStateException("MutantSuites runs only from SeededBugsTest, which names the variant");
        }
        return mutant;
    }

    static final class Contract extends LogStoreContract {
        @Override
        protected LogStore openStore(Path directory) {
            return current().newFactory().open(directory);
        }
    }

    static final class Crash extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return current().factory();
        }

        @Override
        protected List<Path> childClassPath() {
            return List.of(current().classes());
        }
    }

    static final class Corruption extends LogStoreCorruptionContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return current().factory();
        }
    }
}
