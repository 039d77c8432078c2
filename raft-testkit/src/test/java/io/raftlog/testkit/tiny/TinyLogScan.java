package io.raftlog.testkit.tiny;

import io.raftlog.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Replays {@link TinyFileLogStore}'s log when it opens. Below the committed length every record
 * must be whole: damage there is bit rot and fails the open. Past it lies what a crash may have
 * cut short: the first record that fails its checks ends the log there.
 */
final class TinyLogScan {
    private TinyLogScan() {}

    static void scan(TinyFileLogStore store, long committed) throws IOException {
        long size = store.log().size();
        if (committed > size) {
            throw new StorageException("corrupt log in " + store.directory() + ": it holds " + size
                    + " bytes but its head says " + committed + " were committed");
        }
        long offset = 0;
        while (offset < size) {
            boolean isCommitted =
                    offset < committed && store.flaw() != TinyFileLogStore.Flaw.DAMAGE_TAKEN_FOR_A_TORN_TAIL;
            ByteBuffer header = store.readLog(offset, (int) Math.min(TinyRecords.HEADER_BYTES, size - offset));
            String problem = headerProblem(header, offset, isCommitted ? committed : size);
            ByteBuffer body = null;
            if (problem == null) {
                body = store.readLog(offset + TinyRecords.HEADER_BYTES, header.getInt(1));
                byte kind = header.get(0);
                // A committed batch's payloads are checked when read, not here.
                boolean checkBody = !isCommitted || (kind != TinyRecords.BATCH && kind != TinyRecords.REPLACE);
                if (checkBody && TinyRecords.crc(body, 0, body.limit()) != header.getInt(5)) {
                    problem = "a record body failing its checksum";
                }
            }
            if (problem != null) {
                if (isCommitted) {
                    throw new StorageException(
                            "corrupt log in " + store.directory() + ": " + problem + " at offset " + offset);
                }
                store.cutTail(offset); // a write the crash interrupted
                break;
            }
            store.state().apply(header.get(0), body, offset + TinyRecords.HEADER_BYTES);
            offset += TinyRecords.HEADER_BYTES + body.limit();
        }
        store.scanned(offset);
    }

    private static String headerProblem(ByteBuffer header, long offset, long end) {
        if (header.remaining() < TinyRecords.HEADER_BYTES) {
            return "a record header cut short";
        }
        if (TinyRecords.crc(header, 0, 9) != header.getInt(9)) {
            return "a record header failing its checksum";
        }
        int length = header.getInt(1);
        if (length < 0 || offset + TinyRecords.HEADER_BYTES + length > end) {
            return "a record running past the end";
        }
        return null;
    }
}
