package io.raftlog.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.HardState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** The metadata records on a raw LMDB environment, including every way one can be damaged. */
class MetaRecordsTest {
    private static final String LOCATION = "/data/node-1";

    @TempDir
    Path directory;

    private Env<ByteBuffer> env;
    private Dbi<ByteBuffer> meta;

    @BeforeEach
    void open() {
        env = Env.create().setMaxDbs(1).open(directory.toFile());
        meta = env.openDbi("meta", DbiFlags.MDB_CREATE);
    }

    @AfterEach
    void close() {
        env.close();
    }

    @Test
    void recordsRoundTrip() {
        HardState state = new HardState(12, Optional.of(NodeId.of("node-3")));
        put(MetaRecords.HARD_STATE, MetaRecords.encodeHardState(state));
        put(MetaRecords.LOG_START, MetaRecords.encodeLogStart(100, 7));
        assertThat(MetaRecords.decodeHardState(get(MetaRecords.HARD_STATE), LOCATION))
                .isEqualTo(state);
        assertThat(MetaRecords.decodeLogStart(get(MetaRecords.LOG_START), LOCATION))
                .containsExactly(100, 7);
        assertThat(get("snapshot")).isNull();
    }

    @Test
    void aRecordTooShortForItsChecksumIsCorrupt() {
        putRaw(MetaRecords.HARD_STATE, new byte[] {1, 2});
        assertThatThrownBy(() -> get(MetaRecords.HARD_STATE))
                .isInstanceOf(StorageException.class)
                .hasMessage("corrupt metadata record 'hard_state' in /data/node-1: record of 2 bytes has no checksum");
    }

    @Test
    void aHardStateThatDoesNotDecodeIsCorrupt() {
        put(MetaRecords.HARD_STATE, new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 5, 'a'});
        assertThatThrownBy(() -> MetaRecords.decodeHardState(get(MetaRecords.HARD_STATE), LOCATION))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("corrupt metadata record 'hard_state' in /data/node-1: cannot decode: ");
    }

    @Test
    void aLogStartOfTheWrongSizeOrOutOfRangeIsCorrupt() {
        assertThatThrownBy(() -> MetaRecords.decodeLogStart(new byte[15], LOCATION))
                .isInstanceOf(StorageException.class)
                .hasMessage("corrupt metadata record 'log_start' in /data/node-1: expected 16 bytes, found 15");
        assertThatThrownBy(() -> MetaRecords.decodeLogStart(MetaRecords.encodeLogStart(0, 3), LOCATION))
                .isInstanceOf(StorageException.class)
                .hasMessage("corrupt metadata record 'log_start' in /data/node-1: first index 0, term before it 3");
    }

    @Test
    void anUnknownFormatVersionIsRefused() {
        assertThatThrownBy(() -> MetaRecords.checkFormat(new byte[3], LOCATION))
                .isInstanceOf(StorageException.class)
                .hasMessage("the data in /data/node-1 has format version -1, this store reads version 1");
    }

    private void put(String name, byte[] body) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            MetaRecords.put(meta, txn, MetaRecords.key(name), body);
            txn.commit();
        }
    }

    private void putRaw(String name, byte[] value) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            meta.put(
                    txn,
                    MetaRecords.key(name),
                    ByteBuffer.allocateDirect(value.length).put(value).flip());
            txn.commit();
        }
    }

    private byte[] get(String name) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return MetaRecords.get(meta, txn, MetaRecords.key(name), LOCATION);
        }
    }
}
