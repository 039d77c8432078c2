package io.raftlog.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.testkit.sim.InteractiveSimulation.Action;
import io.raftlog.testkit.sim.InteractiveSimulation.NodeView;
import io.raftlog.testkit.sim.InteractiveSimulation.TimelineEntry;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Each action of the console's cluster, by what it does to the real nodes it runs. */
class InteractiveSimulationTest {
    private static final long MS = NodeSimulation.MS;

    @Test
    void aClusterElectsALeaderOnItsOwnAndARecordSentToAFollowerIsRedirectedAndCommittedOnEveryNode() {
        InteractiveSimulation run = InteractiveSimulation.start(42, 3);
        String leader = awaitLeader(run);
        String follower = anotherThan(run, leader);

        run.act("append", follower, "hello");

        until(
                run,
                "hello committed everywhere",
                r -> r.view().nodes().stream()
                        .allMatch(node ->
                                node.entries().stream().anyMatch(e -> e.text().equals("hello") && e.committed())));
        assertThat(texts(run, "client"))
                .anyMatch(text -> text.startsWith("redirect: " + follower + " is not the leader"))
                .anyMatch(text -> text.contains("\"hello\" committed at offset"));
        assertThat(run.verdict()).isEmpty();
    }

    @Test
    void aRecordSentBeforeAnyLeaderIsKnownIsSentAgainUntilOneIsAndCommits() {
        InteractiveSimulation run = InteractiveSimulation.start(5, 3);

        run.act("append", "n1", "early");

        until(
                run,
                "early committed",
                r -> r.timeline(entry -> entry.kind().equals("client"), 50).stream()
                        .anyMatch(entry -> entry.text().startsWith("\"early\" committed at offset")));
        assertThat(texts(run, "client"))
                .as("the first try met no leader, and the client tried again")
                .anyMatch(text -> text.equals("n1 knows no leader: the client tries \"early\" again in 100 ms"));
        assertThat(run.verdict()).isEmpty();
    }

    @Test
    void aForgedEntryThatPassesItsChecksumIsCaughtByTheCheckerAndStopsTheRun() {
        InteractiveSimulation run = InteractiveSimulation.start(42, 3);
        String leader = awaitLeader(run);
        String follower = anotherThan(run, leader);
        run.act("append", leader, "real");
        until(
                run,
                "real committed everywhere",
                r -> r.view().nodes().stream().allMatch(node -> node.commitIndex() >= 2));

        run.act("forge", follower, "2");
        run.act("stop", follower);
        run.act("restart", follower); // it applies its log again, forged entry included
        for (int slice = 0; slice < 1000 && run.verdict().isEmpty(); slice++) {
            run.runFor(10 * MS);
        }

        assertThat(run.verdict().orElseThrow()).as(run.report().orElse("")).isNotBlank();
        assertThat(texts(run, "violation")).containsExactly(run.verdict().orElseThrow());
        long step = run.steps();
        assertThat(run.stepEvent()).as("a broken run goes no further").isFalse();
        assertThat(run.steps()).isEqualTo(step);
        assertThat(run.exportTest("ForgedRunTest")).contains("When it was recorded an invariant broke");
    }

    @Test
    void stoppingTheLeaderElectsAnotherAndARestartedNodeCatchesUp() {
        InteractiveSimulation run = InteractiveSimulation.start(7, 3);
        String first = awaitLeader(run);
        run.act("stop", first);
        assertThat(node(run, first).up()).isFalse();
        String second = awaitLeader(run);
        assertThat(second).isNotEqualTo(first);
        run.act("append", second, "after");
        run.act("restart", first);
        until(
                run,
                first + " has the record",
                r -> node(r, first).entries().stream().anyMatch(e -> e.text().equals("after") && e.committed()));
        assertThat(node(run, first).role()).isEqualTo("follower");
        assertThatThrownBy(() -> run.act("restart", first)).hasMessageContaining("already running");
    }

    @Test
    void aCutLinkDropsTheMessagesOfItsDirectionOnly() {
        InteractiveSimulation run = InteractiveSimulation.start(3, 3);
        String leader = awaitLeader(run);
        String follower = anotherThan(run, leader);
        run.act("cut", leader, follower);
        assertThat(run.view().cutLinks()).containsExactly(List.of(leader, follower));
        run.runFor(100 * MS);
        assertThat(texts(run, "dropped"))
                .anyMatch(text ->
                        text.startsWith(leader + " → " + follower) && text.endsWith("dropped: the link is cut"));
        assertThat(texts(run, "dropped")).noneMatch(text -> text.startsWith(follower + " → " + leader));
        run.act("restore", leader, follower);
        assertThat(run.view().cutLinks()).isEmpty();
        run.act("append", leader, "through");
        until(
                run,
                follower + " has the record",
                r -> node(r, follower).entries().stream().anyMatch(e -> e.text().equals("through") && e.committed()));
    }

