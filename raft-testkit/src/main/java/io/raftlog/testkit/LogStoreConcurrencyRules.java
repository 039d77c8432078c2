package io.raftlog.testkit;

import org.junit.jupiter.api.Test;

/**
 * One writer against concurrent readers, through {@link LogStoreContract#concurrencyChecks}: the
 * node mutates its store from one thread while its event loop and the application's threads read.
 */
abstract class LogStoreConcurrencyRules extends LogStoreRules {
    LogStoreConcurrencyRules(LogStoreContract contract) {
        super(contract);
    }

    @Test
    void readersDuringAppendsSeeWholeBatches() throws Exception {
        contract().concurrencyChecks(store()).readersDuringAppendsSeeWholeBatches();
    }

    @Test
    void readersDuringTruncationsSeeContiguousIntactEntries() throws Exception {
        contract().concurrencyChecks(store()).readersDuringTruncationsSeeContiguousIntactEntries();
    }

    @Test
    void readersOfTheHardStateNeverSeeATornState() throws Exception {
        contract().concurrencyChecks(store()).readersOfTheHardStateNeverSeeATornState();
    }
}
