package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.OffsetOutOfRangeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code raftlog consume --from} and {@code --reset}: where it starts, and where it goes on when out of range. */
class StartOffsetTest {
    /** A read of offset 5 on a log that starts at 1000 and is committed up to 1050. */
    private static final OffsetOutOfRangeException BELOW_THE_START = new OffsetOutOfRangeException(5, 1000, 1050);

    @ParameterizedTest
    @ValueSource(strings = {"earliest", "EARLIEST", " Earliest ", "0", "1"})
    void earliestZeroAndOneAreTheStartOfTheLogWhereverItIsNow(String text) {
        StartOffset from = StartOffset.parse(text);
        assertThat(from).isEqualTo(StartOffset.EARLIEST);
        assertThat(from.earliest()).isTrue();
        assertThat(from.latest()).isFalse();
    }

    @Test
    void latestAndOffsetsAreNotTheEarliest() {
        assertThat(StartOffset.parse("latest")).isEqualTo(StartOffset.LATEST);
        assertThat(StartOffset.parse("Latest").earliest()).isFalse();
        assertThat(StartOffset.parse("2")).isEqualTo(new StartOffset(false, 2));
        assertThat(StartOffset.parse("2").earliest()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "garbage", "1.5", ""})
    void anythingElseIsNotAStartOffset(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> StartOffset.parse(text))
                .withMessage("expected earliest, latest or an offset >= 0, got '" + text + "'");
    }

    @Test
    void resetTakesKafkasThreeValuesInAnyCase() {
        assertThat(StartOffset.Reset.parse("earliest")).isEqualTo(StartOffset.Reset.EARLIEST);
        assertThat(StartOffset.Reset.parse("LATEST")).isEqualTo(StartOffset.Reset.LATEST);
        assertThat(StartOffset.Reset.parse(" None ")).isEqualTo(StartOffset.Reset.NONE);
        for (String bad : List.of("", "smallest", "0", "earliest,latest")) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> StartOffset.Reset.parse(bad))
                    .withMessage("expected earliest, latest or none, got '" + bad + "'");
        }
    }

    @Test
    void earliestResumesAtTheLogStart() {
        assertThat(StartOffset.Reset.EARLIEST.resumeAt(BELOW_THE_START)).isEqualTo(1000);
        assertThat(StartOffset.Reset.EARLIEST.resuming(BELOW_THE_START))
                .isEqualTo("offset 5 is below the log start 1000: resuming at 1000");
    }

    @Test
    void latestResumesJustAfterTheHighWatermark() {
        assertThat(StartOffset.Reset.LATEST.resumeAt(BELOW_THE_START)).isEqualTo(1051);
        assertThat(StartOffset.Reset.LATEST.resuming(BELOW_THE_START))
                .isEqualTo("offset 5 is below the log start 1000: resuming at 1051");
    }

    @Test
    void noneStopsWithTheSameSentenceAndWhatTheOtherResetsWouldDo() {
        assertThatIllegalStateException()
                .isThrownBy(() -> StartOffset.Reset.NONE.resumeAt(BELOW_THE_START))
                .withMessage("offset 5 is below the log start 1000 (--reset none; --reset earliest resumes at 1000,"
                        + " --reset latest at 1051)");
    }

    @Test
    void consumeResetsToTheEarliestByDefault() {
        assertThat(consume().reset).isEqualTo(StartOffset.Reset.EARLIEST);
        assertThat(consume("--reset", "none").reset).isEqualTo(StartOffset.Reset.NONE);
        assertThat(consume("--from", "5", "--reset=latest").reset).isEqualTo(StartOffset.Reset.LATEST);
    }

    @Test
    void aBadResetIsAUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> consume("--reset", "smallest"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--reset")
                .hasMessageContaining("expected earliest, latest or none, got 'smallest'");
    }

    private static ConsumeCommand consume(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("consume", "--servers", "127.0.0.1:7001"));
        args.addAll(List.of(options));
        return (ConsumeCommand) LogOptionsTest.subcommand(args);
    }
}