    @Test
    void aPausedLeaderIsReplacedAndLearnsItWhenItRunsAgain() {
        InteractiveSimulation run = InteractiveSimulation.start(11, 3);
        String leader = awaitLeader(run);
        run.act("pause", leader, "1500");
        assertThat(node(run, leader).paused()).isTrue();
        until(
                run,
                "another leader",
                r -> r.view().nodes().stream()
                        .anyMatch(node ->
                                node.role().equals("leader") && !node.id().equals(leader)));
        until(
                run,
                leader + " follows",
                r -> !node(r, leader).paused() && node(r, leader).role().equals("follower"));
    }

    @Test
    void aCorruptEntryIsCaughtByTheReadThatMeetsItAndRepairedFromAPeer() {
        InteractiveSimulation run = InteractiveSimulation.start(42, 3);
        String leader = awaitLeader(run);
        String follower = anotherThan(run, leader);
        run.act("append", leader, "precious");
        until(run, "committed on " + follower, r -> node(r, follower).commitIndex() >= 2);

        run.act("corrupt", follower, "2");
        assertThat(node(run, follower).entries().stream().filter(e -> e.index() == 2))
                .allMatch(InteractiveSimulation.EntryView::damaged);
        run.act("read", follower, "2");
        assertThat(texts(run, "disk")).anyMatch(text -> text.contains(follower + " found entry 2 corrupt"));
        until(
                run,
                "repaired",
                r -> node(r, follower).disk().equals("healthy")
                        && node(r, follower).entries().stream().noneMatch(InteractiveSimulation.EntryView::damaged));
        assertThat(texts(run, "disk")).anyMatch(text -> text.startsWith(follower + "'s health: repairing"));
        run.act("read", follower, "2");
        run.runFor(50 * MS);
        assertThat(texts(run, "client")).anyMatch(text -> text.contains("2:\"precious\""));
        assertThatThrownBy(() -> run.act("corrupt", follower, "99")).hasMessageContaining("holds entries 1..");
    }

    @Test
    void aLeaderWhoseDiskIsCutOffStopsLeadingAndComesBackWhenItReturns() {
        InteractiveSimulation run = InteractiveSimulation.start(5, 3);
        String leader = awaitLeader(run);
        run.act("disk-cut", leader);
        run.act("append", leader, "stuck");
        assertThat(node(run, leader).disk()).isEqualTo("failing");
        until(
                run,
                "another leader",
                r -> r.view().nodes().stream()
                        .anyMatch(node ->
                                node.role().equals("leader") && !node.id().equals(leader)));
        run.act("disk-restore", leader);
        until(
                run,
                leader + " healthy and following",
                r -> node(r, leader).health().equals("HEALTHY")
                        && node(r, leader).role().equals("follower")
                        && node(r, leader).commitIndex() == r.view().committedIndex());
    }

    @Test
    void aFollowerWithAFullDiskStopsAcknowledgingUntilSpaceIsFreed() {
        InteractiveSimulation run = InteractiveSimulation.start(9, 3);
        String leader = awaitLeader(run);
        String follower = anotherThan(run, leader);
        run.act("disk-full", follower);
        run.act("append", leader, "one");
        until(run, "committed by the other two", r -> r.view().committedIndex() >= 2);
        assertThat(node(run, follower).disk()).isEqualTo("full");
        assertThat(node(run, follower).lastIndex()).isLessThan(2);
        assertThat(texts(run, "disk")).anyMatch(text -> text.startsWith(follower + "'s health: storage failing"));
        run.act("disk-free", follower);
        until(
                run,
                follower + " caught up",
                r -> node(r, follower).entries().stream().anyMatch(e -> e.text().equals("one") && e.committed()));
    }

    @Test
    void aNodeIsAddedAsALearnerPromotedAndRemovedAndLeadershipTransferred() {
        InteractiveSimulation run = InteractiveSimulation.start(13, 3);
        String leader = awaitLeader(run);
        run.act("add");
        until(
                run,
                "n4 a learner",
                r -> r.view().nodes().size() == 4
                        && node(r, "n4").member()
                        && !node(r, "n4").voter());
        run.act("promote", "n4");
        until(run, "n4 a voter", r -> node(r, "n4").voter());
        String other = anotherThan(run, leader);
        run.act("transfer", other);
        until(run, other + " leads", r -> node(r, other).role().equals("leader"));
        run.act("remove", "n4");
        until(
                run,
                "n4 removed",
                r -> !node(r, other).equals(null)
                        && r.view().nodes().stream()
                                .filter(n -> n.id().equals(other))
                                .allMatch(n -> n.role().equals("leader"))
                        && texts(r, "client").stream().anyMatch(text -> text.startsWith("removed n4")));
        assertThat(run.verdict()).isEmpty();
    }

