package io.raftlog.examples;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.slf4j.simple.SimpleLogger;

/**
 * How the {@code raftlog} command logs: every line goes through SLF4J to its one binding,
 * slf4j-simple ({@code simplelogger.properties} sets the one-line format), on standard error. The
 * libraries log through the SLF4J API; {@code java.util.logging} (Guice) is bridged by
 * {@link SLF4JBridgeHandler}, and {@code System.Logger} (the JDK) by slf4j-jdk-platform-logging,
 * which the JDK finds through {@code META-INF/services/java.lang.System$LoggerFinder}.
 *
 * <p>slf4j-simple reads its level once, when the first logger is created, so {@link #setLevel}
 * must run before that. Waiting for picocli to parse {@code --log-level} is too late: it creates a
 * subcommand's object (and so may initialize a logger field) when it meets the subcommand's name,
 * and applies the environment's default only after the last argument. So the command first sets
 * the level {@link #requestedLevel} finds in the raw arguments, and the option then checks it.
 */
final class Logging {
    /** Sets the default of {@code --log-level}. */
    static final String ENVIRONMENT_VARIABLE = "RAFTLOG_LOG_LEVEL";

    static final String OPTION = "--log-level";

    /** The levels of {@code --log-level}. */
    enum Level {
        // jul-to-slf4j maps FINEST to TRACE, FINER and FINE to DEBUG, CONFIG and INFO to INFO.
        TRACE(java.util.logging.Level.ALL),
        DEBUG(java.util.logging.Level.FINER),
        INFO(java.util.logging.Level.CONFIG),
        WARN(java.util.logging.Level.WARNING),
        ERROR(java.util.logging.Level.SEVERE);

        private final java.util.logging.Level julLevel;

        Level(java.util.logging.Level julLevel) {
            this.julLevel = julLevel;
        }

        /**
         * The level named {@code text}, in any case.
         *
         * @throws IllegalArgumentException naming {@code source} and the valid names otherwise
         */
        static Level parse(String text, String source) {
            for (Level level : values()) {
                if (level.name().equalsIgnoreCase(text.strip())) {
                    return level;
                }
            }
            throw new IllegalArgumentException(source + " must be one of " + names() + ", got '" + text + "'");
        }

        static String names() {
            return Arrays.stream(values()).map(Level::toString).collect(Collectors.joining(", "));
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Logging() {}

    /**
     * The level that {@code args} (the last {@code --log-level}, before any {@code --}) or else
     * {@code environmentValue} (null or blank: unset) asks for, as picocli will parse it;
     * {@link Level#INFO} if neither names one (a bad name is picocli's to report).
     */
    static Level requestedLevel(String[] args, String environmentValue) {
        String requested = environmentValue == null || environmentValue.isBlank() ? null : environmentValue;
        for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                requested = args[++i];
            } else if (args[i].startsWith(OPTION + "=")) {
                requested = args[i].substring(OPTION.length() + 1);
            }
        }
        try {
            return requested == null ? Level.INFO : Level.parse(requested, OPTION);
        } catch (IllegalArgumentException reportedByPicocli) {
            return Level.INFO;
        }
    }

    /**
     * Sends {@code java.util.logging} to SLF4J instead of its console handler (two lines per record
     * on standard error). Call it first thing in {@code main}.
     */
    static void bridgeJavaUtilLogging() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** Sets the level of every logger; takes effect only before the first logger is created. */
    static void setLevel(Level level) {
        System.setProperty(SimpleLogger.DEFAULT_LOG_LEVEL_KEY, level.toString());
        // java.util.logging drops records below its root level before the bridge sees them: pass
        // what SLF4J will print, and nothing more (the cost of a disabled JUL call stays a compare).
        java.util.logging.Logger.getLogger("").setLevel(level.julLevel);
    }
}
