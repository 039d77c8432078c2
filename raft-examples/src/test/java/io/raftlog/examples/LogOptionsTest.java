package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.core.LogConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code --retention-bytes}, {@code --retention-time} and {@code --snapshot-every} of {@code node} and {@code demo}. */
class LogOptionsTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "0MiB, 0",
        "1048576, 1048576",
        "512MiB, 536870912",
        "1GiB, 1073741824",
        "1gib, 1073741824",
        "10MB, 10000000",
        "10mb, 10000000",
        "4KiB, 4096",
        "2KB, 2000",
        "1TiB, 1099511627776",
        "3TB, 3000000000000",
        "1.5GiB, 1610612736",
        "' 64 MiB ', 67108864",
        "100B, 100",
        "9223372036854775807, 9223372036854775807"
    })
    void sizesAreBytesOrANumberWithADecimalOrBinaryUnit(String text, long bytes) {
        assertThat(NodeCommand.LogOptions.parseBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "garbage", "10M", "1K", "1 G", "MiB", "1e3", "1,000"})
    void anythingElseIsRefusedNamingTheAcceptedForms(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeCommand.LogOptions.parseBytes(text))
                .withMessageContaining("512MiB, 1GiB or 10MB")
                .withMessageContaining("0: no limit")
                .withMessageEndingWith("got '" + text + "'");
    }

    @Test
    void aFractionOfAByteOrMoreThanALongHoldsIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeCommand.LogOptions.parseBytes("1.5B"))
                .withMessage("'1.5B' is not a whole number of bytes");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeCommand.LogOptions.parseBytes("8388608TiB"))
                .withMessage("'8388608TiB' is more than 9223372036854775807 bytes");
    }

    @ParameterizedTest
    @CsvSource({
        "0, PT0S",
        "0s, PT0S",
        "500ms, PT0.5S",
        "45s, PT45S",
        "30m, PT30M",
        "12h, PT12H",
        "7d, PT168H",
        "1h30m, PT1H30M",
        "1d12h, PT36H",
        "' 2H ', PT2H",
        "PT1H, PT1H",
        "pt15m, PT15M",
        "P7D, PT168H",
        "PT0S, PT0S"
    })
    void durationsAreNumbersWithUnitsOrIso8601(String text, String iso) {
        assertThat(NodeCommand.LogOptions.parseDuration(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "3600", "-1h", "PT-1H", "-PT1H", "1x", "h", "1.5h", "1h 30m", "P", "99999999999999999999d"})
    void anythingElseIsNotADuration(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeCommand.LogOptions.parseDuration(text))
                .withMessage("expected a duration such as 30m, 12h, 7d or PT1H (units ms, s, m, h, d; 0: no limit),"
                        + " got '" + text + "'");
    }

    @Test
    void aDurationTooLongForJavaIsRefusedNotWrapped() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeCommand.LogOptions.parseDuration("106751991167301d"))
                .withMessageEndingWith("got '106751991167301d'");
    }

    @Test
    void snapshotEveryTakesAPositiveCount() {
        assertThat(NodeCommand.LogOptions.parseEntries("1")).isEqualTo(1);
        assertThat(NodeCommand.LogOptions.parseEntries("250000")).isEqualTo(250_000);
        for (String bad : List.of("0", "-5", "many", "1e5", "")) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> NodeCommand.LogOptions.parseEntries(bad))
                    .withMessage("expected a number of entries >= 1, got '" + bad + "'");
        }
    }

    @Test
    void withoutTheOptionsANodeKeepsTheDefaultLogConfig() {
        assertThat(nodeLog().logConfig()).isEqualTo(LogConfig.defaults());
        assertThat(demoLog().logConfig()).isEqualTo(LogConfig.defaults());
    }

    @Test
    void theOptionsGoIntoTheLogConfigOfNodeAndDemo() {
        LogConfig expected = LogConfig.defaults()
                .withRetentionBytes(1L << 30)
                .withRetentionTime(Duration.ofDays(7))
                .withSnapshotEvery(5000, LogConfig.defaults().snapshotEveryBytes());

        assertThat(nodeLog("--retention-bytes", "1GiB", "--retention-time", "7d", "--snapshot-every", "5000")
                        .logConfig())
                .isEqualTo(expected);
        assertThat(demoLog("--retention-bytes=1GiB", "--retention-time=P7D", "--snapshot-every=5000")
                        .logConfig())
                .isEqualTo(expected);
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> nodeLog("--retention-bytes", "10M"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--retention-bytes")
                .hasMessageContaining("'10M'");
        assertThatThrownBy(() -> demoLog("--retention-time", "3600"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--retention-time")
                .hasMessageContaining("'3600'");
        assertThatThrownBy(() -> nodeLog("--snapshot-every", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--snapshot-every")
                .hasMessageContaining("'0'");
    }

    @Test
    void storeIsSegmentUnlessLmdbIsNamedInAnyCase() {
        assertThat(nodeLog().store).isEqualTo(StoreKind.SEGMENT).isEqualTo(StoreKind.DEFAULT);
        assertThat(demoLog().store).isEqualTo(StoreKind.SEGMENT);
        assertThat(nodeLog("--store", "lmdb").store).isEqualTo(StoreKind.LMDB);
        assertThat(demoLog("--store=LMDB").store).isEqualTo(StoreKind.LMDB);
        assertThat(nodeLog("--store", "Segment").store).isEqualTo(StoreKind.SEGMENT);
        assertThatThrownBy(() -> nodeLog("--store", "rocksdb"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--store")
                .hasMessageContaining("unknown store 'rocksdb': expected segment or lmdb");
    }

    @Test
    void helpShowsTheDefaults() {
        String usage = new CommandLine(new RaftlogCommand())
                .getSubcommands()
                .get("node")
                .getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        assertThat(usage)
                .contains("--retention-bytes=SIZE")
                .contains("--retention-time=DURATION")
                .contains("--snapshot-every=ENTRIES")
                .contains("--store=STORE")
                .contains("(default: segment)")
                .contains("(default: " + LogConfig.defaults().snapshotEveryEntries() + ")");
    }

    private static NodeCommand.LogOptions nodeLog(String... options) {
        List<String> args = new ArrayList<>(List.of(
                "node", "--id", "n1", "--listen", "127.0.0.1:7001", "--peers", "n2=127.0.0.1:7002", "--data", "d"));
        args.addAll(List.of(options));
        return ((NodeCommand) subcommand(args)).log;
    }

    private static NodeCommand.LogOptions demoLog(String... options) {
        List<String> args = new ArrayList<>(List.of("demo"));
        args.addAll(List.of(options));
        return ((DemoCommand) subcommand(args)).log;
    }

    /** Parses (does not run) {@code raftlog ARGS} and returns the subcommand's object. */
    static Object subcommand(List<String> args) {
        return new CommandLine(new RaftlogCommand())
                .parseArgs(args.toArray(String[]::new))
                .subcommand()
                .commandSpec()
                .userObject();
    }
}
