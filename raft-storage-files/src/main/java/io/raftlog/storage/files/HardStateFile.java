package io.raftlog.storage.files;

import io.raftlog.api.NodeId;
import io.raftlog.api.spi.storage.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The hard state in a file of its own, replaced whole ({@link FileIo#replaceAtomically}): term and
 * vote change together or not at all, which Raft needs (a vote paired with the wrong term is a
 * second vote; Raft §5.2, Figure 2: both are persisted before the node answers). The body is the
 * term (8 bytes) and the voted-for id in UTF-8 (nothing for none), under
 * {@link FileIo#readChecked}'s checksum.
 *
 * <p>Stateless; a store calls {@link #write} from its writer only. Errors as in {@link FileIo}.
 */
public final class HardStateFile {
    private HardStateFile() {}

    /**
     * The hard state saved in {@code directory/name}, or {@link HardState#INITIAL} if there is no
     * such file (a new store).
     *
     * @throws io.raftlog.api.StorageException if the file fails its checksum
     */
    public static HardState read(Path directory, String name) throws IOException {
        return FileIo.readChecked(directory, name).map(HardStateFile::decode).orElse(HardState.INITIAL);
    }

    /** Replaces {@code directory/name} with {@code state}, durably, before it returns. */
    public static void write(Path directory, String name, HardState state) throws IOException {
        byte[] vote = state.votedFor()
                .map(id -> id.value().getBytes(StandardCharsets.UTF_8))
                .orElse(new byte[0]);
        byte[] body = ByteBuffer.allocate(8 + vote.length)
                .putLong(state.term())
                .put(vote)
                .array();
        FileIo.replaceAtomically(directory, name, body);
    }

    private static HardState decode(byte[] body) {
        long term = ByteBuffer.wrap(body).getLong();
        String vote = new String(body, 8, body.length - 8, StandardCharsets.UTF_8);
        return new HardState(term, vote.isEmpty() ? Optional.empty() : Optional.of(NodeId.of(vote)));
    }
}
