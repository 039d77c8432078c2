package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftClientConfigTest {
    private static final RaftClientConfig DEFAULTS =
            RaftClientConfig.of("raftlog", List.of(new InetSocketAddress("127.0.0.1", 7001)));

    /**
     * A leader remembers a producer's last 64 batches. With more in flight, the answer to the
     * oldest could be lost while 64 newer ones commit, and its retry could then not be answered
     * with its offsets (review F6).
     */
    @Test
    void noMoreBatchesInFlightThanALeaderRemembersPerProducer() {
        assertThat(DEFAULTS.maxInFlightRequests()).isEqualTo(RaftClientConfig.MAX_IN_FLIGHT_REQUESTS);
        assertThat(DEFAULTS.withMaxInFlightRequests(64).maxInFlightRequests()).isEqualTo(64);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DEFAULTS.withMaxInFlightRequests(65))
                .withMessageContaining("maxInFlightRequests must be at most 64")
                .withMessageContaining("was 65");
    }
}
