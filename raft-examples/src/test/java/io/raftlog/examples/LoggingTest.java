package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.raftlog.examples.Logging.Level;
import org.junit.jupiter.api.Test;

/** How the command finds the log level before picocli parses (LoggingIT shows its effect). */
class LoggingTest {
    @Test
    void theFlagWorksBeforeOrAfterTheSubcommandInBothSpellingsAndTheLastOneWins() {
        assertThat(requested(null, "--log-level", "debug", "node", "--id", "n1"))
                .isEqualTo(Level.DEBUG);
        assertThat(requested(null, "node", "--id", "n1", "--log-level", "WARN")).isEqualTo(Level.WARN);
        assertThat(requested(null, "demo", "--log-level=Trace")).isEqualTo(Level.TRACE);
        assertThat(requested(null, "--log-level", "debug", "demo", "--log-level", "error"))
                .isEqualTo(Level.ERROR);
    }

    @Test
    void theEnvironmentSetsTheDefaultAndTheFlagBeatsIt() {
        assertThat(requested("warn", "demo")).isEqualTo(Level.WARN);
        assertThat(requested("warn", "demo", "--log-level", "debug")).isEqualTo(Level.DEBUG);
        assertThat(requested(null, "demo")).isEqualTo(Level.INFO);
        assertThat(requested("", "demo")).as("set but empty: as if unset").isEqualTo(Level.INFO);
    }

    @Test
    void argumentsAfterADoubleDashAndBadNamesLeaveTheDefault() {
        assertThat(requested(null, "produce", "--", "--log-level", "debug")).isEqualTo(Level.INFO);
        // picocli reports these, with exit status 2 (LoggingIT); until then the level is info.
        assertThat(requested(null, "demo", "--log-level", "loud")).isEqualTo(Level.INFO);
        assertThat(requested("chatty", "demo")).isEqualTo(Level.INFO);
        assertThat(requested(null, "demo", "--log-level")).isEqualTo(Level.INFO);
    }

    @Test
    void aBadNameIsRefusedNamingWhereItCameFromAndTheValidNames() {
        assertThat(Level.parse(" Info ", "--log-level")).isEqualTo(Level.INFO);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Level.parse("verbose", "RAFTLOG_LOG_LEVEL"))
                .withMessage("RAFTLOG_LOG_LEVEL must be one of trace, debug, info, warn, error, got 'verbose'");
    }

    private static Level requested(String environment, String... args) {
        return Logging.requestedLevel(args, environment);
    }
}
