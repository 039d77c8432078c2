package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The de-duplication table stays bounded: idle producers expire on log time, and the count is capped. */
class ProducerTableTest {
    private static ProducerTable.Header header(long producer, long firstSequence, int count, long millis) {
        return new ProducerTable.Header(producer, firstSequence, count, millis);
    }

    @Test
    void aProducerIdleLongerThanTheTimeoutIsForgottenAndItsRetriesAreUnknownNotNew() {
        ProducerTable table = new ProducerTable(1_000, 100);
        table.applied(header(1, 0, 2, 10_000), 5, 2);
        assertThat(table.check(1, 0, 2)).isEqualTo(new ProducerTable.AlreadyCommitted(List.of(6L, 7L)));

        // Another producer's batch moves log time past producer 1's idle timeout.
        table.applied(header(2, 0, 1, 11_001), 8, 1);

        assertThat(table.size()).isEqualTo(1);
        // Its first batch is in the log: a late retry of it must not be appended a second time.
        assertThat(table.check(1, 0, 2)).isInstanceOf(ProducerTable.Unknown.class);
        assertThat(table.check(1, 2, 1)).isInstanceOf(ProducerTable.Unknown.class);
        // A producer never seen is still new at sequence 0, and must start there.
        assertThat(table.check(3, 0, 1)).isInstanceOf(ProducerTable.Append.class);
        assertThat(table.check(3, 1, 1)).isInstanceOf(ProducerTable.Reject.class);
    }

    /**
     * Expiry follows the leaders' wall clocks, recorded in the log. A leader whose clock jumped
     * two hours ahead expires every producer at once; a retry still on its way of a committed
     * sequence-0 batch must then not be appended again (review F6; found by NodeSimulationTest).
     */
    @Test
    void aWallClockJumpThatExpiresEveryProducerCannotTurnARetryIntoADuplicate() {
        ProducerTable table = new ProducerTable(3_600_000, 1_000);
        long now = 1_800_000_000_000L;
        table.applied(header(1, 0, 3, now), 9, 3);
        table.applied(header(2, 0, 1, now + 7_200_000), 15, 1); // stamped by a leader two hours ahead

        assertThat(table.check(1, 0, 3)).isInstanceOf(ProducerTable.Unknown.class);
    }

    /**
     * The table holds up to 1,000,000 producers but remembers only the last
     * {@value ProducerTable#REMEMBERED_EXPIRED} expired ids. Were a clock jump to expire more
     * producers than that at once, the oldest would be forgotten outright, and the late retry of a
     * committed sequence-0 batch of one of them appended again. At most one producer is forgotten
     * per applied batch instead (review F6).
     */
    @Test
    void aClockJumpForgetsAtMostOneProducerPerBatchSoNoneIsForgottenOutright() {
        ProducerTable table = new ProducerTable(3_600_000, 1_000_000); // as Proposer builds it
        long now = 1_800_000_000_000L;
        int producers = ProducerTable.REMEMBERED_EXPIRED + 10;
        long index = 1;
        for (int p = 1; p <= producers; p++) {
            table.applied(header(p, 0, 1, now), index, 1);
            index += 2;
        }
        assertThat(table.check(1, 0, 1))
                .as("committed, answered with its offset")
                .isInstanceOf(ProducerTable.AlreadyCommitted.class);

        // One batch stamped by a leader whose wall clock jumped two hours ahead.
        table.applied(header(producers + 1, 0, 1, now + 7_200_000), index, 1);

        assertThat(table.size()).as("one producer forgotten, one added").isEqualTo(producers);
        // Producer 1's committed seq-0 batch is retried (its answer was lost): must not be Append.
        assertThat(table.check(1, 0, 1))
                .as("a retry of a committed batch must not be appended again")
                .isInstanceOf(ProducerTable.Unknown.class);
        assertThat(table.check(2, 0, 1))
                .as("not forgotten yet: still answered with its offset")
                .isEqualTo(new ProducerTable.AlreadyCommitted(List.of(4L)));

        // Every further batch forgets one more idle producer, oldest first.
        table.applied(header(producers + 1, 1, 1, now + 7_200_001), index + 2, 1);
        assertThat(table.check(2, 0, 1)).isInstanceOf(ProducerTable.Unknown.class);
        assertThat(table.check(3, 0, 1)).isInstanceOf(ProducerTable.AlreadyCommitted.class);
    }

    /**
     * The bound the rule gives: a producer forgotten (here evicted by a cap of one) stays known as
     * forgotten for {@value ProducerTable#REMEMBERED_EXPIRED} more applied batches. Only a retry
     * later than that could be taken for a new producer.
     */
    @Test
    void aForgottenProducerIsRememberedForAtLeastTheNextRememberedExpiredBatches() {
        ProducerTable table = new ProducerTable(Long.MAX_VALUE / 4, 1);
        table.applied(header(1, 0, 1, 1), 1, 1);
        long index = 3;
        for (int p = 2; p <= ProducerTable.REMEMBERED_EXPIRED + 1; p++) {
            table.applied(header(p, 0, 1, 1), index, 1);
            index += 2;
        }
        assertThat(table.check(1, 0, 1))
                .as("%d batches after producer 1's", ProducerTable.REMEMBERED_EXPIRED)
                .isInstanceOf(ProducerTable.Unknown.class);

        table.applied(header(ProducerTable.REMEMBERED_EXPIRED + 2, 0, 1, 1), index, 1);
        assertThat(table.check(1, 0, 1))
                .as("one batch beyond the bound its id is gone too")
                .isInstanceOf(ProducerTable.Append.class);
    }

