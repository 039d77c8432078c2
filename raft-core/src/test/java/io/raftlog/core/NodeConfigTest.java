package io.raftlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.core.protocol.ProtocolConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    private static final NodeId ID = NodeId.of("n1");

    @Test
    void aZeroProducerIdleTimeoutIsRefusedNamingTheFieldAndValue() {
        assertThatThrownBy(() -> withProducerIdleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("producerIdleTimeout must be positive, was PT0S");
    }

    @Test
    void aNegativeProducerIdleTimeoutIsRefusedNamingTheFieldAndValue() {
        assertThatThrownBy(() -> withProducerIdleTimeout(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("producerIdleTimeout must be positive, was PT-5S");
    }

    @Test
    void aPositiveProducerIdleTimeoutIsKept() {
        assertThat(withProducerIdleTimeout(Duration.ofMillis(1)).producerIdleTimeout())
                .isEqualTo(Duration.ofMillis(1));
    }

    private static NodeConfig withProducerIdleTimeout(Duration timeout) {
        NodeConfig defaults = NodeConfig.of(ID, List.of(ID));
        return new NodeConfig(
                ID,
                defaults.members(),
                defaults.tickInterval(),
                ProtocolConfig.defaults(),
                defaults.maxBatchRecords(),
                defaults.appendTimeout(),
                timeout);
    }
}
