package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** An exclusion skips exactly the test it names, with its reason; a wrong name fails the class. */
class ContractExclusionTest {
    @ContractExclusion(test = "appendingNothingChangesNothing", reason = "for this test of the exclusions")
    static class OneExcluded extends LogStoreContract {
        private final java.util.Map<Path, InMemoryLogStore.Volume> volumes = new java.util.HashMap<>();

        @Override
        protected LogStore openStore(Path directory) {
            return new InMemoryLogStore(volumes.computeIfAbsent(directory, unused -> new InMemoryLogStore.Volume()));
        }
    }

    @ContractExclusion(test = "noSuchTest", reason = "a typo")
    static class Misnamed extends LogStoreContract {
        @Override
        protected LogStore openStore(Path directory) {
            return new InMemoryLogStore();
        }
    }

    @Test
    void anExcludedTestIsSkippedWithItsReasonAndTheOthersRun() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(OneExcluded.class))
                .execute()
                .testEvents();

        assertThat(tests.skipped().count()).as("skipped").isEqualTo(1);
        assertThat(tests.skipped().stream()
                        .map(event -> event.getPayload(String.class).orElse("")))
                .as("the reason reported")
                .containsExactly("excluded by OneExcluded: for this test of the exclusions");
        assertThat(tests.failed().count()).as("failed").isZero();
        assertThat(tests.succeeded().count()).as("run and passed").isGreaterThan(30);
    }

    @Test
    void anExclusionNamingNoTestFailsTheClass() {
        Events containers = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Misnamed.class))
                .execute()
                .containerEvents();

        assertThat(containers.failed().stream()
                        .map(event -> event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                                .map(Throwable::getMessage)
                                .orElse("")))
                .as("why the class failed")
                .anyMatch(message -> message.contains("'noSuchTest', which is not a test of its contract suite"));
    }
}