    @Test
    void aProducerThatComesBackWithANewBatchIsKnownAgain() {
        ProducerTable table = new ProducerTable(1_000, 100);
        table.applied(header(1, 0, 1, 10_000), 5, 1);
        table.applied(header(2, 0, 1, 20_000), 7, 1); // producer 1 expires
        table.applied(header(1, 1, 1, 20_001), 9, 1); // a batch of it that was already on its way commits
        assertThat(table.check(1, 2, 1)).isInstanceOf(ProducerTable.Append.class);
    }

    @Test
    void theNumberOfProducersIsCappedOldestFirst() {
        ProducerTable table = new ProducerTable(Long.MAX_VALUE / 4, 3);
        for (long producer = 1; producer <= 5; producer++) {
            table.applied(header(producer, 0, 1, producer), producer * 2, 1);
        }
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.check(1, 1, 1)).isInstanceOf(ProducerTable.Unknown.class); // forgotten
        assertThat(table.check(5, 1, 1)).isInstanceOf(ProducerTable.Append.class); // remembered
    }

    @Test
    void onlyTheLastBatchesAreRememberedForRetries() {
        ProducerTable table = new ProducerTable(Long.MAX_VALUE / 4, 10);
        int batches = ProducerTable.REMEMBERED_BATCHES + 1;
        for (int batch = 0; batch < batches; batch++) {
            table.applied(header(7, batch, 1, 1), 2L * batch + 1, 1);
        }
        // Batch 0 is in the log, but no longer remembered: unknown, not a (definite) gap.
        assertThat(table.check(7, 0, 1)).isInstanceOf(ProducerTable.Unknown.class);
        assertThat(table.check(7, batches - 1, 1)).isEqualTo(new ProducerTable.AlreadyCommitted(List.of(2L * batches)));
        assertThat(table.check(7, batches + 1, 1)).isInstanceOf(ProducerTable.Reject.class);
    }

    @Test
    void aRetryOfABatchOnlyPartlyInTheLogAppendsJustTheRestAndAnswersWithAllOffsets() {
        ProducerTable table = new ProducerTable(Long.MAX_VALUE / 4, 10);
        // Header at 10, records 11 and 12 committed; the batch's third record was replaced.
        table.applied(header(4, 0, 3, 1), 10, 2);

        assertThat(table.check(4, 0, 3)).isEqualTo(new ProducerTable.Partial(List.of(11L, 12L), 2));
        assertThat(table.check(4, 3, 1))
                .as("the next batch would leave a gap")
                .isInstanceOf(ProducerTable.Reject.class);

        // The rest goes in flight as a batch of its own: a retry meanwhile waits for it.
        CompletableFuture<List<Long>> rest = new CompletableFuture<>();
        table.inFlight(4, 2, 1, rest);
        ProducerTable.Decision meanwhile = table.check(4, 0, 3);
        assertThat(meanwhile).isInstanceOf(ProducerTable.InFlight.class);
        rest.complete(List.of(20L));
        assertThat(((ProducerTable.InFlight) meanwhile).original().join()).containsExactly(11L, 12L, 20L);

        // Once the rest is committed (header at 19, record 20), a retry gets every offset, appending nothing.
        table.applied(header(4, 2, 1, 2), 19, 1);
        assertThat(table.check(4, 0, 3)).isEqualTo(new ProducerTable.AlreadyCommitted(List.of(11L, 12L, 20L)));
        assertThat(table.check(4, 3, 1)).isInstanceOf(ProducerTable.Append.class);
    }

    @Test
    void aBatchOfWhichOnlyTheHeaderCommittedIsNotInTheLog() {
        ProducerTable table = new ProducerTable(Long.MAX_VALUE / 4, 10);
        table.applied(header(5, 0, 2, 1), 10, 0);
        assertThat(table.check(5, 0, 2)).isInstanceOf(ProducerTable.Append.class);
    }

    @Test
    void aRetryOfABatchInFlightIsAttachedAndLeadershipLossForgetsIt() {
        ProducerTable table = new ProducerTable(1_000, 10);
        CompletableFuture<List<Long>> original = new CompletableFuture<>();
        table.inFlight(3, 0, 2, original);
        assertThat(table.check(3, 0, 2)).isEqualTo(new ProducerTable.InFlight(original));
        assertThat(table.check(3, 2, 1)).isInstanceOf(ProducerTable.Append.class);

        table.leadershipLost();
        assertThat(table.check(3, 0, 2)).isInstanceOf(ProducerTable.Append.class);
    }
}
