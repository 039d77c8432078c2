package io.raftlog.testkit;

import io.raftlog.api.spi.storage.LogStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link LogStore} must pass (a TCK). A plugin author extends this class and
 * supplies {@link #openStore(Path)}; JUnit runs every test against the store it returns.
 *
 * <pre>{@code
 * class MyLogStoreContractTest extends LogStoreContract {
 *     @Override
 *     protected LogStore openStore(Path directory) {
 *         return MyLogStore.open(directory);
 *     }
 * }
 * }</pre>
 *
 * <p>The tests come in groups (JUnit {@link Nested} classes, reported under this class): entries,
 * read limits, truncations, state, closing, interrupted readers and concurrency. Each assertion
 * names the rule it checks ({@code "[rule: read stops at maxBytes counted with
 * LogEntry.sizeInBytes(); ...] expected: 2 but was: 3"}); the rules are those of the
 * {@link LogStore} Javadoc. To turn a test off, with a reason, see {@link ContractExclusion}.
 *
 * <p>Each test gets a fresh empty directory; {@link #reopen()} closes the store and opens a new one
 * on the same directory, which must see everything the old one wrote, at once (close releases the
 * directory). The concurrency tests run one writer (the SPI allows one mutating thread) against
 * reader threads; {@link #concurrencyChecks(LogStore)} tunes them. Crash safety and corruption
 * detection need a real disk and a killed process: a durable store also extends
 * {@link LogStoreCrashContract} and {@link LogStoreCorruptionContract}.
 */
@ExtendWith(ContractExclusions.class)
public abstract class LogStoreContract {
    /** A fresh directory per test. */
    @TempDir
    protected Path directory;

    /** The store under test, opened on {@link #directory} before each test. */
    protected LogStore store;

    /**
     * Opens a store on {@code directory}: a new empty store the first time, and afterwards (once
     * the previous store on it is closed) a store that sees everything written there before.
     */
    protected abstract LogStore openStore(Path directory);

    /**
     * The concurrency checks the contract runs on {@code store}; override to tune them (more
     * readers, longer runs), for example {@code new LogStoreConcurrencyChecks(store) { protected
     * int readers() { return 8; } }}.
     */
    protected LogStoreConcurrencyChecks concurrencyChecks(LogStore store) {
        return new LogStoreConcurrencyChecks(store);
    }

    @BeforeEach
    final void openFreshStore() {
        store = openStore(directory);
    }

    @AfterEach
    final void closeStore() {
        store.close();
    }

    /** Closes {@link #store} and opens it again on the same directory. */
    protected final LogStore reopen() {
        store.close();
        store = openStore(directory);
        return store;
    }

    @Nested
    @DisplayName("entries: appended entries read back whole; bad appends change nothing")
    class Entries extends LogStoreEntryRules {
        Entries() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("read limits: maxEntries and maxBytes (counted with LogEntry.sizeInBytes())")
    class ReadLimits extends LogStoreReadLimitRules {
        ReadLimits() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("terms, truncations and reset")
    class Truncations extends LogStoreTruncationRules {
        Truncations() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("hard state, metadata and reopening")
    class State extends LogStoreStateRules {
        State() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("closing: IllegalStateException after close, the directory released at once")
    class Closing extends LogStoreClosingRules {
        Closing() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("interrupted readers: right answers, flag kept, store unharmed")
    class InterruptedReaders extends LogStoreInterruptRules {
        InterruptedReaders() {
            super(LogStoreContract.this);
        }
    }

    @Nested
    @DisplayName("concurrency: one writer, concurrent readers")
    class Concurrency extends LogStoreConcurrencyRules {
        Concurrency() {
            super(LogStoreContract.this);
        }
    }
}
