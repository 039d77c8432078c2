package io.raftlog.transport.netty;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer while or after it runs. Registered for every
 * test class through JUnit's extension auto-detection (see {@code junit-platform.properties}); its
 * static initializer installs {@link LeakRecorder} before any Netty buffer exists.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    static {
        LeakRecorder.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LeakRecorder.requireActive();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = LeakRecorder.collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported during " + context.getDisplayName()
                    + ":\n" + String.join("\n", leaks));
        }
    }
}
