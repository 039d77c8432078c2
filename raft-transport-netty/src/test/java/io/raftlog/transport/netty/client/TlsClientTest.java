package io.raftlog.transport.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.api.Bytes;
import io.raftlog.api.NodeId;
import io.raftlog.api.NotAuthorizedException;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import io.raftlog.transport.netty.ClientAccess;
import io.raftlog.transport.netty.FakeCluster;
import io.raftlog.transport.netty.Loopback;
import io.raftlog.transport.netty.NettyTransport;
import io.raftlog.transport.netty.TlsConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A RaftClient over TLS to a node: with the nodes' CA trusted it works, without TLS or the CA it cannot. */
class TlsClientTest {
    private static final NodeId A = NodeId.of("a");
    private static final CertificateAuthority CA = CertificateAuthority.create("client test CA");

    @TempDir
    Path dir;

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A));
    private final FakeCluster cluster = new FakeCluster(A);
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        java.util.Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        cluster.close();
    }

    @Test
    void aClientThatTrustsTheNodesCaAppendsOverTls() throws Exception {
        PemFiles node = startNode(false);
        RaftClient client = client(TlsConfig.trusting(node.ca()));

        assertThat(client.append(Bytes.ofUtf8("over tls")).get(10, TimeUnit.SECONDS))
                .isPositive();
    }

    @Test
    void aPlainClientIsToldTheNodeAcceptsTlsOnly() {
        startNode(false);
        RaftClient client = client(null);

        assertThatThrownBy(() -> client.append(Bytes.ofUtf8("plain")).get(10, TimeUnit.SECONDS))
                .as("refused at once, not left to time out")
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("refused by the node")
                .hasMessageContaining("accepts TLS connections only");
    }

    @Test
    void aClientThatTrustsAnotherCaRefusesTheNode() {
        startNode(false);
        PemFiles other = CertificateAuthority.create("other").issueClient("x").write(dir.resolve("other"), "x");
        RaftClient client = client(TlsConfig.trusting(other.ca()));

        assertThatThrownBy(() -> client.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void whereClientCertificatesAreRequiredOnlyAClientWithOneGetsIn() throws Exception {
        PemFiles node = startNode(true);
        RaftClient anonymous = client(TlsConfig.trusting(node.ca()));
        assertThatThrownBy(() -> anonymous.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);

        PemFiles mine = CA.issueClient("producer-1").write(dir.resolve("client"), "client");
        RaftClient known = client(TlsConfig.of(mine.certificate(), mine.privateKey(), mine.ca()));
        assertThat(known.append(Bytes.ofUtf8("y")).get(10, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void aClientAllowedToConsumeButNotToProduceGetsATypedErrorOnProduce() throws Exception {
        PemFiles node = startNode(true, ClientAccess.parse("reader=consume,writer=produce+consume,*=none"));
        PemFiles reader = CA.issueClient("reader").write(dir.resolve("reader"), "client");
        RaftClient readOnly = client(TlsConfig.of(reader.certificate(), reader.privateKey(), node.ca()));

        assertThatThrownBy(() -> readOnly.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotAuthorizedException.class)
                .hasMessageContaining("client 'reader' may not produce on node a (it may: consume)");
        assertThat(readOnly.read(1, 10, Duration.ZERO).get(10, TimeUnit.SECONDS))
                .isEmpty();
        assertThat(readOnly.status(peers.get(A)).get(10, TimeUnit.SECONDS).id()).isEqualTo(A);

        PemFiles writer = CA.issueClient("writer").write(dir.resolve("writer"), "client");
        RaftClient producer = client(TlsConfig.of(writer.certificate(), writer.privateKey(), node.ca()));
        assertThat(producer.append(Bytes.ofUtf8("y")).get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(nodeTransport.unauthorizedRequests()).isEqualTo(1);
    }

    @Test
    void aClientWithAnUnlistedPrincipalGetsWhatOthersGet() throws Exception {
        PemFiles node = startNode(true, ClientAccess.parse("writer=produce,*=consume"));
        PemFiles stranger = CA.issueClient("stranger").write(dir.resolve("stranger"), "client");
        RaftClient client = client(TlsConfig.of(stranger.certificate(), stranger.privateKey(), node.ca()));

        assertThatThrownBy(() -> client.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotAuthorizedException.class)
                .hasMessageContaining("client 'stranger' may not produce");
        assertThat(client.read(1, 10, Duration.ZERO).get(10, TimeUnit.SECONDS)).isEmpty();
    }

    private PemFiles startNode(boolean requireClientCertificates) {
        return startNode(requireClientCertificates, ClientAccess.OPEN);
    }

    private NettyTransport nodeTransport;

    private PemFiles startNode(boolean requireClientCertificates, ClientAccess access) {
        PemFiles files = CA.issueNode("a").write(dir.resolve("a"), "node");
        NettyTransport node = Loopback.start(
                A,
                peers,
                message -> {},
                config -> config.withTls(TlsConfig.of(files.certificate(), files.privateKey(), files.ca())
                                .withRequireClientCertificates(requireClientCertificates))
                        .withClientAccess(access));
        nodeTransport = node;
        node.serveClients(cluster.node(A));
        resources.add(node);
        return files;
    }

    private RaftClient client(TlsConfig tls) {
        RaftClient client = new RaftClient(RaftClientConfig.of(Loopback.CLUSTER, List.of(peers.get(A)))
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withConnectTimeout(Duration.ofSeconds(1))
                .withRequestTimeout(Duration.ofSeconds(3))
                .withTls(tls));
        resources.add(client);
        return client;
    }
}
