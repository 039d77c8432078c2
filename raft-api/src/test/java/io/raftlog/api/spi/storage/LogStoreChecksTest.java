package io.raftlog.api.spi.storage;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.raftlog.api.Bytes;
import org.junit.jupiter.api.Test;

/** The checks {@link LogStore} offers its implementations. */
class LogStoreChecksTest {
    @Test
    void metadataNamesAreShortLowerCaseAndNeverOnlyDots() {
        for (String valid : new String[] {
            "identity", "peers", "raftlog.commit", "a", ".a", "a.", "a..b", "-", "_", "a.tmp", "x".repeat(64)
        }) {
            assertThatCode(() -> LogStore.checkMetadata(valid, Bytes.EMPTY))
                    .as("'%s' is a valid metadata name", valid)
                    .doesNotThrowAnyException();
        }
        for (String invalid :
                new String[] {"", ".", "..", "...", "x".repeat(65), "Identity", "a/b", "a b", "ä", null}) {
            assertThatIllegalArgumentException()
                    .as("'%s' is not a valid metadata name", invalid)
                    .isThrownBy(() -> LogStore.checkMetadata(invalid, null));
        }
    }

    @Test
    void metadataValuesHaveAtMostMaxMetadataBytes() {
        assertThatCode(() -> LogStore.checkMetadata("a", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES])))
                .doesNotThrowAnyException();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LogStore.checkMetadata("a", Bytes.copyOf(new byte[LogStore.MAX_METADATA_BYTES + 1])));
    }
}
