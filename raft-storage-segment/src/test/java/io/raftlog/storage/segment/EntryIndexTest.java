package io.raftlog.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The paged index against a plain list of what it should hold, through appends, truncations at
 * both ends and resets that cross page boundaries, in a seeded random order.
 */
class EntryIndexTest {
    private record Expected(long position, int payloadBytes, long term) {}

    @Test
    void holdsWhatWasAppendedAcrossPagesThroughTruncationsAtBothEndsAndResets() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            EntryIndex index = new EntryIndex();
            List<Expected> model = new ArrayList<>();
            long first = 1;
            long termBefore = 0;
            long term = 1;
            for (int step = 0; step < 200; step++) {
                int action = random.nextInt(10);
                if (action < 6) {
                    int n = random.nextInt(EntryIndex.PAGE / 2);
                    for (int i = 0; i < n; i++) {
                        term += random.nextInt(50) == 0 ? 1 : 0;
                        Expected entry =
                                new Expected(random.nextLong() & Long.MAX_VALUE, random.nextInt(1 << 20), term);
                        index.append(entry.position(), entry.payloadBytes(), entry.term());
                        model.add(entry);
                    }
                } else if (action < 8 && !model.isEmpty()) {
                    int cut = random.nextInt(model.size() + 1);
                    long toIndex = first + cut;
                    long before = cut == 0 ? termBefore : model.get(cut - 1).term();
                    index.truncatePrefix(toIndex);
                    model.subList(0, cut).clear();
                    first = toIndex;
                    termBefore = before;
                } else if (action < 9 && !model.isEmpty()) {
                    int keep = random.nextInt(model.size() + 1);
                    index.truncateSuffix(first + keep);
                    model.subList(keep, model.size()).clear();
                    term = model.isEmpty()
                            ? Math.max(term, termBefore)
                            : model.get(model.size() - 1).term();
                } else if (random.nextInt(4) == 0) {
                    long at = first + model.size() + random.nextInt(100_000);
                    index.reset(at, term);
                    model.clear();
                    first = at + 1;
                    termBefore = term;
                }
                assertThat(index.firstIndex()).as("seed %d step %d", seed, step).isEqualTo(first);
                assertThat(index.lastIndex()).as("seed %d step %d", seed, step).isEqualTo(first + model.size() - 1);
                assertThat(index.term(first - 1)).isEqualTo(termBefore);
                assertThat(index.lastTerm())
                        .isEqualTo(
                                model.isEmpty()
                                        ? termBefore
                                        : model.get(model.size() - 1).term());
                for (int i = 0; i < model.size(); i += 1 + random.nextInt(97)) {
                    Expected expected = model.get(i);
                    long at = first + i;
                    assertThat(index.position(at))
                            .as("position of %d, seed %d", at, seed)
                            .isEqualTo(expected.position());
                    assertThat(index.payloadBytes(at)).isEqualTo(expected.payloadBytes());
                    assertThat(index.term(at)).isEqualTo(expected.term());
                }
            }
        }
    }

    @Test
    void anEntryRepairedInALaterPageKeepsItsIndexAndMovesItsFrame() {
        EntryIndex index = new EntryIndex();
        int entries = 3 * EntryIndex.PAGE + 7;
        for (int i = 0; i < entries; i++) {
            index.append(EntryIndex.position(1, 64L * i), 10, 1);
        }
        long repaired = 2L * EntryIndex.PAGE + 3;

        index.replace(repaired, EntryIndex.position(9, 128), 11, 1);
        index.truncatePrefix(EntryIndex.PAGE + 2); // the first page goes

        assertThat(index.position(repaired)).isEqualTo(EntryIndex.position(9, 128));
        assertThat(index.payloadBytes(repaired)).isEqualTo(11);
        assertThat(index.position(repaired + 1)).isEqualTo(EntryIndex.position(1, 64L * repaired));
        assertThat(index.lowestSequence()).isEqualTo(1);
        assertThat(index.firstUnplaced()).isEqualTo(-1);
    }
}
