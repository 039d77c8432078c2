package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.ReadConsistency;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code raftlog consume --consistency}, {@code --local} and {@code --timeout}: what each one defaults to. */
class ConsumeOptionsTest {
    @Test
    void readsAreLinearizableByDefaultAndCommittedWithLocal() {
        assertThat(consume().consistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
        assertThat(consume("--follow").consistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
        assertThat(consume("--local").consistency()).isEqualTo(ReadConsistency.COMMITTED);
    }

    @Test
    void consistencyTakesEitherNameInAnyCaseAndOverridesTheDefault() {
        assertThat(consume("--consistency", "committed").consistency()).isEqualTo(ReadConsistency.COMMITTED);
        assertThat(consume("--consistency=LINEARIZABLE", "--local").consistency())
                .isEqualTo(ReadConsistency.LINEARIZABLE);
    }

    @Test
    void aBadConsistencyIsAUsageErrorNamingTheOptionAndTheAcceptedValues() {
        assertThatThrownBy(() -> consume("--consistency", "strong"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--consistency")
                .hasMessageContaining("expected linearizable or committed, got 'strong'");
    }

    @Test
    void aReadMayTakeThirtySecondsByDefault() {
        assertThat(consume().timeoutSeconds).isEqualTo(30);
        assertThat(consume("--timeout", "5").timeoutSeconds).isEqualTo(5);
    }

    private static ConsumeCommand consume(String... options) {
        List<String> args = new ArrayList<>(List.of("consume", "--servers", "127.0.0.1:7001"));
        args.addAll(List.of(options));
        return (ConsumeCommand) LogOptionsTest.subcommand(args);
    }
}
