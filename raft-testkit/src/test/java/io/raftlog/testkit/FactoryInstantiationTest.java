package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.raftlog.api.spi.storage.LogStore;
import io.raftlog.core.storage.InMemoryLogStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What {@link LogStoreFactory} promises about the classes the crash and corruption suites accept:
 * they instantiate them by name, as the crash suite's child JVM does, and need neither a public
 * class nor a public constructor — but an inner (non-static) class cannot work.
 */
class FactoryInstantiationTest {
    private static final class PrivateFactory implements LogStoreFactory {
        private PrivateFactory() {}

        @Override
        public LogStore open(Path directory) {
            return new InMemoryLogStore();
        }
    }

    @SuppressWarnings("ClassCanBeStatic") // inner on purpose: what the suites cannot instantiate
    final class InnerFactory implements LogStoreFactory {
        @Override
        public LogStore open(Path directory) {
            return new InMemoryLogStore();
        }
    }

    @Test
    void aPrivateNestedFactoryWithAPrivateConstructorIsInstantiatedByName() throws Exception {
        LogStoreFactory factory = CrashChild.instantiate(PrivateFactory.class.getName());
        assertThat(factory).isInstanceOf(PrivateFactory.class);
        try (LogStore store = factory.open(Path.of("unused"))) {
            assertThat(store.lastIndex()).isZero();
        }
    }

    @Test
    void anInnerClassHasNoNoArgumentConstructorAndIsRefused() {
        assertThatExceptionOfType(NoSuchMethodException.class)
                .as("an inner class's constructor takes the enclosing instance")
                .isThrownBy(() -> CrashChild.instantiate(InnerFactory.class.getName()));
    }
}
