package io.raftlog.examples;

import io.raftlog.examples.kv.KvLog;
import io.raftlog.examples.kv.KvView;
import io.raftlog.transport.netty.client.RaftClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code raftlog kv}: the cluster's log as a linearizable key-value store (see
 * {@link io.raftlog.examples.kv}). Each call builds a {@link KvView}: a write is appended; a get,
 * and the answer to a compare-and-set, fold the log from its start through a read index taken from
 * the leader, so what is printed reflects every write acknowledged before the command started.
 * The cost is a read of the whole log per command, and the log must be whole (never trimmed by
 * retention or {@code delete-records}): the command says so when it is not.
 *
 * <p>Exit status: 0 done (get: the key exists; cas: it swapped), 3 the key is absent (get) or the
 * compare-and-set did not swap, 2 bad arguments, 1 any other failure (one line on standard error).
 */
@Command(
        name = "kv",
        mixinStandardHelpOptions = true,
        description = "Use the log as a linearizable key-value store.",
        subcommands = {KvCommand.Put.class, KvCommand.Get.class, KvCommand.Cas.class, KvCommand.Delete.class})
final class KvCommand implements Runnable {
    /** The exit status of a get of an absent key, and of a compare-and-set that did not swap. */
    static final int NOT_FOUND_OR_NOT_SWAPPED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(
            names = "--timeout",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description = "How long a call may take, retries included (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an operation: put, get, cas or delete");
    }

    /** Runs {@code call} on a fresh view of the cluster and waits for its answer. */
    private <T> T call(CommandLine commandLine, Function<KvView, CompletableFuture<T>> call) throws Exception {
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(
                    commandLine, "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        try (RaftClient raft = client.connect(Duration.ofSeconds(timeoutSeconds))) {
            // The client gives up after its request timeout on each call; this is only a backstop
            // for the whole command (a get makes a few calls).
            return call.apply(new KvView(KvLog.of(raft))).get(3 * timeoutSeconds + 5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "no answer from " + client.servers + " within " + (3 * timeoutSeconds + 5) + " s", e);
        }
    }

    private static String key(CommandLine commandLine, String key) {
        if (key.isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "KEY must not be empty");
        }
        return key;
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE; print the write's offset.")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        KvCommand kv;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() throws Exception {
            String checked = key(spec.commandLine(), key);
            long offset = kv.call(spec.commandLine(), view -> view.put(checked, value));
            System.out.println(offset);
            return 0;
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "Print KEY's value, linearizably; exit status 3 if it is absent.")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        KvCommand kv;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() throws Exception {
            String checked = key(spec.commandLine(), key);
            Optional<String> value = kv.call(spec.commandLine(), view -> view.get(checked));
            if (value.isEmpty()) {
                System.err.println("key '" + checked + "' is absent");
                return NOT_FOUND_OR_NOT_SWAPPED;
            }
            System.out.println(value.get());
            return 0;
        }
    }

    @Command(
            name = "cas",
            mixinStandardHelpOptions = true,
            description = "Set KEY to NEW if it holds EXPECTED (with --absent: if it is absent); print 'swapped'"
                    + " or 'not swapped' (exit status 3).")
    static final class Cas implements Callable<Integer> {
        @ParentCommand
        KvCommand kv;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--absent", description = "Swap only if KEY is absent; then give KEY and NEW only.")
        boolean absent;

        @Parameters(arity = "2..3", paramLabel = "KEY [EXPECTED] NEW")
        List<String> arguments;

        @Override
        public Integer call() throws Exception {
            int wanted = absent ? 2 : 3;
            if (arguments.size() != wanted) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        absent
                                ? "with --absent, give KEY and NEW (got " + arguments.size() + " arguments)"
                                : "give KEY, EXPECTED and NEW, or --absent KEY NEW to swap only an absent key (got "
                                        + arguments.size() + " arguments)");
            }
            String key = key(spec.commandLine(), arguments.get(0));
            String expected = absent ? null : arguments.get(1);
            String update = arguments.get(wanted - 1);
            boolean swapped = kv.call(spec.commandLine(), view -> view.compareAndSet(key, expected, update));
            System.out.println(swapped ? "swapped" : "not swapped");
            return swapped ? 0 : NOT_FOUND_OR_NOT_SWAPPED;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Remove KEY (nothing happens if it is absent); print the write's offset.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        KvCommand kv;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() throws Exception {
            String checked = key(spec.commandLine(), key);
            long offset = kv.call(spec.commandLine(), view -> view.delete(checked));
            System.out.println(offset);
            return 0;
        }
    }
}
