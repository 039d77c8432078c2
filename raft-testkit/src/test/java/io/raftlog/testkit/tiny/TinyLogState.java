package io.raftlog.testkit.tiny;

import io.raftlog.api.Bytes;
import io.raftlog.api.CorruptLogException;
import io.raftlog.api.StorageException;
import io.raftlog.api.message.EntryType;
import io.raftlog.api.spi.storage.HardState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link TinyFileLogStore} keeps in memory: where each entry's payload lies in the log
 * file, the log's extent, the hard state and the metadata; rebuilt at open by applying every
 * record, and kept up to date by applying each new one. Guarded by the store's lock.
 */
final class TinyLogState {
    /** An entry: its term and type, and where its checksummed payload is. */
    record Ref(long term, EntryType type, long payloadOffset, int length, int checksum) {}

    private final String location;
    private final List<Ref> refs = new ArrayList<>();
    private final Map<String, Bytes> metadata = new HashMap<>();
    long first = 1;
    long termBeforeFirst;
    HardState hardState = HardState.INITIAL;

    TinyLogState(String location) {
        this.location = location;
    }

    long last() {
        return first + refs.size() - 1;
    }

    boolean holds(long index) {
        return index >= first && index <= last();
    }

    Ref ref(long index) {
        return refs.get((int) (index - first));
    }

    long lastTerm() {
        return refs.isEmpty() ? termBeforeFirst : refs.get(refs.size() - 1).term();
    }

    Optional<Bytes> metadata(String name) {
        return Optional.ofNullable(metadata.get(name));
    }

    /** Applies a record's effect on the state in memory; {@code bodyOffset} is where its body lies in the log. */
    void apply(byte kind, ByteBuffer body, long bodyOffset) {
        switch (kind) {
            case TinyRecords.BATCH, TinyRecords.REPLACE -> applyEntries(kind, body, bodyOffset);
            case TinyRecords.TRUNCATE_SUFFIX ->
                refs.subList((int) (body.getLong(0) - first), refs.size()).clear();
            case TinyRecords.TRUNCATE_PREFIX -> {
                long to = body.getLong(0);
                refs.subList(0, (int) (to - first)).clear();
                first = to;
                termBeforeFirst = body.getLong(8);
            }
            case TinyRecords.RESET -> {
                refs.clear();
                first = body.getLong(0) + 1;
                termBeforeFirst = body.getLong(8);
            }
            case TinyRecords.HARD_STATE -> hardState = TinyRecords.decodeHardState(body.duplicate());
            case TinyRecords.METADATA -> {
                ByteBuffer view = body.duplicate();
                byte[] name = new byte[view.get()];
                view.get(name);
                byte[] value = new byte[view.getInt()];
                view.get(value);
                metadata.put(new String(name, StandardCharsets.US_ASCII), Bytes.wrap(value));
            }
            default -> throw new StorageException("unknown record kind " + kind + " in the log in " + location);
        }
    }

    private void applyEntries(byte kind, ByteBuffer body, long bodyOffset) {
        int count = body.getInt(0);
        int at = Integer.BYTES;
        for (int i = 0; i < count; i++) {
            long index = body.getLong(at);
            if (TinyRecords.crc(body, at, 25) != body.getInt(at + 25)) {
                throw new StorageException(
                        "corrupt log in " + location + ": an entry header at offset " + (bodyOffset + at));
            }
            int length = body.getInt(at + 17);
            EntryType type = EntryType.fromCode(body.get(at + 16));
            Ref ref = new Ref(
                    body.getLong(at + 8),
                    type,
                    bodyOffset + at + TinyRecords.ENTRY_HEADER_BYTES,
                    length,
                    body.getInt(at + 21));
            if (kind == TinyRecords.BATCH && index == last() + 1) {
                refs.add(ref);
            } else if (kind == TinyRecords.REPLACE && holds(index)) {
                refs.set((int) (index - first), ref);
            } else {
                throw new CorruptLogException(index, location, "a stored entry does not fit the log");
            }
            at += TinyRecords.ENTRY_HEADER_BYTES + length;
        }
    }
}
