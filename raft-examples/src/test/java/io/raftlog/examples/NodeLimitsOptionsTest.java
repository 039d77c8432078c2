package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.NodeId;
import io.raftlog.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code raftlog node}'s per-connection limits reach the transport's configuration. */
class NodeLimitsOptionsTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 7001);
    private static final NettyTransportConfig BASE = NettyTransportConfig.of("raftlog", ADDRESS, Map.of(N1, ADDRESS));

    private static NodeCommand parse(String... limits) {
        NodeCommand command = new NodeCommand();
        String[] required = {"--id", "n1", "--listen", "127.0.0.1:7001", "--peers", "", "--data", "/tmp/unused"};
        String[] all = new String[required.length + limits.length];
        System.arraycopy(required, 0, all, 0, required.length);
        System.arraycopy(limits, 0, all, required.length, limits.length);
        new CommandLine(command).parseArgs(all);
        return command;
    }

    @Test
    void withoutFlagsTheDefaultsStand() {
        NettyTransportConfig config = parse().transport(BASE);
        assertThat(config.maxConnections()).isEqualTo(BASE.maxConnections());
        assertThat(config.clientIdleTimeout()).isEqualTo(BASE.clientIdleTimeout());
        assertThat(config.maxFrameBytes()).isEqualTo(BASE.maxFrameBytes());
        assertThat(config.maxClientRequestsInFlight()).isEqualTo(BASE.maxClientRequestsInFlight());
        assertThat(config.tls()).isNull();
    }

    @Test
    void eachLimitIsSetByItsFlag() {
        NettyTransportConfig config = parse(
                        "--max-connections", "64",
                        "--client-idle-timeout", "90s",
                        "--max-frame-size", "4MiB",
                        "--max-requests-in-flight", "128")
                .transport(BASE);
        assertThat(config.maxConnections()).isEqualTo(64);
        assertThat(config.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.maxFrameBytes()).isEqualTo(4 << 20);
        assertThat(config.maxClientRequestsInFlight()).isEqualTo(128);
    }

    @Test
    void aLimitOutOfRangeIsRefusedNamingIt() {
        assertThatThrownBy(() -> parse("--max-frame-size", "3GiB").transport(BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-frame-size must be below 2 GiB");
        assertThatThrownBy(() -> parse("--max-connections", "0").transport(BASE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
