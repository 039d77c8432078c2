package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How {@code raftlog kv} parses its arguments (without a cluster). */
class KvOptionsTest {
    private static CommandLine.ParseResult parse(String... args) {
        return new CommandLine(new RaftlogCommand()).parseArgs(args);
    }

    @Test
    void theServersGoBeforeTheOperation() {
        CommandLine.ParseResult kv = parse("kv", "--servers", "127.0.0.1:7001", "--timeout", "5", "put", "k", "v")
                .subcommand();
        KvCommand command = (KvCommand) kv.commandSpec().userObject();
        KvCommand.Put put = (KvCommand.Put) kv.subcommand().commandSpec().userObject();

        assertThat(command.client.servers).isEqualTo("127.0.0.1:7001");
        assertThat(command.timeoutSeconds).isEqualTo(5);
        assertThat(put.key).isEqualTo("k");
        assertThat(put.value).isEqualTo("v");
    }

    @Test
    void casTakesAnExpectedValueOrAbsent() {
        KvCommand.Cas cas = (KvCommand.Cas) parse("kv", "--servers", "h:1", "cas", "--absent", "k", "new")
                .subcommand()
                .subcommand()
                .commandSpec()
                .userObject();
        assertThat(cas.absent).isTrue();
        assertThat(cas.arguments).containsExactly("k", "new");
    }

    @Test
    void missingArgumentsAreNamed() {
        assertThatThrownBy(() -> parse("kv", "put", "k", "v"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--servers");
        assertThatThrownBy(() -> parse("kv", "--servers", "h:1", "put", "k"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("VALUE");
        assertThatThrownBy(() -> parse("kv", "--servers", "h:1", "get"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("KEY");
        assertThatThrownBy(() -> parse("kv", "--servers", "h:1", "cas", "a", "b", "c", "d"))
                .isInstanceOf(CommandLine.ParameterException.class);
        assertThat(List.of("put", "get", "cas", "delete"))
                .allSatisfy(name -> assertThat(new CommandLine(new RaftlogCommand())
                                .getSubcommands()
                                .get("kv")
                                .getSubcommands())
                        .containsKey(name));
    }
}
