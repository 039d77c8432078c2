package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

/**
 * The SIGKILL half of the crash suite: each child is killed while it runs, right after it reported
 * the start of a chosen call (so the call is most likely in flight) or its end (so the kill lands
 * between calls or early in the next), or as soon as the store opened.
 */
final class SigkillCrashes {
    /** A child is killed within this many calls of its start. */
    private static final int MAX_CALLS_PER_CHILD = 60;

    private final CrashSession session;

    SigkillCrashes(CrashSession session) {
        this.session = session;
    }

    void run(int kills) throws InterruptedException {
        Random random = session.random();
        for (int kill = 1; kill <= kills; kill++) {
            String context = "SIGKILL " + kill + " of " + kills;
            // -1: as soon as the store is open (the kill may land in the first call)
            long killAt = session.nextSeq() + random.nextInt(MAX_CALLS_PER_CHILD + 1) - 1;
            boolean inCall = random.nextBoolean();
            try (ChildJvmProcess child = session.startChild(List.of())) {
                boolean reached = session.readUntil(child, context, line -> isKillPoint(line, killAt, inCall));
                child.kill();
                session.drain(child, context, line -> {}); // a failed call it reported throws here
                assertThat(reached)
                        .as(
                                "%s: the child JVM keeps making calls until it is killed; %s; its stderr:%n%s",
                                CrashSession.CALLS_SUCCEED, context, child.stderr())
                        .isTrue();
            }
            session.verifyAndContinue(context);
        }
    }

    private boolean isKillPoint(String line, long killAt, boolean inCall) {
        if (line.startsWith("READY")) {
            return killAt < session.nextSeq();
        }
        String prefix = (inCall ? "B " : "E ") + killAt;
        return line.equals(prefix) || line.startsWith(prefix + " ");
    }
}
