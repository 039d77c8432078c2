package io.raftlog.examples;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code raftlog} command: run a node, produce, consume, inspect a cluster, delete records,
 * change its members, use the log as a key-value store, run the demo, or open the Raft console.
 * Every failure is reported as one line on standard error with a non-zero exit status, never a
 * stack trace. Log lines go to standard error too, one per event (see {@link Logging}).
 */
@Command(
        name = "raftlog",
        mixinStandardHelpOptions = true,
        version = "raftlog 0.1.0-SNAPSHOT",
        description = "A Raft-replicated, Kafka-like append-only log.",
        subcommands = {
            NodeCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            StatusCommand.class,
            DeleteRecordsCommand.class,
            AdminCommand.class,
            KvCommand.class,
            BenchCommand.class,
            DemoCommand.class,
            ConsoleCommand.class
        })
public final class RaftlogCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // Inherited: every subcommand takes it too (raftlog node --log-level debug ...). execute() has
    // set the level from the raw arguments already (see Logging); picocli's parse checks the value.
    @Option(
            names = Logging.OPTION,
            scope = ScopeType.INHERIT,
            paramLabel = "LEVEL",
            defaultValue = "${env:" + Logging.ENVIRONMENT_VARIABLE + ":-info}",
            description = "Log level: trace, debug, info, warn or error (default: ${DEFAULT-VALUE};"
                    + " the environment variable " + Logging.ENVIRONMENT_VARIABLE + " sets the default)."
                    + " Log lines go to standard error, one per event.")
    void checkLogLevel(String value) {
        boolean fromEnvironment = value.equals(System.getenv(Logging.ENVIRONMENT_VARIABLE));
        if (fromEnvironment && value.isBlank()) {
            return; // set but empty (RAFTLOG_LOG_LEVEL= raftlog ...): as if unset, like requestedLevel
        }
        String source = fromEnvironment ? Logging.ENVIRONMENT_VARIABLE : Logging.OPTION;
        try {
            Logging.Level.parse(value, source);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "name a subcommand: node, produce, consume, status, delete-records, admin, kv, demo or console");
    }

    public static void main(String[] args) {
        Logging.bridgeJavaUtilLogging(); // before anything can log through java.util.logging
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit status (for tests: does not exit). */
    static int execute(String... args) {
        Logging.setLevel(Logging.requestedLevel(args, System.getenv(Logging.ENVIRONMENT_VARIABLE)));
        CommandLine line = new CommandLine(new RaftlogCommand());
        line.setParameterExceptionHandler((error, arguments) -> {
            PrintWriter err = error.getCommandLine().getErr();
            // The whole command (raftlog admin promote), so the hint can be pasted as it is.
            err.println("error: " + error.getMessage() + " (see '"
                    + error.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        line.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(error));
            return 1;
        });
        return line.execute(args);
    }

    /** The most useful one-line description of {@code error}: its root cause's message. */
    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ProvisionException
                        || cause instanceof CreationException
                        || cause instanceof CompletionException
                        || cause instanceof ExecutionException
                        || cause.getMessage() == null)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ProvisionException provision
                && !provision.getErrorMessages().isEmpty()
                && provision.getErrorMessages().iterator().next().getCause() != null) {
            return describe(provision.getErrorMessages().iterator().next().getCause());
        }
        String message = cause.getMessage();
        return message == null
                ? cause.getClass().getSimpleName()
                : message.lines().findFirst().orElse(message);
    }
}
