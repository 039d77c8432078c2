package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftlog.api.NodeId;
import io.raftlog.api.message.RaftMessage;
import io.raftlog.api.message.TimeoutNow;
import io.raftlog.testkit.tls.CertificateAuthority;
import io.raftlog.testkit.tls.CertificateAuthority.PemFiles;
import io.raftlog.transport.netty.internal.Hello;
import io.raftlog.transport.netty.internal.HelloRejected;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS between peers: mutual, with each certificate bound to the node id its holder claims. Who is
 * let in, who is refused, what the refused side and the refusing side log, and that the node goes
 * on serving its real peers throughout.
 */
class TlsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final CertificateAuthority CA = CertificateAuthority.create("raftlog test CA");
    private static final CertificateAuthority OTHER_CA = CertificateAuthority.create("someone else's CA");

    @TempDir
    Path dir;

    private final Map<NodeId, InetSocketAddress> peers = Loopback.addresses(List.of(A, B, C));
    private final Queue<RaftMessage> atA = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        log.close();
    }

    @Test
    void peersWithCertificatesOfTheClusterCaTalkOverTls() {
        talkBothWays(tls(CA.issueNode("a"), "a"), tls(CA.issueNode("b"), "b"));
        assertThat(log.hasLine("node a of cluster", "TLS TLSv1.3, peers mutually authenticated"))
                .isTrue();
    }

    @Test
    void aNodeOnOpenSslAndOneOnTheJdksProviderTalkOverTls() {
        talkBothWays(tls(CA.issueNode("a"), "a").withProvider(TlsConfig.Provider.OPENSSL), tls(CA.issueNode("b"), "b"));
    }

    /** Nodes a and b on {@code atA} and {@code atB}: a message each way arrives, nothing is refused. */
    private void talkBothWays(TlsConfig atANode, TlsConfig atBNode) {
        NettyTransport a = start(A, atANode, atA::add);
        Queue<RaftMessage> atB = new ConcurrentLinkedQueue<>();
        NettyTransport b = start(B, atBNode, atB::add);

        b.send(new TimeoutNow(B, A, 3));
        a.send(new TimeoutNow(A, B, 4));

        await().atMost(Duration.ofSeconds(10)).until(() -> !atA.isEmpty() && !atB.isEmpty());
        assertThat(atA).containsExactly(new TimeoutNow(B, A, 3));
        assertThat(atB).containsExactly(new TimeoutNow(A, B, 4));
        assertThat(a.tlsRefusals() + b.tlsRefusals()).isZero();
    }

    @Test
    void aCertificateForOneNodeCannotJoinAsAnother() {
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);
        // A process holding b's certificate claims to be c.
        NettyTransport impostor = start(C, tls(CA.issueNode("b"), "b-as-c"), message -> {});

        impostor.send(new TimeoutNow(C, A, 1));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine(
                        "refused peer connection", "peer claims to be 'c' but its certificate names node b"));
        assertThat(a.rejectedConnections()).isPositive();
        assertThat(a.tlsRefusals()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> impostor.refusals().containsKey(A));
        assertThat(impostor.refusals().get(A)).contains("UNAUTHENTICATED");
        assertStillServes(B);
    }

    @Test
    void aNodeDialledMustShowACertificateThatNamesIt() {
        // What answers at b's address holds c's certificate: a refuses to talk to it as b.
        start(B, tls(CA.issueNode("c"), "c-at-b"), message -> {});
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);

        a.send(new TimeoutNow(A, B, 1));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine("refused TLS on the connection to peer b", "names node c, not peer 'b'"));
        assertThat(a.tlsRefusals()).isPositive();
        assertThat(a.refusals())
                .as("a refused b, not the reverse: nothing says a is misconfigured")
                .isEmpty();
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() {
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);
        PemFiles stranger = OTHER_CA.issueNode("b").write(dir.resolve("stranger"), "b");
        // The stranger trusts our CA (it could have our public CA certificate); its own is not ours.
        NettyTransport b =
                start(B, TlsConfig.of(stranger.certificate(), stranger.privateKey(), caFile()), message -> {});

        b.send(new TimeoutNow(B, A, 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> a.tlsRefusals() > 0);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine(
                        "refused peer connection",
                        "peer 'b' presented no certificate signed by a CA this node trusts"));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.refusals().containsKey(A));
        assertThat(atA).isEmpty();
        assertStillServes(C);
    }

    @Test
    void aNodeDialledThatShowsACertificateOfAnotherCaIsRefused() {
        PemFiles stranger = OTHER_CA.issueNode("b").write(dir.resolve("stranger"), "b");
        start(B, TlsConfig.of(stranger.certificate(), stranger.privateKey(), caFile()), message -> {});
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);

        a.send(new TimeoutNow(A, B, 1));

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        log.hasLine("refused TLS on the outbound peer b connection", "not signed by a trusted CA"));
        assertThat(a.tlsRefusals()).isPositive();
    }

    @Test
    void plainTcpToATlsPortIsRefusedCleanlyAndToldWhyInPlainTcp() {
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);

        try (RawConnection plain = new RawConnection(peers.get(A))) {
            plain.send(Hello.peer(Loopback.CLUSTER, B, A));
            assertThat(plain.read())
                    .as("the node's answer to plain TCP, itself in plain TCP")
                    .isInstanceOfSatisfying(HelloRejected.class, refusal -> {
                        assertThat(refusal.reason()).isEqualTo(HelloRejected.Reason.TLS_REQUIRED);
                        assertThat(refusal.detail()).contains("accepts TLS connections only");
                    });
            assertThat(plain.closedByPeer()).isTrue();
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.hasLine("refused TLS on an accepted connection", "does not speak TLS"));
        assertThat(a.tlsRefusals()).isPositive();
        assertThat(atA).isEmpty();
        assertStillServes(B);
    }

    @Test
    void aPlainPeerCannotReachATlsNodeAndSaysWhy() {
        NettyTransport a = start(A, tls(CA.issueNode("a"), "a"), atA::add);
        NettyTransport plain = start(B, null, message -> {});

        plain.send(new TimeoutNow(B, A, 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> a.tlsRefusals() > 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.hasLine("TLS_REQUIRED", "accepts TLS connections only"));
        assertThat(atA).isEmpty();
        assertStillServes(C);
    }

    @Test
    void missingOrMalformedFilesFailAtConstructionAndNameTheFile() throws IOException {
        PemFiles files = CA.issueNode("a").write(dir.resolve("a"), "a");
        Path missing = dir.resolve("nope.crt");
        assertThatThrownBy(() -> new NettyTransport(
                        Loopback.config(A, peers).withTls(TlsConfig.of(missing, files.privateKey(), files.ca()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificate chain file " + missing + " does not exist");
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key");
        assertThatThrownBy(() -> new NettyTransport(
                        Loopback.config(A, peers).withTls(TlsConfig.of(files.certificate(), garbage, files.ca()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> Loopback.config(A, peers).withTls(TlsConfig.trusting(files.ca())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs its own certificate and private key");
    }

    /** A real peer {@code real}, with a certificate of the cluster's CA, still reaches node a. */
    private void assertStillServes(NodeId real) {
        NettyTransport peer = start(real, tls(CA.issueNode(real.value()), real.value() + "-real"), message -> {});
        TimeoutNow probe = new TimeoutNow(real, A, 9);
        peer.send(probe);
        await().atMost(Duration.ofSeconds(10)).until(() -> atA.contains(probe));
    }

    private TlsConfig tls(CertificateAuthority.Issued issued, String name) {
        PemFiles files = issued.write(dir.resolve(name), "node");
        return TlsConfig.of(files.certificate(), files.privateKey(), files.ca());
    }

    private Path caFile() {
        return CA.issueNode("unused").write(dir.resolve("ca-only"), "unused").ca();
    }

    private NettyTransport start(NodeId id, TlsConfig tls, io.raftlog.api.spi.transport.MessageHandler handler) {
        NettyTransport transport = Loopback.start(
                id,
                peers,
                handler,
                config -> config.withConnectTimeout(Duration.ofMillis(500)).withTls(tls));
        resources.add(transport);
        return transport;
    }

    private static byte[] drain(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException reset) {
            return new byte[0];
        }
    }
}
