package io.raftlog.examples;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How the {@code raftlog} command logs: every line goes through SLF4J to its one binding,
 * slf4j-simple ({@code simplelogger.properties} sets the one-line format), on standard error. The
 * libraries log through the SLF4J API; {@code java.util.logging} (Guice) is bridged by
 * {@link SLF4JBridgeHandler}, and {@code System.Logger} (the JDK) by slf4j-jdk-platform-logging,
 * which the JDK finds through {@code META-INF/services/java.lang.System$LoggerFinder}.
 */
final class Logging {
    private Logging() {}

    /**
     * Sends {@code java.util.logging} to SLF4J instead of its console handler (two lines per record
     * on standard error). Call it first thing in {@code main}.
     */
    static void bridgeJavaUtilLogging() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
