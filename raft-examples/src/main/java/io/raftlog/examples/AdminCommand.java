package io.raftlog.examples;

import io.raftlog.api.Membership;
import io.raftlog.api.MembershipChangeException;
import io.raftlog.api.NodeId;
import io.raftlog.transport.netty.client.RaftClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code raftlog admin}: the operator's membership flows — list the members, add a learner,
 * promote it, remove a member, hand leadership over. Every change goes one node at a time and
 * completes once committed; the leader refuses one that would leave the cluster unable to commit.
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
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                new picocli.CommandLine(this),
                "name an admin command: members, add-learner, promote, remove or" + " transfer-leader");
    }

    private static final Duration CONNECT = Duration.ofSeconds(10);
    private static final long ANSWER_SECONDS = 60;

    static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer to " + what + " within " + ANSWER_SECONDS + " s", e);
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

    @Command(name = "members", mixinStandardHelpOptions = true, description = "List voters and learners.")
    static final class Members implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() throws Exception {
            try (RaftClient raft = client.connect(CONNECT)) {
                Membership membership = await(raft.membership(), "the membership request");
                print(System.out, membership, leader(raft));
            }
            return 0;
        }
    }

    @Command(
            name = "add-learner",
            mixinStandardHelpOptions = true,
            description = "Add a node as a learner: it receives the log (a snapshot first if needed) but does"
                    + " not vote. Start it with raftlog node --join on an empty data directory.")
    static final class AddLearner implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--id", required = true, description = "The new node's id (never used in this cluster).")
        String id;

        @Option(
                names = "--address",
                required = true,
                paramLabel = "HOST:PORT",
                description = "Where peers and clients reach it (its --listen address).")
        String address;

        @Override
        public Integer call() throws Exception {
            Addresses.parse("--address", address);
            try (RaftClient raft = client.connect(CONNECT)) {
                Membership membership = await(raft.addLearner(NodeId.of(id), address), "add-learner");
                print(System.out, membership, leader(raft));
            }
            return 0;
        }
    }

    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description = "Make a learner a voter, once it has caught up with the leader (waits for it).")
    static final class Promote implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--id", required = true, description = "The learner to promote.")
        String id;

        @Option(
                names = "--wait",
                defaultValue = "120",
                paramLabel = "SECONDS",
                description = "How long to wait for the learner to catch up (default: ${DEFAULT-VALUE}).")
        long waitSeconds;

        @Override
        public Integer call() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            boolean told = false;
            try (RaftClient raft = client.connect(CONNECT)) {
                while (true) {
                    try {
                        Membership membership = await(raft.promote(NodeId.of(id)), "promote");
                        print(System.out, membership, leader(raft));
                        return 0;
                    } catch (ExecutionException e) {
                        boolean lagging = e.getCause() instanceof MembershipChangeException refused
                                && refused.getMessage().contains("has not caught up");
                        if (!lagging || System.nanoTime() - deadline >= 0) {
                            throw e;
                        }
                        if (!told) {
                            System.err.println("waiting for " + id + " to catch up: "
                                    + e.getCause().getMessage());
                            told = true;
                        }
                        // A retry interval against a remote cluster, not a test's wait.
                        Thread.sleep(500);
                    }
                }
            }
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a voter or a learner. If it leads, leadership is handed to another voter first.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--id", required = true, description = "The member to remove.")
        String id;

        @Override
        public Integer call() throws Exception {
            NodeId node = NodeId.of(id);
            try (RaftClient raft = client.connect(CONNECT)) {
                Optional<NodeId> leader = leader(raft);
                if (leader.filter(node::equals).isPresent()) {
                    Membership membership = await(raft.membership(), "the membership request");
                    NodeId next = membership.voters().keySet().stream()
                            .filter(voter -> !voter.equals(node))
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException(id + " is the only voter"));
                    System.err.println(id + " leads: handing leadership to " + next + " first");
                    await(raft.transferLeadership(next), "transfer-leader");
                    awaitLeader(raft, leader1 -> !leader1.equals(node));
                }
                Membership membership = await(raft.removeMember(node), "remove");
                print(System.out, membership, leader(raft));
            }
            return 0;
        }
    }

    @Command(
            name = "transfer-leader",
            mixinStandardHelpOptions = true,
            description = "Hand leadership to a voter (it campaigns as soon as it holds the whole log).")
    static final class TransferLeader implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--to", required = true, description = "The voter to lead.")
        String to;

        @Override
        public Integer call() throws Exception {
            NodeId target = NodeId.of(to);
            try (RaftClient raft = client.connect(CONNECT)) {
                await(raft.transferLeadership(target), "transfer-leader");
                NodeId now = awaitLeader(raft, target::equals);
                if (!now.equals(target)) {
                    System.err.println("the transfer did not complete: " + now + " leads");
                    return 1;
                }
                System.out.println(now);
            }
            return 0;
        }
    }

    /** Polls the status until the leader known satisfies {@code wanted}, for up to 10 s; returns it. */
    private static NodeId awaitLeader(RaftClient raft, java.util.function.Predicate<NodeId> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Optional<NodeId> leader = Optional.empty();
        while (System.nanoTime() - deadline < 0) {
            leader = await(raft.status(), "status").leader();
            if (leader.filter(wanted).isPresent()) {
                return leader.get();
            }
            Thread.sleep(100); // polling a remote cluster, not a test's wait
        }
        return leader.orElseThrow(() -> new IllegalStateException("no leader within 10 s"));
    }
}
