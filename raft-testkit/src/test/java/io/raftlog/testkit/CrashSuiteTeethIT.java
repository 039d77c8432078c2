package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.raftlog.testkit.tiny.TinyStores;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The crash suite fails stores with the bugs it exists to catch, naming the rule each breaks. The
 * stores are {@code TinyFileLogStore} with one flaw each; the flawless one passes the suite
 * ({@code TinyFileLogStoreCrashIT}). A broken store fails at its first bad crash, so generous
 * limits cost time only if the suite misses.
 */
class CrashSuiteTeethIT {
    static class NeverForces extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.NoForce.class;
        }

        @Override
        protected int kills() {
            return 3;
        }
    }

    static class NeverForcesTheDirectory extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.NoDirectoryForce.class;
        }
    }

    static class AppendsEntryByEntry extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.NonAtomicBatch.class;
        }

        @Override
        protected int kills() {
            return 40;
        }
    }

    static class OverwritesItsHardState extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.HardStateInPlace.class;
        }

        @Override
        protected int powerLosses() {
            return 400;
        }
    }

    static class WritesThroughJavaIo extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.JavaIo.class;
        }
    }

    /** Correct, and reads past java.nio.file: the power-loss test must not mistake that for a bypass. */
    static class ReadsThroughRandomAccessFile extends LogStoreCrashContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.RandomAccessFileReads.class;
        }

        @Override
        protected int powerLosses() {
            return 32;
        }
    }

    @Test
    void aStoreThatNeverForcesSurvivesSigkillButNotAPowerCut() {
        assertThat(run(NeverForces.class, "everyCompletedCallSurvivesSigkill")
                        .succeeded()
                        .count())
                .as("SIGKILL cannot see a missing force: the page cache outlives the process")
                .isOne();
        assertThat(failure(NeverForces.class, "everyCompletedCallSurvivesPowerLoss"))
                .containsAnyOf(CrashCheck.SURVIVES, CrashCheck.SURVIVES_OR_ALL_OR_NOTHING, CrashCheck.REOPENS);
    }

    @Test
    void aStoreThatNeverForcesItsDirectoryLosesItsFilesInAPowerCut() {
        assertThat(failure(NeverForcesTheDirectory.class, "everyCompletedCallSurvivesPowerLoss"))
                .containsAnyOf(CrashCheck.SURVIVES, CrashCheck.SURVIVES_OR_ALL_OR_NOTHING, CrashCheck.REOPENS);
    }

    @Test
    void aBatchAppendedEntryByEntryIsSeenHalfDoneAfterSigkill() {
        assertThat(failure(AppendsEntryByEntry.class, "everyCompletedCallSurvivesSigkill"))
                .contains(CrashCheck.SURVIVES_OR_ALL_OR_NOTHING)
                .contains("lastIndex()");
    }

    @Test
    void aHardStateOverwrittenInPlaceIsTornByAPowerCut() {
        assertThat(failure(OverwritesItsHardState.class, "everyCompletedCallSurvivesPowerLoss"))
                .contains(CrashCheck.REOPENS)
                .contains("the hard state in");
    }

    @Test
    void aStoreWritingPastJavaNioFileIsToldPowerLossModeCannotSeeIt() {
        assertThat(failure(WritesThroughJavaIo.class, "everyCompletedCallSurvivesPowerLoss"))
                .contains(PowerLossCrashes.SEES_EVERY_CHANGE)
                .contains("exclude everyCompletedCallSurvivesPowerLoss");
    }

    /**
     * Power-loss mode follows changes, not reads: a store that reads its files through a
     * RandomAccessFile (as docs/PLUGINS.md, section 5, allows) sees what it wrote and passes.
     */
    @Test
    void aStoreReadingThroughRandomAccessFilePassesThePowerLossTest() {
        Events events = run(ReadsThroughRandomAccessFile.class, "everyCompletedCallSurvivesPowerLoss");
        assertThat(events.failed().stream()
                        .map(event -> event.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(Throwable::getMessage)
                                .orElse("")))
                .as("failures of a correct store that reads through RandomAccessFile")
                .isEmpty();
        assertThat(events.succeeded().count()).as("the power-loss test passed").isOne();
    }

    private static Events run(Class<?> suite, String test) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(suite, test))
                .execute()
                .testEvents();
    }

    /** The message of the one failure of {@code suite}'s {@code test}. */
    private static String failure(Class<?> suite, String test) {
        Events events = run(suite, test);
        assertThat(events.failed().count())
                .as(
                        "%s.%s fails (passed: %d)",
                        suite.getSimpleName(), test, events.succeeded().count())
                .isOne();
        return events.failed().stream()
                .map(event -> event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(Throwable::getMessage)
                        .orElse(""))
                .findFirst()
                .orElseThrow();
    }
}
