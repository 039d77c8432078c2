package io.raftlog.examples;

import io.raftlog.transport.netty.client.RaftClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code raftlog delete-records}: removes the records below an offset, like Kafka's
 * {@code kafka-delete-records}, and prints the log start offset that results.
 */
@Command(
        name = "delete-records",
        mixinStandardHelpOptions = true,
        description = "Remove the records below --before and print the new log start offset.")
final class DeleteRecordsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(
            names = "--before",
            required = true,
            paramLabel = "OFFSET",
            converter = OffsetConverter.class,
            description = "The new log start offset: records below it are removed on every node (from 1 to the"
                    + " commit offset + 1; one at or below the log start changes nothing).")
    long before;

    @Override
    public Integer call() throws Exception {
        long logStart;
        try (RaftClient raft = client.connect(Duration.ofSeconds(10))) {
            // The client gives up after its request timeout; this deadline is only a backstop.
            logStart = raft.deleteRecordsBefore(before).get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from " + client.servers + " within 30 s", e);
        }
        System.out.println(logStart);
        if (logStart > before) {
            System.err.println("nothing removed: the log already starts at " + logStart);
        }
        return 0;
    }

    /** For picocli: an offset below 1 is a usage error (exit status 2), not a failure. */
    static final class OffsetConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long offset;
            try {
                offset = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                offset = 0;
            }
            if (offset < 1) {
                throw new TypeConversionException("expected an offset >= 1, got '" + value + "'");
            }
            return offset;
        }
    }
}
