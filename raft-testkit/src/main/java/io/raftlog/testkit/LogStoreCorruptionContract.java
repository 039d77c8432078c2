package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import io.raftlog.api.spi.storage.LogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bit-rot contract of a durable {@link LogStore} (a TCK): a store whose files were damaged at
 * rest either refuses to open, loudly, or answers every read with exactly what was written or an
 * exception naming what is damaged — never wrong bytes, never a silently shorter log, never a lost
 * hard state.
 *
 * <pre>{@code
 * class MyLogStoreCorruptionTest extends LogStoreCorruptionContract {
 *     @Override
 *     protected Class<? extends LogStoreFactory> factory() {
 *         return MyLogStoreCrashIT.Factory.class; // the crash suite's factory serves here too
 *     }
 * }
 * }</pre>
 *
 * <p><b>How.</b> The suite writes a known log through {@link #factory()} (in this JVM): about 250
 * entries of every {@link io.raftlog.api.message.EntryType} in several terms, payloads from empty
 * to 40 KiB, a replaced entry, a suffix truncation and a new term after it, a prefix truncation, a
 * hard state with a vote, and metadata values from empty to 64 KiB; then closes it. Each round
 * copies the files, damages the copy in one place and opens it again. The rule:
 *
 * <ul>
 *   <li>opening succeeds, or throws a {@link io.raftlog.api.StorageException} (such as a
 *       {@link io.raftlog.api.CorruptLogException}) with a message;</li>
 *   <li>once open, {@code firstIndex()} and {@code lastIndex()} are as written;</li>
 *   <li>{@code read}, {@code forEach} and {@code term} return exactly what was written, or throw a
 *       {@link io.raftlog.api.CorruptLogException} whose {@code index()} is the damaged entry (for
 *       a single entry, exactly its index; for a range, an index in it not yet visited);</li>
 *   <li>{@code hardState()} and {@code metadata(name)} return exactly what was written, or throw a
 *       {@link io.raftlog.api.StorageException}.</li>
 * </ul>
 *
 * <p>Any other exception (an {@code IndexOutOfBoundsException} from a damaged length field, say)
 * breaks the rule too. The two tests damage differently:
 *
 * <ul>
 *   <li>{@link #flippedPayloadBytesAreDetected()}: flips a byte inside a stored payload or
 *       metadata value, found by searching the files for the 16 bytes around it (flipped in every
 *       copy). A store that compresses or encrypts payloads cannot run it and must exclude it with
 *       {@link ContractExclusion}.</li>
 *   <li>{@link #flippedBytesAnywhereAreDetectedOrHarmless()}: flips one byte, or a run of up to 8,
 *       anywhere in any file: headers, indexes, free space. A store whose own structures carry no
 *       checksums (LMDB's B-tree pages) cannot keep this rule and must exclude it, saying so.</li>
 * </ul>
 *
 * <p>Reopening runs in this JVM: a store whose native code may crash on damaged files crashes the
 * test JVM (and should exclude the test). One damaged place per round: a store is not expected to
 * survive two (its checksum and its fallback copy both hit).
 *
 * <p><b>Seeds and cost.</b> Each test draws a seed and prints it with any failure;
 * {@code -Draftlog.tck.corruption.seed=S} replays it. {@link #rounds()} rounds per test (40 by
 * default, {@code -Draftlog.tck.corruption.rounds=N}); every round runs and a failure lists the
 * first broken ones. A second or two per test.
 *
 * <p>Stores without files (the in-memory store) cannot run this suite.
 */
@ExtendWith(ContractExclusions.class)
public abstract class LogStoreCorruptionContract {
    /** The system property that replays a seed. */
    public static final String SEED_PROPERTY = "raftlog.tck.corruption.seed";
    /** The system property that sets {@link #rounds()}. */
    public static final String ROUNDS_PROPERTY = "raftlog.tck.corruption.rounds";

    private static final int REPORTED_VIOLATIONS = 3;

    /** A fresh directory per test: the pristine store and the damaged copies live under it. */
    @TempDir
    protected Path temp;

    /**
     * The factory that opens the store, in this JVM: a no-argument constructor, public or not (a
     * nested class must be {@code static}), so the crash suite's factory serves here too. See
     * {@link LogStoreFactory}.
     */
    protected abstract Class<? extends LogStoreFactory> factory();

    /** How many damaged copies each test opens; 40 by default. */
    protected int rounds() {
        return Integer.getInteger(ROUNDS_PROPERTY, 40);
    }

    @Test
    void flippedPayloadBytesAreDetected() throws Exception {
        runRounds("a byte flipped inside a payload or metadata value", (copy, random, expected) -> {
            Bytes target = randomTarget(expected, random);
            List<Damage.Flip> flips = Damage.inside(copy, target, random);
            assertThat(flips)
                    .as(
                            "the stored bytes of %s are found in the store's files: a store that compresses or"
                                    + " encrypts payloads cannot run this test; exclude flippedPayloadBytesAreDetected"
                                    + " with @ContractExclusion and that reason",
                            target)
                    .isNotEmpty();
            return flips;
        });
    }

    @Test
    void flippedBytesAnywhereAreDetectedOrHarmless() throws Exception {
        runRounds("a byte or a short run flipped anywhere", (copy, random, expected) -> Damage.anywhere(copy, random));
    }

    /** How one round damages its copy. */
    @FunctionalInterface
    private interface Damager {
        List<Damage.Flip> damage(Path copy, Random random, ExpectedLog expected) throws IOException;
    }

    private void runRounds(String how, Damager damager) throws Exception {
        String fixed = System.getProperty(SEED_PROPERTY, "");
        long seed = fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
        String seedText = "seed " + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")";
        Random random = new Random(seed);
        LogStoreFactory factory = CrashChild.instantiate(factory());
        Path pristine = temp.resolve("pristine");
        ExpectedLog expected = CorruptionFixture.write(factory, pristine);
        CorruptionCheck.check(factory, pristine, expected, "the undamaged store, reopened; " + seedText);
        int rounds = rounds();
        List<String> violations = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Path copy = temp.resolve("round-" + round);
            FileTrees.copy(pristine, copy);
            List<Damage.Flip> flips = damager.damage(copy, random, expected);
            String context = "round " + round + " of " + rounds + " (" + how + ": " + flips + "), " + seedText;
            try {
                CorruptionCheck.check(factory, copy, expected, context);
            } catch (AssertionError e) {
                violations.add(e.getMessage());
            }
            FileTrees.delete(copy);
        }
        assertThat(violations)
                .as(
                        "%d of %d damaged copies broke the rule (%s); the first %d:%n%s",
                        violations.size(),
                        rounds,
                        seedText,
                        Math.min(REPORTED_VIOLATIONS, violations.size()),
                        String.join("\n\n", violations.subList(0, Math.min(REPORTED_VIOLATIONS, violations.size()))))
                .isEmpty();
        System.out.println(getClass().getSimpleName() + ": " + rounds + " damaged copies (" + how
                + ") all detected or harmless, " + seedText);
    }

    /** A payload of 16 bytes or more (four times in five) or a metadata value of 16 bytes or more. */
    private static Bytes randomTarget(ExpectedLog expected, Random random) {
        List<Bytes> values = new ArrayList<>();
        if (random.nextInt(5) == 0) {
            for (int name = 0; name < StoredValues.METADATA_NAMES.length; name++) {
                expected.metadata(name).filter(value -> value.size() >= 16).ifPresent(values::add);
            }
        } else {
            for (long index = expected.firstIndex(); index <= expected.lastIndex(); index++) {
                Bytes payload = expected.entry(index).payload();
                if (payload.size() >= 16) {
                    values.add(payload);
                }
            }
        }
        return values.get(random.nextInt(values.size()));
    }
}
