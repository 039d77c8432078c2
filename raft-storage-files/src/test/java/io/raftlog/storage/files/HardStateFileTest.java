package io.raftlog.storage.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.api.StorageException;
import io.raftlog.api.spi.storage.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Term and vote saved together, read back together, and refused when damaged. */
class HardStateFileTest {
    @TempDir
    Path directory;

    @Test
    void aNewStoreHasTheInitialHardState() throws IOException {
        assertThat(HardStateFile.read(directory, "hard-state")).isEqualTo(HardState.INITIAL);
    }

    @Test
    void termAndVoteReadBackAsWrittenTheLatestWriteWinning() throws IOException {
        HardState voted = new HardState(7, Optional.of(NodeId.of("n2")));
        HardStateFile.write(directory, "hard-state", voted);
        assertThat(HardStateFile.read(directory, "hard-state")).isEqualTo(voted);

        HardState newTermNoVote = new HardState(Long.MAX_VALUE, Optional.empty());
        HardStateFile.write(directory, "hard-state", newTermNoVote);
        assertThat(HardStateFile.read(directory, "hard-state")).isEqualTo(newTermNoVote);
        assertThat(Files.size(directory.resolve("hard-state")))
                .as("checksum, length, term; no vote bytes")
                .isEqualTo(16);
    }

    @Test
    void aDamagedFileIsRefusedNotReadAsSomeOtherTerm() throws IOException {
        HardStateFile.write(directory, "hard-state", new HardState(3, Optional.of(NodeId.of("n1"))));
        Path file = directory.resolve("hard-state");
        byte[] content = Files.readAllBytes(file);
        content[15] ^= 0x01; // the low byte of the term
        Files.write(file, content);
        assertThatThrownBy(() -> HardStateFile.read(directory, "hard-state"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(file + " fails its CRC32C check");
    }
}
