package io.raftlog.examples;

import io.raftlog.transport.netty.client.RaftClient;
import io.raftlog.transport.netty.client.RaftClientConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every client subcommand shares. */
final class ClientOptions {
    @Option(
            names = "--servers",
            required = true,
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Nodes to contact; the client finds the leader from any of them.")
    String servers;

    @Option(
            names = "--cluster-id",
            defaultValue = ClusterNode.DEFAULT_CLUSTER_ID,
            description = "Name of the cluster (default: ${DEFAULT-VALUE}).")
    String clusterId;

    @picocli.CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    List<InetSocketAddress> addresses() {
        return Addresses.parseList("--servers", servers);
    }

    RaftClientConfig config(Duration requestTimeout) {
        return RaftClientConfig.of(clusterId, addresses())
                .withRequestTimeout(requestTimeout)
                .withTls(tls.client());
    }

    RaftClient connect(Duration requestTimeout) {
        return new RaftClient(config(requestTimeout));
    }
}
