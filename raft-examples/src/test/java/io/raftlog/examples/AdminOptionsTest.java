package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code raftlog admin}'s options as picocli parses them, and what its help says. */
class AdminOptionsTest {
    private static final List<String> SERVERS = List.of("--servers", "127.0.0.1:7001");

    @Test
    void promoteWaitsTwoMinutesForTheLearnerUnlessToldOtherwise() {
        assertThat(promote().timeout).isEqualTo(Duration.ofMinutes(2));
        assertThat(promote("--timeout", "0").timeout).isEqualTo(Duration.ZERO);
        assertThat(promote("--timeout", "30").timeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(promote().id).isEqualTo(NodeId.of("n4"));
    }

    @Test
    void aTimeoutIsWholeSecondsAtLeastZero() {
        for (String bad : List.of("-1", "1.5", "2m", "")) {
            assertThatThrownBy(() -> promote("--timeout", bad))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessage("Invalid value for option '--timeout': expected whole seconds >= 0, got '" + bad + "'");
        }
    }

    @Test
    void promotesHelpSaysWhatItWaitsForAndForHowLong() {
        assertThat(usage("promote"))
                .contains("--timeout=SECONDS")
                .contains("How long to wait for the learner to catch up")
                .contains("(default: 120; 0 asks once)")
                .contains("until then this command asks again");
    }

    @Test
    void removeAndTransferLeaderWaitForTheNewLeaderForTenSecondsByDefault() {
        assertThat(((AdminCommand.Remove) parse("remove", "--id", "n1")).timeout)
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(((AdminCommand.TransferLeader) parse("transfer-leader", "--to", "n2")).timeout)
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(usage("transfer-leader")).contains("--timeout=SECONDS").contains("(default: 10)");
    }

    @Test
    void anAddressIsCheckedWhenParsedAndKeptAsGiven() {
        AdminCommand.AddLearner add =
                (AdminCommand.AddLearner) parse("add-learner", "--id", "n4", "--address", "localhost:7004");
        assertThat(add.address).isEqualTo("localhost:7004");
        for (String bad : List.of("7004", "localhost:", "localhost:http", "localhost:70000", "localhost:0")) {
            assertThatThrownBy(() -> parse("add-learner", "--id", "n4", "--address", bad))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageStartingWith("Invalid value for option '--address': expected HOST:PORT")
                    .hasMessageEndingWith("got '" + bad + "'");
        }
    }

    private static AdminCommand.Promote promote(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("--id", "n4"));
        args.addAll(List.of(options));
        return (AdminCommand.Promote) parse("promote", args.toArray(String[]::new));
    }

    /** Parses (does not run) {@code raftlog admin SUBCOMMAND --servers … ARGS}; the subcommand's object. */
    private static Object parse(String subcommand, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("admin", subcommand));
        all.addAll(SERVERS);
        all.addAll(List.of(args));
        return new CommandLine(new RaftlogCommand())
                .parseArgs(all.toArray(String[]::new))
                .subcommand()
                .subcommand()
                .commandSpec()
                .userObject();
    }

    private static String usage(String subcommand) {
        return new CommandLine(new RaftlogCommand())
                .getSubcommands()
                .get("admin")
                .getSubcommands()
                .get(subcommand)
                .getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
    }
}
