package io.raftlog.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.spi.storage.SnapshotStore;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotInfo;
import io.raftlog.api.spi.storage.SnapshotStore.SnapshotReader;
import io.raftlog.core.storage.InMemoryLogStore;
import io.raftlog.core.storage.InMemorySnapshotStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * raft-core's in-memory snapshot store passes the snapshot contract; a directory stands for its
 * volume, and a crash is a new store on the volume while the old one is dropped.
 */
class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {
    private final Map<Path, InMemoryLogStore.Volume> volumes = new HashMap<>();

    @Override
    protected SnapshotStore openStore(Path directory) {
        return new InMemorySnapshotStore(volume());
    }

    @Override
    protected void crash() {
        store = new InMemorySnapshotStore(volume());
    }

    private InMemoryLogStore.Volume volume() {
        return volumes.computeIfAbsent(directory, unused -> new InMemoryLogStore.Volume());
    }

    @Test
    void theVolumeListsTheSnapshotsAndACopyOfItHasThem() {
        byte[] bytes = randomBytes(1000);
        SnapshotInfo info = write(4, 2, bytes);
        InMemoryLogStore.Volume copy = volume().copy();
        store.delete(4);

        assertThat(volume().snapshots()).isEmpty();
        assertThat(copy.snapshots()).containsExactly(info);
        try (SnapshotStore onTheCopy = new InMemorySnapshotStore(copy);
                SnapshotReader reader = onTheCopy.open(4)) {
            ByteBuffer target = ByteBuffer.allocate(2000);
            assertThat(reader.read(0, target)).isEqualTo(1000);
            assertThat(Arrays.copyOf(target.array(), 1000)).isEqualTo(bytes);
        }
    }

    @Test
    void aDamagedSnapshotReadsBackWithOneByteInItsMiddleFlipped() {
        byte[] bytes = randomBytes(1001);
        SnapshotInfo info = write(6, 1, bytes);
        SnapshotReader before = store.open(6);
        volume().damageSnapshot(6);

        assertThat(store.list()).containsExactly(info);
        byte[] expected = bytes.clone();
        expected[500] ^= (byte) 0xFF;
        assertThat(readAll(6)).isEqualTo(expected);
        ByteBuffer intact = ByteBuffer.allocate(1001);
        before.read(0, intact);
        before.close();
        assertThat(intact.array()).as("a reader opened before the damage").isEqualTo(bytes);

        store.create(7, 1).commit();
        assertThatThrownBy(() -> volume().damageSnapshot(7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> volume().damageSnapshot(99)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSnapshotStoreAndALogStoreShareAVolume() {
        InMemoryLogStore.Volume volume = volume();
        write(3, 1, randomBytes(10));
        try (InMemoryLogStore log = new InMemoryLogStore(volume)) {
            log.append(TestEntries.range(1, 3, 1));
        }
        assertThat(volume.size()).isEqualTo(3);
        assertThat(volume.snapshots()).containsExactly(new SnapshotInfo(3, 1, 10));
        assertThat(store.location()).isEqualTo("memory");
    }
}
