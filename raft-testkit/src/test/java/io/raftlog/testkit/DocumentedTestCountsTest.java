package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The plugin guide, the testing guide and this module's README tell how many tests each contract suite
 * runs (what "mvn test" must print for a subclass), so that a pom that silently runs fewer is noticed.
 * A number like that goes stale with the next test added: this keeps it true.
 */
class DocumentedTestCountsTest {
    /** Surefire runs tests in the module's directory, raft-testkit. */
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void theGuidesStateHowManyTestsEachContractSuiteRuns() throws IOException {
        int logStore = countTests(LogStoreContract.class);
        int snapshotStore = countTests(SnapshotStoreContract.class);
        int transport = countTests(TransportContract.class);
        String plugins = Files.readString(DOCS.resolve("PLUGINS.md"));
        String testing = Files.readString(DOCS.resolve("TESTING.md"));
        String readme = Files.readString(Path.of("README.md"));

        assertThat(plugins)
                .as("docs/PLUGINS.md states what Surefire prints for a LogStoreContract subclass (%d tests)", logStore)
                .contains("`Tests run: " + logStore + ",")
                .as("docs/PLUGINS.md section 8 counts LogStoreContract's tests (%d)", logStore)
                .contains("**`LogStoreContract`** (" + logStore + " tests")
                .as("docs/PLUGINS.md section 8 counts SnapshotStoreContract's tests (%d)", snapshotStore)
                .contains("**`SnapshotStoreContract`** (" + snapshotStore + " tests")
                .as("docs/PLUGINS.md section 10 counts TransportContract's tests (%d)", transport)
                .contains("Its " + transport + " tests");
        assertThat(testing)
                .as("docs/TESTING.md counts LogStoreContract's tests (%d)", logStore)
                .contains("`LogStoreContract` (" + logStore + " tests")
                .as("docs/TESTING.md counts SnapshotStoreContract's tests (%d)", snapshotStore)
                .contains("`SnapshotStoreContract` (" + snapshotStore + " tests")
                .as("docs/TESTING.md counts TransportContract's tests (%d)", transport)
                .contains("`TransportContract` (" + transport + " tests");
        assertThat(readme)
                .as("raft-testkit/README.md counts each contract suite's tests")
                .contains("LogStoreContract.java): " + logStore + " tests")
                .contains("SnapshotStoreContract.java): " + snapshotStore)
                .contains("TransportContract.java): " + transport + " tests");
    }

    /** The {@code @Test} methods of the suite's {@code @Nested} groups, inherited ones included. */
    private static int countTests(Class<?> suite) {
        int tests = 0;
        for (Class<?> group : suite.getDeclaredClasses()) {
            if (!group.isAnnotationPresent(Nested.class)) {
                continue;
            }
            for (Class<?> type = group; type != Object.class; type = type.getSuperclass()) {
                for (Method method : type.getDeclaredMethods()) {
                    if (method.isAnnotationPresent(Test.class)) {
                        tests++;
                    }
                }
            }
        }
        assertThat(tests)
                .as("tests found in %s (none: this test reads the suite wrongly)", suite)
                .isPositive();
        return tests;
    }
}
