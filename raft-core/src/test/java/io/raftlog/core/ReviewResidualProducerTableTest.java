package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Review F6 residual: the fix for the clock-jump duplicate remembers at most
 * REMEMBERED_EXPIRED (65,536) expired ids, while the table holds up to 1,000,000 producers
 * (Proposer). A clock jump that expires more than 65,536 producers at once forgets the oldest
 * entirely, and the in-flight retry of one of their committed sequence-0 batches is appended again.
 */
class ReviewResidualProducerTableTest {
    private static ProducerTable.Header header(long producer, long firstSequence, int count, long millis) {
        return new ProducerTable.Header(producer, firstSequence, count, millis);
    }

    @Test
    void aClockJumpExpiringMoreProducersThanAreRememberedTurnsARetryIntoADuplicate() {
        ProducerTable table = new ProducerTable(3_600_000, 1_000_000); // as Proposer builds it
        long now = 1_800_000_000_000L;
        int producers = ProducerTable.REMEMBERED_EXPIRED + 10;
        long index = 1;
        for (int p = 1; p <= producers; p++) {
            table.applied(header(p, 0, 1, now), index, 1);
            index += 2;
        }
        assertThat(table.check(1, 0, 1)).as("committed, answered with its offset").isInstanceOf(
                ProducerTable.AlreadyCommitted.class);

        // One batch stamped by a leader whose wall clock jumped two hours ahead.
        table.applied(header(producers + 1, 0, 1, now + 7_200_000), index, 1);

        // Producer 1's committed seq-0 batch is retried (its answer was lost): must not be Append.
        assertThat(table.check(1, 0, 1))
                .as("a retry of a committed batch must not be appended again")
                .isNotInstanceOf(ProducerTable.Append.class);
    }
}
