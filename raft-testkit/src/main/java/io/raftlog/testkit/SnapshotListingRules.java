package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import org.junit.jupiter.api.Test;

/** list() is in index order, latest() the highest; delete() is durable and spares open readers. */
abstract class SnapshotListingRules extends SnapshotRules {
    SnapshotListingRules(SnapshotStoreContract contract) {
        super(contract);
    }

    @Test
    void listIsInIndexOrderAndLatestIsTheHighestIndex() {
        SnapshotInfo ten = write(10, 4, randomBytes(100));
        SnapshotInfo three = write(3, 1, randomBytes(300));
        SnapshotInfo seven = write(7, 2, randomBytes(700));

        assertThat(store().list())
                .as("rule: list() is in index order, whatever the order of commits")
                .containsExactly(three, seven, ten);
        assertThat(store().latest()).as("rule: latest() is the highest index").contains(ten);
        store().delete(10);
        assertThat(store().latest())
                .as("rule: latest() after deleting the highest")
                .contains(seven);
        assertThat(reopen().list())
                .as("rule: list() after a delete and reopening")
                .containsExactly(three, seven);
    }

    @Test
    void deleteRemovesOneSnapshotAndSurvivesReopening() {
        SnapshotInfo one = write(1, 1, randomBytes(1000));
        write(2, 1, randomBytes(2000));
        SnapshotInfo three = write(3, 2, randomBytes(3000));

        store().delete(2);
        store().delete(2); // already gone: no error
        store().delete(99);
        assertThat(store().list())
                .as("rule: delete() removes that snapshot only; deleting what is not there does nothing")
                .containsExactly(one, three);
        assertThrows(
                IllegalArgumentException.class,
                () -> store().open(2),
                "open() of a deleted snapshot throws IllegalArgumentException");
        assertThat(reopen().list()).as("rule: delete() is durable").containsExactly(one, three);
    }

    @Test
    void aReaderOpenedBeforeADeleteKeepsReading() {
        byte[] bytes = randomBytes(150_000);
        SnapshotInfo info = write(9, 3, bytes);
        try (SnapshotReader reader = store().open(9)) {
            assertReads(reader, bytes, 0, 1000);
            store().delete(9);
            assertThat(store().list())
                    .as("rule: a deleted snapshot is no longer listed")
                    .isEmpty();
            assertThat(reader.info())
                    .as("rule: a reader keeps its snapshot's info after a delete")
                    .isEqualTo(info);
            assertSameBytes(bytes, readAll(reader, 7777), "a reader opened before the delete");
        }
    }
}
