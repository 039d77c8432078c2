package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.message.LogEntry;
import io.raftlog.api.spi.storage.HardState;
import io.raftlog.testkit.TestEntries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at random moments, over and over on the same directory,
 * and checks after every kill that each acknowledged write survived intact, that the log is
 * contiguous, and that nothing torn or half-written is visible.
 *
 * <p>This proves durability against a dying process (the store runs in its default
 * {@link SyncMode#SYNC}, without {@code MDB_NOSYNC}/{@code MDB_NOMETASYNC}). It cannot prove it
 * against power loss: the kernel's page cache outlives a killed process, so a skipped fsync would
 * go unnoticed here. Power-loss durability rests on LMDB's two {@code fdatasync}s per commit.
 */
class LmdbCrashIT {
    private static final int KILLS = 24;
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(15);

    /** What the child acknowledged and what it may have started without acknowledging. */
    private static final class Acknowledged {
        long last;
        long lastStarted;
        long prefix = 1;
        long prefixStarted = 1;
        long hardTerm;
        long hardTermStarted;
        final StringBuilder transcript = new StringBuilder();

        void take(String line) {
            transcript.append(line).append('\n');
            String[] words = line.split(" ");
            assertThat(words[words.length - 1])
                    .as("line '%s' is complete", line)
                    .isEqualTo(".");
            long value = words.length > 2 ? Long.parseLong(words[1]) : 0;
            switch (words[0]) {
                case "START-APPEND" -> lastStarted = value;
                case "ACK" -> last = value;
                case "START-PREFIX" -> prefixStarted = value;
                case "PREFIX" -> prefix = value;
                case "START-HARD" -> hardTermStarted = value;
                case "HARD" -> hardTerm = value;
                default -> throw new AssertionError("unexpected line from the child: " + line);
            }
        }
    }

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 55, unit = TimeUnit.SECONDS)
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path directory = temp.resolve("data");
        Acknowledged acknowledged = new Acknowledged();
        int killedMidRun = 0;
        int onlyInFile = 0;
        int inFlightKept = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            String context = "kill " + kill + " of " + KILLS + ", seed " + seed;
            Path ackFile = temp.resolve("child-" + kill + ".acks");
            try (ChildJvm child = ChildJvm.start(
                    temp.resolve("child-" + kill + ".err"),
                    StoreProcess.class,
                    "write",
                    directory.toString(),
                    Long.toString(random.nextLong()),
                    ackFile.toString())) {
                List<String> lines = new ArrayList<>();
                String ready = child.nextLine(LINE_TIMEOUT);
                lines.add(ready);
                acknowledged
                        .transcript
                        .append("--- ")
                        .append(context)
                        .append('\n')
                        .append(ready)
                        .append('\n');
                assertThat(ready)
                        .as(context + ": child's first line; stderr: " + child.stderr())
                        .startsWith("READY ");
                int acksBeforeKill = 1 + random.nextInt(30);
                for (int acks = 0; acks < acksBeforeKill; ) {
                    String line = child.nextLine(LINE_TIMEOUT);
                    assertThat(line)
                            .as(context + ": child ended early; stderr: " + child.stderr())
                            .isNotNull();
                    lines.add(line);
                    acknowledged.take(line);
                    acks += line.startsWith("ACK ") ? 1 : 0;
                }
                // Let the child run on into a random point of a later batch (not waiting for anything).
                LockSupport.parkNanos(random.nextInt(3_000_000));
                assertThat(child.kill())
                        .as(context + ": exit status after SIGKILL")
                        .isEqualTo(128 + 9);
                List<String> piped = child.remainingLines();
                // The ack file is the full record (a pipe's last bytes may not reach us); it
                // must agree with every line that did come through the pipe.
                List<String> recorded = completeLines(ackFile);
                List<String> seen = new ArrayList<>(lines);
                seen.addAll(piped);
                assertThat(recorded)
                        .as(context + ": ack file starts with the piped lines")
                        .startsWith(seen.toArray(String[]::new));
                piped.forEach(acknowledged::take);
                for (String line : recorded.subList(seen.size(), recorded.size())) {
                    acknowledged.take(line);
                }
                killedMidRun += acknowledged.lastStarted > acknowledged.last ? 1 : 0;
                onlyInFile += recorded.size() - seen.size();
            }
            try {
                long last = verify(directory, acknowledged, context);
                inFlightKept += last > acknowledged.last ? 1 : 0;
            } catch (AssertionError e) {
                System.out.println("child transcript:\n" + acknowledged.transcript);
                System.out.println("ack file tail:\n"
                        + Files.readString(ackFile)
                                .lines()
                                .skip(Math.max(
                                        0, Files.readString(ackFile).lines().count() - 5))
                                .toList());
                throw e;
            }
        }
        System.out.printf(
                "LmdbCrashIT: %d kills, %d with an append in flight (%d of those found whole, the rest"
                        + " absent), last acknowledged index %d, %d lines only in the ack files, seed %d%n",
                KILLS, killedMidRun, inFlightKept, acknowledged.last, onlyInFile, seed);
        assertThat(acknowledged.last).as("the children acknowledged writes").isPositive();
    }

    /** The lines of {@code file} that end in a newline (the child may have died inside the last). */
    private static List<String> completeLines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.remove(lines.size() - 1);
        return lines;
    }

    /** Checks the store after a kill; returns its last index. */
    private static long verify(Path directory, Acknowledged acknowledged, String context) {
        try (LmdbLogStore store = LmdbLogStore.open(directory)) {
            long first = store.firstIndex();
            long last = store.lastIndex();
            // An append, a prefix truncation or a hard state in flight at the kill is there whole or not at all.
            assertThat(last)
                    .as(context + ": lastIndex is the last acknowledged append or the one in flight")
                    .isIn(acknowledged.last, acknowledged.lastStarted);
            assertThat(first)
                    .as(context + ": firstIndex is the last acknowledged prefix truncation or the one in flight")
                    .isIn(acknowledged.prefix, acknowledged.prefixStarted);
            HardState hardState = store.hardState();
            assertThat(hardState.term())
                    .as(context + ": hard state is the last acknowledged or the one in flight")
                    .isIn(acknowledged.hardTerm, acknowledged.hardTermStarted);
            if (hardState.term() > 0) {
                assertThat(hardState)
                        .as(context + ": hard state is whole")
                        .isEqualTo(StoreProcess.hardState(hardState.term()));
            }
            long expected = first;
            while (expected <= last) {
                List<LogEntry> chunk = new ArrayList<>(store.read(expected, 4096, Long.MAX_VALUE));
                for (LogEntry entry : chunk) {
                    assertThat(entry.index()).as(context + ": contiguous").isEqualTo(expected);
                    assertThat(entry.term())
                            .as(context + ": term of %d", expected)
                            .isEqualTo(StoreProcess.termOf(expected));
                    assertThat(TestEntries.isIntact(entry))
                            .as(context + ": entry %d intact", expected)
                            .isTrue();
                    expected++;
                }
            }
            if (first > 1) {
                assertThat(store.term(first - 1))
                        .as(context + ": term before the first entry")
                        .isEqualTo(StoreProcess.termOf(first - 1));
            }
            return last;
        }
    }
}
