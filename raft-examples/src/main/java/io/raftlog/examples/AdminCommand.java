package io.raftlog.examples;

import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeId;
import io.raftlog.api.NodeStatus;
import io.raftlog.transport.netty.client.RaftClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code raftlog admin}: the operator's membership flows — list the members, add a learner,
 * promote it, remove a member, hand leadership over. Every change goes one node at a time and
 * completes once committed; the leader refuses one that would leave the cluster unable to commit.
 * Each subcommand that changes the membership prints the membership that results, as
 * {@code members} does.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Change the cluster's members, one node at a time, while it runs.",
        subcommands = {
            AdminCommand.Members.class,
            AdminCommand.AddLearner.class,
            AdminCommand.Promote.class,
            AdminCommand.Remove.class,
            AdminCommand.TransferLeader.class
        })
final class AdminCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name an admin command: members, add-learner, promote, remove or transfer-leader");
    }

    /** Each request's deadline; the client retries within it (no leader yet, a redirect, a lost connection). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** How often a command asks again while it waits for the cluster. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** How often {@code promote} says it still waits. */
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The answer to {@code future}; the client fails it at its request timeout, this is a backstop. */
    static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(2 * REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "no answer to " + what + " within " + 2 * REQUEST_TIMEOUT.toSeconds() + " s", e);
        }
    }

    /** Voters and learners, one per line: {@code ID<TAB>voter|learner<TAB>ADDRESS[<TAB>leader]}. */
    static void print(PrintStream out, Membership membership, Optional<NodeId> leader) {
        for (Map.Entry<NodeId, String> member : membership.members().entrySet()) {
            NodeId id = member.getKey();
            out.println(id + "\t" + (membership.isVoter(id) ? "voter" : "learner") + "\t"
                    + (member.getValue().isEmpty() ? "-" : member.getValue())
                    + (leader.filter(id::equals).isPresent() ? "\tleader" : ""));
        }
    }

    static Optional<NodeId> leader(RaftClient raft) throws Exception {
        return await(raft.status(), "status").leader();
    }

    /** Prints {@code membership} with the leader the cluster names now. */
    static void printWithLeader(RaftClient raft, Membership membership) throws Exception {
        print(System.out, membership, leader(raft));
    }

    /** A {@code --timeout} in whole seconds, 0 or more: anything else is a usage error (exit status 2). */
    static final class SecondsConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            long seconds;
            try {
                seconds = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 0) {
                throw new TypeConversionException("expected whole seconds >= 0, got '" + value + "'");
            }
            return Duration.ofSeconds(seconds);
        }
    }

    /** A node id as {@link NodeId} takes it: anything else is a usage error. */
    static final class NodeIdConverter implements ITypeConverter<NodeId> {
        @Override
        public NodeId convert(String value) {
            try {
                return NodeId.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT}, checked as {@link Addresses#parse} does, kept as given. */
    static final class AddressConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int port;
            try {
                port = Addresses.parse("", value).getPort();
            } catch (IllegalArgumentException e) {
                port = 0;
            }
            if (port == 0) { // port 0 listens anywhere, but nobody can connect to it
                throw new TypeConversionException(
                        "expected HOST:PORT (where peers and clients reach the node), got '" + value + "'");
            }
            return value;
        }
    }

    @Command(
            name = "members",
            mixinStandardHelpOptions = true,
            description = "List voters and learners, one per line: ID<TAB>voter|learner<TAB>ADDRESS, and"
                    + " <TAB>leader after the leader. A member whose configuration entry records no address (one"
                    + " that bootstrapped the cluster) shows the address the answering node reaches it at, from"
                    + " its --peers, or - if it has none.")
    static final class Members implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() throws Exception {
            try (RaftClient raft = client.connect(REQUEST_TIMEOUT)) {
                printWithLeader(raft, await(raft.membership(), "the membership request"));
            }
            return 0;
        }
    }

    @Command(
            name = "add-learner",
            mixinStandardHelpOptions = true,
            description = "Add a node as a learner: it receives the log (a snapshot first if needed) but does"
                    + " not vote. Start it with raftlog node --join on an empty data directory. Completes once"
                    + " the change is committed, and prints the members.")
    static final class AddLearner implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(
                names = "--id",
                required = true,
                paramLabel = "ID",
                converter = NodeIdConverter.class,
                description = "The new node's id (never used in this cluster).")
        NodeId id;

        @Option(
                names = "--address",
                required = true,
                paramLabel = "HOST:PORT",
                converter = AddressConverter.class,
                description = "Where peers and clients reach it (its --listen address).")
        String address;

        @Override
        public Integer call() throws Exception {
            try (RaftClient raft = client.connect(REQUEST_TIMEOUT)) {
                printWithLeader(raft, await(raft.addLearner(id, address), "add-learner"));
            }
            return 0;
        }
    }

    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description = "Make a learner a voter. The leader takes it only once the learner has caught up (it"
                    + " answers and lags by less than one AppendEntries); until then this command asks again,"
                    + " saying on standard error what the leader said, for up to --timeout. Prints the members.")
    static final class Promote implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(
                names = "--id",
                required = true,
                paramLabel = "ID",
                converter = NodeIdConverter.class,
                description = "The learner to promote.")
        NodeId id;

        @Option(
                names = "--timeout",
                defaultValue = "120",
                paramLabel = "SECONDS",
                converter = SecondsConverter.class,
                description = "How long to wait for the learner to catch up; then the command exits 1 with how far"
                        + " behind it is, and the learner stays a learner (default: ${DEFAULT-VALUE}; 0 asks once).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            Deadline deadline = Deadline.after(timeout);
            try (RaftClient raft = client.connect(REQUEST_TIMEOUT)) {
                Lagging lagging = new Lagging();
                Optional<Membership> promoted = deadline.poll(POLL_INTERVAL, () -> tryPromote(raft, lagging, deadline));
                if (promoted.isEmpty()) {
                    throw new IllegalStateException(id + " did not catch up within " + timeout.toSeconds()
                            + " s (--timeout); it is still a learner. The leader said: " + lagging.reason);
                }
                printWithLeader(raft, promoted.get());
            }
            return 0;
        }

        /** What the leader last said about a learner that lags, and when this command last told it. */
        private static final class Lagging {
            String reason;
            long toldNanos;
        }

        /** The membership once promoted; empty while the leader refuses because the learner lags. */
        private Optional<Membership> tryPromote(RaftClient raft, Lagging lagging, Deadline deadline) throws Exception {
            try {
                return Optional.of(await(raft.promote(id), "promote"));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MembershipChangeException refused)
                        || !refused.getMessage().contains("has not caught up")) {
                    throw e;
                }
                long now = System.nanoTime();
                if (lagging.reason == null || now - lagging.toldNanos >= PROGRESS_NANOS) {
                    System.err.println("waiting up to " + TimeUnit.NANOSECONDS.toSeconds(deadline.remainingNanos())
                            + " s more for " + id + " to catch up: " + refused.getMessage());
                    lagging.toldNanos = now;
                }
                lagging.reason = refused.getMessage();
                return Optional.empty();
            }
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a voter or a learner, and print the members. If it leads, leadership is first"
                    + " handed to the most caught-up other voter (waiting up to --timeout for it to take over).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(
                names = "--id",
                required = true,
                paramLabel = "ID",
                converter = NodeIdConverter.class,
                description = "The member to remove.")
        NodeId id;

        @Option(
                names = "--timeout",
                defaultValue = "10",
                paramLabel = "SECONDS",
                converter = SecondsConverter.class,
                description = "When it leads, how long to wait for another voter to take over"
                        + " (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            try (RaftClient raft = client.connect(REQUEST_TIMEOUT)) {
                Membership before = await(raft.membership(), "the membership request");
                if (!before.contains(id)) {
                    // The node would take it as done (a retried removal); a typo deserves to be told.
                    throw new IllegalStateException(
                            id + " is not a member (voters " + before.voters().keySet()
                                    + (before.learners().isEmpty()
                                            ? ""
                                            : ", learners " + before.learners().keySet())
                                    + "): nothing to remove; see raftlog admin members");
                }
                NodeStatus status = await(raft.status(), "status");
                if (status.leader().filter(id::equals).isPresent()
                        && !status.id().equals(id)) {
                    status = await(raft.status(), "status"); // the client knows the leader now: its own view
                }
                if (status.leader().filter(id::equals).isPresent()) {
                    handOff(raft, status);
                }
                printWithLeader(raft, await(raft.removeMember(id), "remove"));
            }
            return 0;
        }

        /** {@code id} leads: hands leadership to the other voter with the most of the log, and waits for it. */
        private void handOff(RaftClient raft, NodeStatus status) throws Exception {
            Membership membership = await(raft.membership(), "the membership request");
            Map<NodeId, Long> match = status.id().equals(id) ? status.matchIndex() : Map.of();
            NodeId next = membership.voters().keySet().stream()
                    .filter(voter -> !voter.equals(id))
                    .max(Comparator.comparingLong(voter -> match.getOrDefault(voter, -1L)))
                    .orElseThrow(() -> new IllegalStateException(
                            "cannot remove " + id + ": it is the last voter (a cluster needs one)"));
            System.err.println(id + " leads: handing leadership to " + next + " first");
            await(raft.transferLeadership(next), "transfer-leader");
            Optional<NodeId> now = awaitLeader(raft, timeout, leader -> !leader.equals(id));
            if (now.filter(leader -> !leader.equals(id)).isEmpty()) {
                throw new IllegalStateException(id + " still leads " + timeout.toSeconds() + " s (--timeout) after"
                        + " it was asked to hand leadership to " + next + " (it may lag or be unreachable); nothing"
                        + " was removed. Try again, or move leadership first with raftlog admin transfer-leader"
                        + " --to VOTER");
            }
        }
    }

    @Command(
            name = "transfer-leader",
            mixinStandardHelpOptions = true,
            description = "Hand leadership to a voter (it campaigns as soon as it holds the whole log), wait for it"
                    + " to lead, and print its id.")
    static final class TransferLeader implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "ID",
                converter = NodeIdConverter.class,
                description = "The voter to lead.")
        NodeId to;

        @Option(
                names = "--timeout",
                defaultValue = "10",
                paramLabel = "SECONDS",
                converter = SecondsConverter.class,
                description = "How long to wait for it to lead (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            try (RaftClient raft = client.connect(REQUEST_TIMEOUT)) {
                await(raft.transferLeadership(to), "transfer-leader");
                Optional<NodeId> now = awaitLeader(raft, timeout, to::equals);
                if (now.filter(to::equals).isEmpty()) {
                    throw new IllegalStateException("leadership did not move to " + to + " within "
                            + timeout.toSeconds() + " s (--timeout): "
                            + now.map(leader -> leader + " leads").orElse("no leader is known")
                            + " (" + to + " may lag or be unreachable; a leader abandons a transfer after an"
                            + " election timeout)");
                }
                System.out.println(to);
            }
            return 0;
        }
    }

    /**
     * Asks for the status until the leader it names satisfies {@code wanted}, for up to
     * {@code timeout}; returns that leader, or else the last one known.
     */
    private static Optional<NodeId> awaitLeader(RaftClient raft, Duration timeout, Predicate<NodeId> wanted)
            throws Exception {
        AtomicReference<Optional<NodeId>> last = new AtomicReference<>(Optional.empty());
        Optional<NodeId> found = Deadline.after(timeout).poll(POLL_INTERVAL, () -> {
            last.set(leader(raft));
            return last.get().filter(wanted);
        });
        return found.isPresent() ? found : last.get();
    }
}