    @Test
    void aRunReplaysExactlyFromItsSeedAndActionsAndSeekGoesBackAndForth() {
        InteractiveSimulation run = InteractiveSimulation.start(21, 5);
        String leader = awaitLeader(run);
        run.act("append", anotherThan(run, leader), "a");
        run.runFor(50 * MS);
        run.act("stop", leader);
        run.runFor(500 * MS);
        run.act("append", anotherThan(run, leader), "b");
        run.runFor(300 * MS);
        String end = run.fingerprint();
        long steps = run.steps();

        assertThat(InteractiveSimulation.replay(21, 5, run.actions(), steps).fingerprint())
                .isEqualTo(end);

        long middle = run.actions().get(1).step();
        run.seek(middle);
        assertThat(run.steps()).isEqualTo(middle);
        assertThat(node(run, leader).up()).isFalse(); // the action at that step is done
        assertThat(run.view().pendingActions()).isEqualTo(1);
        run.seek(steps);
        assertThat(run.fingerprint()).isEqualTo(end);

        run.seek(middle - 1);
        run.act("append", leader, "another course");
        assertThat(run.view().pendingActions()).isZero();
        assertThat(run.actions()).hasSize(2);
    }

    @Test
    void theExportedTestNamesTheSeedTheActionsAndTheStateReached() {
        InteractiveSimulation run = InteractiveSimulation.start(99, 3);
        String leader = awaitLeader(run);
        run.act("append", leader, "say \"hi\"");
        run.runFor(20 * MS);
        String source = run.exportTest("ConsoleRunTest");
        assertThat(source)
                .contains("public class ConsoleRunTest")
                .contains("InteractiveSimulation.replay(")
                .contains("99L")
                .contains(new Action(run.actions().get(0).step(), "append", List.of(leader, "say \"hi\"")).toJava())
                .contains(InteractiveSimulation.quote(run.fingerprint()));
        assertThatThrownBy(() -> run.exportTest("not a class")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void actionsThatMakeNoSenseAreRefusedWithTheReason() {
        InteractiveSimulation run = InteractiveSimulation.start(1, 3);
        assertThatThrownBy(() -> run.act("stop", "n9")).hasMessageContaining("no node n9; the nodes are [n1, n2, n3]");
        assertThatThrownBy(() -> run.act("fly", "n1")).hasMessageContaining("unknown action 'fly'");
        assertThatThrownBy(() -> run.act("cut", "n1")).hasMessageContaining("cut takes: from to");
        assertThatThrownBy(() -> run.act("promote", "n1")).hasMessageContaining("no node leads now");
        assertThatThrownBy(() -> run.act("pause", "n1", "soon")).hasMessageContaining("millis must be a whole number");
        assertThatThrownBy(() -> InteractiveSimulation.start(1, 4)).hasMessageContaining("3 or 5 nodes");
        assertThat(run.actions()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static String awaitLeader(InteractiveSimulation run) {
        until(run, "a leader every node knows", r -> {
            var nodes = r.view().nodes();
            var leader =
                    nodes.stream().filter(node -> node.role().equals("leader")).findFirst();
            return leader.isPresent()
                    && nodes.stream()
                            .filter(node -> node.up() && node != leader.get())
                            .allMatch(node -> node.leader().equals(leader.get().id())
                                    && node.term() == leader.get().term());
        });
        return run.view().nodes().stream()
                .filter(node -> node.role().equals("leader"))
                .findFirst()
                .orElseThrow()
                .id();
    }

    private static String anotherThan(InteractiveSimulation run, String id) {
        return run.view().nodes().stream()
                .filter(node -> node.up() && !node.id().equals(id))
                .findFirst()
                .orElseThrow()
                .id();
    }

    private static NodeView node(InteractiveSimulation run, String id) {
        return run.view().nodes().stream()
                .filter(node -> node.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> texts(InteractiveSimulation run, String kind) {
        return run.timeline(entry -> entry.kind().equals(kind), 10_000).stream()
                .map(TimelineEntry::text)
                .toList();
    }

    /** Runs virtual time in 10 ms slices until {@code condition} holds, for at most 10 virtual seconds. */
    private static void until(InteractiveSimulation run, String what, Predicate<InteractiveSimulation> condition) {
        for (int slice = 0; slice < 1000; slice++) {
            if (condition.test(run)) {
                return;
            }
            assertThat(run.verdict()).as("verdict").isEmpty();
            run.runFor(10 * MS);
        }
        throw new AssertionError("not within 10 virtual seconds: " + what + "\n"
                + String.join(
                        "\n",
                        run.timeline(e -> !e.kind().equals("heartbeat"), 60).stream()
                                .map(Object::toString)
                                .toList()));
    }
}
