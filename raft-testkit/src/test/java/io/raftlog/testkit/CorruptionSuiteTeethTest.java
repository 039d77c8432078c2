package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.raftlog.testkit.tiny.TinyStores;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The corruption suite fails a store that does not check what it reads, and one that takes damage
 * for a torn tail and drops it, naming the rule each breaks; the flawless {@code TinyFileLogStore}
 * passes it ({@code TinyFileLogStoreCorruptionTest}).
 */
class CorruptionSuiteTeethTest {
    static class TrustsWhatItReads extends LogStoreCorruptionContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.NoReadCheck.class;
        }
    }

    static class DropsWhatIsDamaged extends LogStoreCorruptionContract {
        @Override
        protected Class<? extends LogStoreFactory> factory() {
            return TinyStores.DamageTakenForATornTail.class;
        }
    }

    @Test
    void aStoreThatDropsDamagedRecordsOpensWithAShorterLog() {
        assertThat(failure(DropsWhatIsDamaged.class, "flippedBytesAnywhereAreDetectedOrHarmless"))
                .contains(CorruptionCheck.NO_SILENT_LOSS);
    }

    @Test
    void aStoreThatDoesNotCheckWhatItReadsReturnsFlippedPayloads() {
        assertThat(failure(TrustsWhatItReads.class, "flippedPayloadBytesAreDetected"))
                .contains(CorruptionCheck.EXACT_OR_CORRUPT)
                .contains("first difference: element 0: payload byte");
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
