package io.raftlog.testkit.tiny;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.testkit.ContractExclusion;
import io.raftlog.testkit.LogStoreContract;
import java.nio.file.Path;

/**
 * The correct tiny store keeps the storage SPI: the broken ones differ from a real store only in
 * their flaw. Its three concurrency tests are left out: every call of the tiny store is
 * synchronized, and two forces per call make them take seconds while proving nothing the crash and
 * corruption suites rely on. Nor do its interrupt tests: it reads through one plain
 * {@code FileChannel}, which an interrupt closes, because it only stands in for a store under the
 * crash and corruption suites; the interrupt rules are proved on a store built to break them by
 * {@code LogStoreContractTeethTest}, and kept by every shipped store.
 */
@ContractExclusion(
        test = "readersDuringAppendsSeeWholeBatches",
        reason = "synchronized throughout; slow with two forces per call")
@ContractExclusion(
        test = "readersDuringTruncationsSeeContiguousIntactEntries",
        reason = "synchronized throughout; slow with two forces per call")
@ContractExclusion(
        test = "readersOfTheHardStateNeverSeeATornState",
        reason = "synchronized throughout; slow with two forces per call")
@ContractExclusion(
        test = "readsOnAThreadWhoseInterruptFlagIsSetReturnTheRightAnswersAndKeepTheFlag",
        reason = "a test stand-in reading through one interruptible FileChannel; see the class comment")
@ContractExclusion(
        test = "readsInterruptedByAnotherThreadWhileReadingReturnTheRightAnswers",
        reason = "a test stand-in reading through one interruptible FileChannel; see the class comment")
class TinyFileLogStoreContractTest extends LogStoreContract {
    @Override
    protected LogStore openStore(Path directory) {
        return TinyFileLogStore.open(directory, TinyFileLogStore.Flaw.NONE);
    }
}
